"""Operators' commands: status, tail, dlq, outbox, run-check and trace. They talk to the broker with pika
and to the services over their HTTP APIs, never to a service's database."""
import fnmatch
import json
import os
import sys
import time
from urllib.parse import quote, unquote, urlsplit

import pika
import requests
from pika.exceptions import ChannelClosedByBroker

from doorstroom import chain, topology
from doorstroom.client import send
from shared.consumer import (ATTEMPT_HEADER, ERROR_HEADER, HELD_SINCE_HEADER,
                             ORIGINAL_EXCHANGE_HEADER, ORIGINAL_ROUTING_KEY_HEADER,
                             PARKED_AT_HEADER, PUBLISHED_BY_HEADER, QUEUE_HEADER,
                             SKIP_GAP_HEADER, requeue_exchange)

OUR_HEADERS = (ATTEMPT_HEADER, ERROR_HEADER, QUEUE_HEADER, ORIGINAL_EXCHANGE_HEADER,
               ORIGINAL_ROUTING_KEY_HEADER, PARKED_AT_HEADER, HELD_SINCE_HEADER,
               SKIP_GAP_HEADER, PUBLISHED_BY_HEADER)
# Where a parked message first came from and who published it, as its consumer noted from the
# broker's delivery.
ORIGIN_HEADERS = (ORIGINAL_EXCHANGE_HEADER, ORIGINAL_ROUTING_KEY_HEADER, PUBLISHED_BY_HEADER)


class BrokerUnreachable(pika.exceptions.AMQPConnectionError):
    def __str__(self):
        return self.args[0]


def connect():
    parameters = pika.URLParameters(chain.amqp_uri())
    try:
        return pika.BlockingConnection(parameters)
    except pika.exceptions.AMQPConnectionError as exc:
        # pika's own error says nothing when the connection is refused.
        raise BrokerUnreachable(f"no RabbitMQ broker lets us in at {parameters.host}:"
                                f"{parameters.port} (vhost {parameters.virtual_host}): "
                                f"{exc!r}; is AMQP_URI right?") from exc


def operator_key(data_dir):
    """The operator's API key: $DOORSTROOM_OPERATOR_KEY, or the one `doorstroom up` made."""
    return key_of("operator", "DOORSTROOM_OPERATOR_KEY", data_dir)


def key_of(role, variable, data_dir):
    """An API key of `role`: $`variable`, or the one `doorstroom up` made; None if neither."""
    if os.environ.get(variable):
        return os.environ[variable]
    keys_file = chain.data_dir(data_dir) / "api-keys.json"
    if keys_file.exists():
        for holder in json.loads(keys_file.read_text()).values():
            if holder["role"] == role:
                return holder["key"]
    return None


def _get(url, key, patience=0.0):
    """GET `url`, asking again for up to `patience` seconds while the service is restarting or
    its database away (doorstroom/client.py); `status` asks once, as it reports the outage."""
    return send(requests, "GET", url, headers={"Authorization": f"Bearer {key}"} if key else {},
                patience=patience, timeout=5)


# --- status ---------------------------------------------------------------------------------

def queue_figures(connection, names):
    """Per queue: consumers, ready and unacked (None where the broker does not say).

    The management API says everything, when RABBITMQ_MANAGEMENT_URL points at it; a passive
    declaration says consumers and ready messages with nothing but AMQP."""
    management = os.environ.get("RABBITMQ_MANAGEMENT_URL")
    if management:
        vhost = unquote(urlsplit(chain.amqp_uri()).path[1:]) or "/"
        found = requests.get(f"{management.rstrip('/')}/api/queues/{quote(vhost, safe='')}",
                             timeout=5).json()
        by_name = {q["name"]: q for q in found}
        return {name: (by_name[name]["consumers"], by_name[name]["messages_ready"],
                       by_name[name]["messages_unacknowledged"]) if name in by_name else None
                for name in names}
    figures = {}
    channel = connection.channel()
    for name in names:
        try:
            declared = channel.queue_declare(name, passive=True).method
            figures[name] = (declared.consumer_count, declared.message_count, None)
        except ChannelClosedByBroker:
            figures[name] = None
            channel = connection.channel()
    return figures


def status(args):
    base = chain.port_base(args.port_base)
    key = operator_key(args.data_dir)
    problems = []
    services = []
    try:
        connection = connect()
    except pika.exceptions.AMQPError as exc:
        # The services' health says the same; the queues cannot be seen until it is back.
        connection = None
        problems.append(f"the broker cannot be reached ({exc.__class__.__name__}): facts wait "
                        "in the outboxes and the queues until it is back")
    try:
        for service in chain.SERVICES:
            health, state = _service_state(service, base, key)
            if health != "ok":
                problems.append(f"{service} is {health}")
            set_aside = state.get("outbox_set_aside")
            if set_aside:
                problems.append(_set_aside_problem(service, set_aside, state["oldest_set_aside"]))
            queues = [] if connection is None else _queues(connection, service, problems)
            services.append({"service": service, "health": health, **state, "queues": queues})
    finally:
        if connection is not None:
            connection.close()
    if args.json:
        print(json.dumps({"services": services, "problems": problems}, indent=2, default=str))
    else:
        _print_status(services, problems)
    return 1 if problems else 0


def _print_status(services, problems):
    header = ("service", "health", "schema", "outbox", "set aside", "last fact recorded",
              "queue of", "queue", "consumers", "ready", "unacked / retrying / held")
    rows = []
    for s in services:
        rows.append((s["service"], s["health"], _show(s.get("schema_revision")),
                     _show(s.get("outbox_backlog")), _show(s.get("outbox_set_aside")),
                     _show(s.get("last_event_recorded_at")), "", "", "", "", ""))
        for q in s["queues"]:
            parked = q["of"] == "dead letters"
            rows.append(("", "", "", "", "", "", q["of"], q["queue"],
                         "" if parked else _show(q["consumers"]), _show(q["ready"]),
                         "" if parked else
                         f"{_show(q['unacked'])} / {q['retrying']} / {q['held']}"))
    _print_table(header, rows)
    for s in services:
        for warning in s.get("warnings", []):
            print(f"WARNING: {s['service']}: {warning}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("all services healthy and consuming, nothing parked" if not problems else
          f"{len(problems)} problem(s)")


def _queues(connection, service, problems):
    """The service's dead-letter queue and the queues it consumes, with their figures."""
    subscriptions = topology.subscriptions(service)
    if not subscriptions:
        return []
    dlq = topology.dead_letter_queue(service)
    names = [name for s in subscriptions for name in (s.queue, s.retry_queue, s.held_queue)]
    figures = queue_figures(connection, names + [dlq])
    parked = figures[dlq][1] if figures[dlq] else 0
    if parked:
        problems.append(f"{parked} message(s) parked in {dlq}")
    queues = [{"of": "dead letters", "queue": dlq, "consumers": None, "ready": parked}]
    for subscription in subscriptions:
        consumers, ready, unacked = figures[subscription.queue] or ("missing",) * 3
        if consumers in (0, "missing"):
            problems.append(f"nobody consumes {subscription.queue}")
        queues.append({"of": f"from {subscription.source}", "queue": subscription.queue,
                       "consumers": consumers, "ready": ready, "unacked": unacked,
                       "retrying": (figures[subscription.retry_queue] or (0, 0, 0))[1],
                       "held": (figures[subscription.held_queue] or (0, 0, 0))[1]})
    return queues


def _set_aside_problem(service, count, oldest):
    return (f"{count} fact(s) set aside in {service}'s outbox, the oldest a "
            f"{oldest['event_type']} recorded {oldest['recorded_at']} ({oldest['last_error']}); "
            f"the later facts about their subjects wait behind them: mend the cause, then "
            f"`doorstroom outbox retry {service}`")


def _service_state(service, base, key):
    """The service's health ("ok", "down", or what its /health says is failing) and state."""
    url = chain.url_of(service, base)
    try:
        health = _get(f"{url}/health", None)
        state = _get(f"{url}/status", key)
    except requests.RequestException:
        return "down", {}
    report = health.json() if health.content else {}
    failing = sorted(name for name in ("database", "broker")
                     if str(report.get(name, "ok")) != "ok")
    verdict = report.get("status", "unhealthy")
    if failing:
        verdict = f"{verdict} ({' and '.join(failing)} unreachable)"
    return verdict, {**(state.json() if state.ok else {}), "warnings": report.get("warnings", [])}


def _show(value):
    return "-" if value is None else str(value)


def _print_table(header, rows):
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, *rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


# --- tail -----------------------------------------------------------------------------------

def tail(args):
    """Print the chain's facts as they happen, until Ctrl-C (or --count / --seconds)."""
    binding_keys = [_binding_key(pattern) for pattern in (args.type or ["#"])]
    seen = 0
    deadline = time.monotonic() + args.seconds if args.seconds else None
    with connect() as connection:
        channel = connection.channel()
        queue = channel.queue_declare("", exclusive=True, auto_delete=True).method.queue
        for exchange in topology.exchanges():
            channel.exchange_declare(exchange, "topic", durable=True, passive=False)
            for key in binding_keys:
                channel.queue_bind(queue, exchange, key)
        print(f"listening on {', '.join(topology.exchanges())} for "
              f"{', '.join(args.type or ['every fact'])}", file=sys.stderr, flush=True)
        try:
            for method, properties, body in channel.consume(queue, auto_ack=True,
                                                            inactivity_timeout=0.5):
                if deadline and time.monotonic() > deadline:
                    break
                if method is None:
                    continue
                envelope = _envelope(body)
                if not _wanted(envelope, args):
                    continue
                print(json.dumps(envelope) if args.json else _line(envelope), flush=True)
                seen += 1
                if args.count and seen >= args.count:
                    break
        except KeyboardInterrupt:
            pass
    return 0


def _binding_key(pattern):
    """A type pattern as a topic binding key: `participant.*` as is, `*` alone for all."""
    return "#" if pattern in ("*", "#") else pattern


def _envelope(body):
    try:
        envelope = json.loads(body)
        return envelope if isinstance(envelope, dict) else {"type": "?", "data": envelope}
    except ValueError:
        return {"type": "unreadable", "data": body[:200].decode(errors="replace")}


def _wanted(envelope, args):
    if args.type and not any(fnmatch.fnmatchcase(envelope.get("type", ""), p.replace("#", "*"))
                             for p in args.type):
        return False
    return not args.participant or envelope.get("subject") == args.participant


def _line(envelope):
    source = str(envelope.get("source", "")).rsplit("/", 1)[-1]
    data = json.dumps(envelope.get("data"), sort_keys=True)
    return (f"{envelope.get('time', '?'):<25} {source:<14} {envelope.get('type', '?'):<36} "
            f"{envelope.get('subject') or '-':<37} {data[:160]}")


# --- dead-letter queues ---------------------------------------------------------------------

def dlq(args):
    queue = topology.dead_letter_queue(args.service)
    if not topology.subscriptions(args.service):
        print(f"{args.service} consumes no facts, so it parks none")
        return 0
    try:
        return _dlq(args, queue)
    except ChannelClosedByBroker as exc:
        print(f"{queue}: {exc.reply_text} (has {args.service} ever run on this broker?)",
              file=sys.stderr)
        return 2


def _dlq(args, queue):
    with connect() as connection:
        channel = connection.channel()
        if args.action == "purge":
            if not args.yes:
                print(f"purging deletes every message in {queue} for good: add --yes",
                      file=sys.stderr)
                return 2
            purged = channel.queue_purge(queue).method.message_count
            print(json.dumps({"queue": queue, "purged": purged}) if args.json else
                  f"purged {purged} message(s) from {queue}")
            return 0
        messages = _peek(channel, queue)
        if args.action == "list":
            parked = [_parked(number, properties)
                      for number, (_, properties, _) in enumerate(messages, 1)]
            if args.json:
                print(json.dumps(parked, indent=2, default=str))
                return 0
            for m in parked:
                print(f"{m['number']:>3}  {m['parked_at'] or '?'}  {m['queue'] or '?'}  "
                      f"{m['routing_key'] or '?'}  attempts {_show(m['attempts'])}  "
                      f"{m['error'] or ''}")
            print(f"{len(messages)} message(s) parked in {queue}")
        elif args.action == "show":
            if not 1 <= args.number <= len(messages):
                print(f"{queue} has no message {args.number}", file=sys.stderr)
                return 2
            _, properties, body = messages[args.number - 1]
            print(json.dumps({"headers": properties.headers, "message_id": properties.message_id,
                              "content_type": properties.content_type,
                              "body": body.decode(errors="replace")}, indent=2, default=str))
        elif args.action == "replay":
            replayed = _replay(connection, channel, messages, args.service,
                               skip_gaps=args.skip_gaps)
            print(json.dumps({"queue": queue, "replayed": replayed}) if args.json else
                  f"replayed {replayed} message(s) from {queue} to the queues that failed "
                  "to handle them")
    return 0


def _parked(number, properties):
    """What `dlq list` says of a parked message."""
    headers = properties.headers or {}
    return {"number": number, "message_id": properties.message_id,
            "parked_at": headers.get(PARKED_AT_HEADER), "queue": headers.get(QUEUE_HEADER),
            "routing_key": headers.get(ORIGINAL_ROUTING_KEY_HEADER),
            "attempts": headers.get(ATTEMPT_HEADER), "error": headers.get(ERROR_HEADER)}


def _peek(channel, queue):
    """Every message in `queue`, unacknowledged: they return to the queue when the channel
    closes, unless acked."""
    messages = []
    while True:
        method, properties, body = channel.basic_get(queue, auto_ack=False)
        if method is None:
            return messages
        messages.append((method, properties, body))


def _replay(connection, channel, messages, service, skip_gaps=False):
    """Publish each parked message again (with confirms) to the one queue that failed to handle
    it, through the service's own requeue exchange, with fresh attempts; then take it off the
    dead-letter queue. Nobody else hears it again. One whose queue is unknown stays parked.
    With `skip_gaps`, an ordered fact is applied even if earlier facts about its subject never
    came (after a purge, say)."""
    publisher = connection.channel()
    publisher.confirm_delivery()
    replayed = 0
    for method, properties, body in messages:
        queue = _failed_queue(properties.headers or {})
        if queue is None:
            print(f"kept message {properties.message_id}: which queue failed it is unknown",
                  file=sys.stderr)
            continue
        headers = {k: v for k, v in (properties.headers or {}).items()
                   if k not in OUR_HEADERS or k in ORIGIN_HEADERS}
        _note_origin_of_broker_dead_letter(headers, properties)
        if skip_gaps:
            headers[SKIP_GAP_HEADER] = True
        publisher.basic_publish(requeue_exchange(service).name, queue, body, pika.BasicProperties(
            content_type=properties.content_type, content_encoding=properties.content_encoding,
            message_id=properties.message_id, headers=headers, delivery_mode=2))
        channel.basic_ack(method.delivery_tag)
        replayed += 1
    return replayed


def _note_origin_of_broker_dead_letter(headers, properties):
    """A message the broker dead-lettered itself carries no consumer's note of where it came
    from and who published it: the broker kept both, in x-death and user_id."""
    if ORIGINAL_EXCHANGE_HEADER in headers:
        return
    for death in headers.get("x-death") or ():
        if death.get("reason") != "expired" and death.get("exchange"):
            headers[ORIGINAL_EXCHANGE_HEADER] = death["exchange"]
            headers[ORIGINAL_ROUTING_KEY_HEADER] = (death.get("routing-keys") or [""])[0]
            headers[PUBLISHED_BY_HEADER] = properties.user_id or ""
            return


def _failed_queue(headers):
    """The queue whose consumer parked the message (our consumer says so), or, for one the
    broker dead-lettered itself (a reject, a delivery limit), the queue it last died in."""
    if headers.get(QUEUE_HEADER):
        return headers[QUEUE_HEADER]
    for death in headers.get("x-death") or ():
        if death.get("reason") != "expired" and death.get("queue"):
            return death["queue"]
    return None


def _required_operator_key(args):
    """The operator's key, or None after saying that there is none."""
    key = operator_key(args.data_dir)
    if key is None:
        print("no operator key: set DOORSTROOM_OPERATOR_KEY or run beside `doorstroom up`",
              file=sys.stderr)
    return key


# --- outbox ---------------------------------------------------------------------------------

def outbox(args):
    """`outbox retry SERVICE`: once the cause is mended, the service publishes the facts its
    outbox set aside (or is still trying) with fresh attempts; the facts that waited behind
    them follow, in order."""
    key = _required_operator_key(args)
    if key is None:
        return 2
    url = chain.url_of(args.service, chain.port_base(args.port_base))
    response = send(requests, "POST", f"{url}/outbox/retry",
                    headers={"Authorization": f"Bearer {key}"}, patience=15, timeout=5)
    if not response.ok:
        print(f"{args.service} answered {response.status_code}: {_error_of(response)}",
              file=sys.stderr)
        return 1
    retried = response.json()["retried"]
    print(json.dumps({"service": args.service, "retried": retried}) if args.json else
          f"{args.service} publishes {retried} fact(s) again; `doorstroom status` shows whether "
          "they went out")
    return 0


# --- run-check ------------------------------------------------------------------------------

# A check may take a while (notifications' sending calls webhooks); longer than this is stuck.
CHECK_TIMEOUT_SECONDS = 60


def run_check(args):
    """`run-check SERVICE CHECK`: the service runs one of its scheduled checks now, as its timer
    would (POST /checks/{name})."""
    key = _required_operator_key(args)
    if key is None:
        return 2
    url = f"{chain.url_of(args.service, chain.port_base(args.port_base))}/checks/{args.check}"
    # Without an Idempotency-Key: a check is safe to run twice, and a keyed request would hold
    # the check's transaction open until its answer, past the check's lease.
    response = requests.post(url, headers={"Authorization": f"Bearer {key}"},
                             timeout=CHECK_TIMEOUT_SECONDS)
    if not response.ok:
        print(f"{args.service} answered {response.status_code}: {_error_of(response)}",
              file=sys.stderr)
        return 1
    print(json.dumps(response.json()) if args.json else
          f"{args.service} ran its {args.check} check")
    return 0


def _error_of(response):
    """What a service's error answer says, on one line."""
    try:
        return response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return " ".join(response.text.split())[:300]


# --- trace ----------------------------------------------------------------------------------

TRACE_PATIENCE_SECONDS = 15

def _erasure(participant, key, base):
    """A line per withdrawn consent: who confirmed erasing the participant's data for it, and
    whom the PI still waits for."""
    response = _get(f"{chain.url_of('intake', base)}/participants/{participant}/erasure", key,
                    patience=TRACE_PATIENCE_SECONDS)
    if response.status_code == 404:
        return []
    response.raise_for_status()
    return [f"erasure for {e['purpose']} (withdrawn {e['withdrawn_at']}): confirmed by "
            f"{', '.join(c['service'] for c in e['confirmed']) or 'nobody yet'}"
            + (f"; awaiting {', '.join(e['awaited'])}" if e["awaited"] else "")
            for e in response.json()]


def trace(args):
    """One participant's journey across the chain, from each service's record of its facts."""
    base = chain.port_base(args.port_base)
    key = _required_operator_key(args)
    if key is None:
        return 2
    facts, unreachable = [], []
    for service in chain.SERVICES:
        try:
            response = _get(f"{chain.url_of(service, base)}/events?subject={args.participant}",
                            key, patience=TRACE_PATIENCE_SECONDS)
            response.raise_for_status()
            facts.extend(response.json())
        except requests.RequestException as exc:
            unreachable.append(f"{service} ({exc.__class__.__name__})")
    facts.sort(key=lambda envelope: (envelope["time"], envelope["id"]))
    if args.json:
        print(json.dumps(facts, indent=2))
    else:
        for envelope in facts:
            print(_line(envelope))
        print(f"{len(facts)} fact(s) about {args.participant}")
        try:
            for line in _erasure(args.participant, key, base):
                print(line)
        except requests.RequestException as exc:
            unreachable.append(f"intake's erasure receipts ({exc.__class__.__name__})")
    for service in unreachable:
        print(f"could not ask {service}", file=sys.stderr)
    return 1 if unreachable else 0
