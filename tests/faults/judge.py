"""After the faults: were facts lost, doubled or parked? Judged on facts (type and subject, as
the services' own databases hold them), not on message ids, so a write the client repeated is
caught as well as a message the broker delivered twice."""
import json
import time
from collections import Counter, defaultdict

import requests

from doorstroom import chain as topology_chain
from doorstroom import topology
from shared.events import source_for
from tests.broker import rabbitmqctl
from tests.faults.running import operator_get


def _subject(fact):
    return fact["subject"]


def _data(*names):
    return lambda fact: tuple(fact["data"].get(name) for name in names)


def _subject_and(*names):
    return lambda fact: (fact["subject"], *(fact["data"].get(name) for name in names))


# Facts the chain records once and only once for what they are about (docs and handlers: a
# participant is registered, admitted or rejected, released once; a module is entered once and
# a certificate awarded once; a candidate is proposed once per vacancy and matched, planned
# and started once in these scenarios).
ONCE_ONLY = {
    "participant.registered": _subject,
    "participant.admitted": _subject,
    "participant.rejected": _subject,
    "participant.released": _subject,
    "training.enrolled": _subject_and("module"),
    "training.waitlisted": _subject_and("module"),
    "training.certificate_awarded": _subject_and("certificate"),
    "training.programme_completed": _subject,
    "training.dropped_out": _subject,
    "vacancy.published": _subject,
    "match.proposed": _data("participant_id", "vacancy_id"),
    "match.accepted": _subject,
    "placement.planned": _subject,
    "placement.started": _subject,
}
CONSUMERS = [s for service in topology_chain.SERVICES for s in topology.subscriptions(service)]


def queue_messages(amqp_uri):
    """{queue: messages ready + unacknowledged} of the test's vhost."""
    listed = rabbitmqctl(amqp_uri, "list_queues", "name", "messages", "--formatter", "json")
    return {q["name"]: int(q["messages"]) for q in json.loads(listed or "[]")}


def outbox(running, service):
    return [(seq, envelope if isinstance(envelope, dict) else json.loads(envelope), published)
            for seq, envelope, published in running.rows(
                service, "SELECT seq, envelope, published_at FROM outbox ORDER BY seq")]


def settle(running, timeout=120, quiet=3.0):
    """Wait until every outbox is published and every consumer's queue (with its held and
    retry queues) is empty, and still is `quiet` seconds later. Returns whether it settled."""
    deadline = time.monotonic() + timeout

    def settled():
        try:
            if any(running.unpublished(service) for service in topology_chain.SERVICES):
                return False
            return not any(count for name, count in queue_messages(running.amqp_uri).items()
                           if not name.endswith(".dlq"))
        except Exception:  # a database or broker still away is not settled
            return False

    while time.monotonic() < deadline:
        if settled():
            time.sleep(quiet)
            if settled():
                return True
        time.sleep(0.5)
    return False


class Verdict:
    def __init__(self):
        self.lost, self.duplicated, self.parked, self.backlog, self.unhealthy = [], [], [], [], []
        self.checked = Counter()

    def problems(self):
        return [f"{len(items)} {what}:\n  " + "\n  ".join(items)
                for what, items in (("lost", self.lost), ("duplicated", self.duplicated),
                                    ("parked", self.parked), ("left in an outbox", self.backlog),
                                    ("unhealthy", self.unhealthy)) if items]

    def figures(self, faults):
        lines = ["", "=== fault injection: " + ", ".join(f"{name} {count}"
                                                      for name, count in faults.items()),
                 f"facts checked {sum(self.checked.values())} ("
                 + ", ".join(f"{name} {count}" for name, count in self.checked.items()) + ")",
                 f"lost {len(self.lost)}, duplicated {len(self.duplicated)}, parked "
                 f"{len(self.parked)}, outbox backlog {len(self.backlog)}, unhealthy "
                 f"{len(self.unhealthy)}"]
        return "\n".join(lines)


def judge(running, answered=(), settle_timeout=120):
    """`answered`: participants whose admission intake answered with 200 (the test's own
    case manager's): each must have been recorded."""
    verdict = Verdict()
    if not settle(running, timeout=settle_timeout):
        verdict.unhealthy.append(f"the chain did not settle within {settle_timeout}s: "
                                 f"queues {_busy(running)}")
    facts = {service: outbox(running, service) for service in topology_chain.SERVICES}
    _once_only(verdict, facts)
    _answered_admissions_recorded(verdict, facts, answered)
    _every_fact_handled(verdict, running, facts)
    _admissions_reach_everyone(verdict, running, facts)
    _pi_inbox(verdict, running, facts)
    _accepted_matches_planned(verdict, running, facts)
    _nothing_parked_or_waiting(verdict, running, facts)
    _healthy(verdict, running)
    return verdict


def _busy(running):
    try:
        return {n: c for n, c in queue_messages(running.amqp_uri).items() if c}
    except Exception as exc:  # say why the broker could not be asked
        return repr(exc)


def _once_only(verdict, facts):
    for service, rows in facts.items():
        groups = defaultdict(list)
        for _, fact, _ in rows:
            key = ONCE_ONLY.get(fact["type"])
            if key:
                groups[(fact["type"], key(fact))].append(fact)
        for (event_type, key), same in sorted(groups.items(), key=str):
            verdict.checked["once-only facts"] += 1
            if len(same) > 1:
                verdict.duplicated.append(
                    f"{service} recorded {event_type} about {key} {len(same)} times "
                    f"(event ids {', '.join(f['id'] for f in same)}; times "
                    f"{', '.join(f['time'] for f in same)})")


def _every_fact_handled(verdict, running, facts):
    """Each consumer's inbox holds every fact it subscribes to from every producer."""
    inboxes = {}
    for subscription in CONSUMERS:
        service = subscription.service
        if service not in inboxes:
            inboxes[service] = set(running.rows(service, "SELECT source, event_id FROM inbox"))
        source = source_for(subscription.source)
        for _, fact, _ in facts[subscription.source]:
            if fact["type"] not in subscription.event_types:
                continue
            verdict.checked["facts handled by their consumers"] += 1
            if (source, fact["id"]) not in inboxes[service]:
                verdict.lost.append(f"{service} ({subscription.queue}) never handled "
                                    f"{subscription.source}'s {fact['type']} about "
                                    f"{fact['subject']} (event {fact['id']}, {fact['time']})")


def _admitted(facts):
    return sorted({f["subject"] for _, f, _ in facts["intake"]
                   if f["type"] == "participant.admitted"})


def _answered_admissions_recorded(verdict, facts, answered):
    recorded = set(_admitted(facts))
    for participant in answered:
        verdict.checked["answered admissions recorded"] += 1
        if participant not in recorded:
            verdict.lost.append(f"intake answered the admission of {participant} but holds no "
                                "participant.admitted about them")


def _admissions_reach_everyone(verdict, running, facts):
    admitted = _admitted(facts)
    programmes = Counter(p for (p,) in running.rows("training",
                                                    "SELECT participant_id FROM programmes"))
    candidates = {p for (p,) in running.rows("matching", "SELECT participant_id FROM candidates")}
    followed = {p for (p,) in running.rows("placement",
                                           "SELECT participant_id FROM participants")}
    for participant in admitted:
        verdict.checked["admissions reaching training, matching, placement"] += 1
        if programmes[participant] == 0:
            verdict.lost.append(f"admitted participant {participant} has no programme in "
                                "training")
        elif programmes[participant] > 1:
            verdict.duplicated.append(f"admitted participant {participant} has "
                                      f"{programmes[participant]} programmes in training")
        if participant not in candidates:
            verdict.lost.append(f"admitted participant {participant} is no candidate in "
                                "matching")
        if participant not in followed:
            verdict.lost.append(f"admitted participant {participant} is unknown to placement")
    strangers = set(programmes) - set(admitted)
    if strangers:
        verdict.duplicated.append(f"training has programmes for participants intake never "
                                  f"admitted: {sorted(strangers)}")


def _pi_inbox(verdict, running, facts):
    """The PI hears of each admission and each started job in its inbox exactly once."""
    heard = Counter(running.rows(
        "notifications",
        "SELECT d.event_type, d.envelope->>'subject' FROM deliveries d "
        "JOIN recipients r ON r.id = d.recipient_id WHERE r.name = 'pi' AND d.channel = 'inbox'"))
    expected = [("participant.admitted", s) for s in _admitted(facts)] + [
        ("placement.started", f["subject"]) for _, f, _ in facts["placement"]
        if f["type"] == "placement.started"]
    for event_type, subject in sorted(set(expected)):
        verdict.checked["facts in the PI's inbox"] += 1
        count = heard[(event_type, subject)]
        if count == 0:
            verdict.lost.append(f"the PI's inbox never got {event_type} about {subject}")
        elif count > 1:
            verdict.duplicated.append(f"the PI's inbox got {event_type} about {subject} "
                                      f"{count} times")
    # Any recipient, any channel: a once-only fact is delivered once.
    every = Counter(running.rows(
        "notifications",
        "SELECT r.name, d.channel, d.event_type, d.envelope->>'subject' FROM deliveries d "
        "JOIN recipients r ON r.id = d.recipient_id"))
    for (recipient, channel, event_type, subject), count in sorted(every.items(), key=str):
        if event_type in ONCE_ONLY and ONCE_ONLY[event_type] is _subject and count > 1:
            verdict.duplicated.append(f"{recipient} got {event_type} about {subject} by "
                                      f"{channel} {count} times")


def _accepted_matches_planned(verdict, running, facts):
    planned = Counter(m for (m,) in running.rows("placement", "SELECT match_id FROM placements"))
    for _, fact, _ in facts["matching"]:
        if fact["type"] != "match.accepted":
            continue
        verdict.checked["accepted matches planned"] += 1
        match_id = fact["data"]["match_id"]
        if planned[match_id] == 0:
            verdict.lost.append(f"accepted match {match_id} about {fact['subject']} has no "
                                "placement")
        elif planned[match_id] > 1:
            verdict.duplicated.append(f"accepted match {match_id} has {planned[match_id]} "
                                      "placements")


def _nothing_parked_or_waiting(verdict, running, facts):
    try:
        messages = queue_messages(running.amqp_uri)
    except Exception as exc:  # the broker cannot say: that is a finding too
        verdict.unhealthy.append(f"cannot list the vhost's queues: {exc!r}")
        return
    for service in topology_chain.SERVICES:
        parked = messages.get(f"{service}.dlq", 0)
        if parked:
            verdict.parked.append(f"{service}.dlq holds {parked} message(s): "
                                  f"{_parked_messages(running, service)}")
        unpublished = [fact for _, fact, published in facts[service] if published is None]
        if unpublished:
            verdict.backlog.append(
                f"{service}'s outbox still holds {len(unpublished)} unpublished fact(s): "
                + ", ".join(f"{f['type']} about {f['subject']}" for f in unpublished[:10]))
    waiting = {name: count for name, count in messages.items()
               if count and not name.endswith(".dlq")}
    if waiting:
        verdict.unhealthy.append(f"queues still hold messages: {waiting}")


def _parked_messages(running, service):
    """Type, subject and error of what is parked, read without taking it off the queue."""
    import pika
    found = []
    connection = pika.BlockingConnection(pika.URLParameters(running.amqp_uri))
    try:
        channel = connection.channel()
        for _ in range(20):
            method, properties, body = channel.basic_get(f"{service}.dlq", auto_ack=False)
            if method is None:
                break
            try:
                envelope = json.loads(body)
                what = f"{envelope.get('type')} about {envelope.get('subject')}"
            except ValueError:
                what = repr(body[:80])
            found.append(f"{what} ({(properties.headers or {}).get('x-doorstroom-error')})")
    finally:
        connection.close()  # unacknowledged: back on the queue
    return "; ".join(found)


def _healthy(verdict, running):
    for service, instance in running.instances.items():
        if instance.process.poll() is not None:
            verdict.unhealthy.append(f"{service} exited with code {instance.process.returncode}")
            continue
        try:
            health = requests.get(f"{instance.url}/health", timeout=10)
            if health.status_code != 200:
                verdict.unhealthy.append(f"{service} GET /health answered {health.status_code}: "
                                         f"{health.text[:300]}")
            status = operator_get(running, service, "/status")
            if status.status_code != 200:
                verdict.unhealthy.append(f"{service} GET /status answered {status.status_code}: "
                                         f"{status.text[:300]}")
            elif status.json().get("outbox_backlog"):
                verdict.unhealthy.append(f"{service} GET /status says outbox backlog "
                                         f"{status.json()['outbox_backlog']}")
        except requests.RequestException as exc:
            verdict.unhealthy.append(f"{service} does not answer: {exc!r}")


def log_findings(running):
    """Per service, what its log says it went through (evidence for a failure's cause)."""
    signs = {"broker reconnects": "Connection to broker lost",
             "relay failures": "outbox relay: publishing",
             "database errors": "OperationalError: (psycopg2.OperationalError)",
             "handler retries": "retrying in",
             "parked": "parking message",
             "answers 500": "unexpected error in"}
    lines = []
    for service, instance in running.instances.items():
        text = instance.log.read_text(errors="replace")
        failed = text.count("error handling worker") - text.count("(expected) error handling")
        lines.append(f"  {service}: " + ", ".join(
            f"{name} {text.count(sign)}" for name, sign in signs.items())
            + f", workers failed {failed}")
    return "\n".join(lines)
