"""How fast training takes a backlog of ordered facts, with one instance and with two.

For each configuration (1 instance, then 2) on a fresh vhost and a fresh PostgreSQL database:
the training instances start once so that their queues exist and stop; then a backlog of
`--pairs` participants is published as intake publishes it, for each a participant.admitted
(sequence 1) immediately followed by participant.withdrawn (sequence 2, recalled-to-custody);
then the instances start again and the clock runs, from their launch, until
training.on_intake_fact and its .held and .retry queues are empty (and stay so for 2 s) and the
outbox has nothing left to publish. No cohorts are planned, so every admission waits on the
employee-skills waiting list and every withdrawal takes it off again.

Printed per configuration: how long publishing took; how long draining took from the launch
(starting included, and facts/s also from when all instances were up); how often a withdrawal
was held back because its admission was not applied yet (doorstroom_events_held_total of each
instance); programmes by status (none may stay active); what the training.waitlisted facts say
about positions (repeats are normal here, since each withdrawal frees a place in line; a
position that no departure explains is not); waiting-list rows left; parked messages in
training.dlq; tracebacks in the instances' logs. At the end: the throughput of 2 instances
relative to 1. Exit code 1 when a figure that must hold does not (an active programme, a
waiting-list row left, an unexplained position, a parked message, a fact not handled); never
because of time.

    .venv/bin/python bench/ordering.py                  # 10,000 pairs, 4 workers per instance
    .venv/bin/python bench/ordering.py --pairs 500
    .venv/bin/python bench/ordering.py --database-url postgresql://postgres@127.0.0.1:5432/postgres

Needs RabbitMQ with rabbitmqctl (AMQP_URI) and a PostgreSQL server that may create databases.
The instances' logs stay in a temporary directory the bench names.
"""
import argparse
import contextlib
import json
import sys
import tempfile
import time
import uuid
import warnings
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import pika  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from doorstroom.provisioning import service_user  # noqa: E402
from shared.events import amqp_headers, new_event  # noqa: E402
from tests.broker import fresh_vhost, service_uri  # noqa: E402
from tests.databases import POSTGRES_URL, fresh_database  # noqa: E402
from tests.instances import instances  # noqa: E402

QUEUE = "training.on_intake_fact"
QUEUES = (QUEUE, f"{QUEUE}.held", f"{QUEUE}.retry")
DLQ = "training.dlq"
QUIET_SECONDS = 2.0


def backlog(pairs):
    """(routing key, body, properties) for each fact, in the order intake records them."""
    release = str(date.today() + timedelta(days=120))
    for _ in range(pairs):
        participant = str(uuid.uuid4())
        for sequence, event_type, data in (
                (1, "participant.admitted", dict(
                    participant_id=participant, target_group="detainee-last-phase",
                    municipality="0505", expected_release_date=release,
                    language_level="B1", preferred_sectors=["logistics"])),
                (2, "participant.withdrawn", dict(
                    participant_id=participant, reason="recalled-to-custody",
                    withdrawn_on=str(date.today())))):
            envelope = new_event("intake", event_type, data, subject=participant,
                                 sequence=sequence).to_json()
            yield event_type, json.dumps(envelope).encode(), pika.BasicProperties(
                content_type="application/json", delivery_mode=2, message_id=envelope["id"],
                headers=amqp_headers(envelope), user_id=service_user("intake"))


def publish(amqp_uri, messages):
    """Publish on intake.events as intake (its account, which training checks) with publisher
    confirms, all in flight at once and confirmed in batches as the broker acknowledges them
    (pika's asynchronous connection)."""
    unconfirmed, nacked, floor = set(range(1, len(messages) + 1)), [], [1]

    def on_channel(channel):
        channel.confirm_delivery(on_confirm, callback=lambda _: send(channel))

    def send(channel):
        for routing_key, body, properties in messages:
            channel.basic_publish("intake.events", routing_key, body, properties)

    def on_confirm(frame):
        method, tag = frame.method, frame.method.delivery_tag
        done = set(range(floor[0], tag + 1)) & unconfirmed if method.multiple else {tag}
        if method.multiple:
            floor[0] = max(floor[0], tag + 1)
        unconfirmed.difference_update(done)
        if isinstance(method, pika.spec.Basic.Nack):
            nacked.extend(done)
        if not unconfirmed:
            connection.close()

    connection = pika.SelectConnection(
        pika.URLParameters(service_uri(amqp_uri, "intake")),
        on_open_callback=lambda c: c.channel(on_open_callback=on_channel),
        on_open_error_callback=lambda c, exc: c.ioloop.stop(),
        on_close_callback=lambda c, reason: c.ioloop.stop())
    connection.ioloop.start()
    if unconfirmed or nacked:
        raise SystemExit(f"publishing failed: {len(unconfirmed)} unconfirmed, "
                         f"{len(nacked)} nacked")


def queue_depths(channel, names):
    """Ready messages per queue (a passive declaration does not count unacked ones)."""
    return {name: channel.queue_declare(name, passive=True).method.message_count
            for name in names}


def wait_for_consumers(amqp_uri, count, timeout=60):
    """Until `count` instances consume training's queue. Stopped before that, an instance that
    has just come up may hang in nameko's shutdown and be killed after 20 s."""
    deadline = time.monotonic() + timeout
    with contextlib.closing(pika.BlockingConnection(pika.URLParameters(amqp_uri))) as broker:
        while time.monotonic() < deadline:
            channel = broker.channel()
            try:
                if channel.queue_declare(QUEUE, passive=True).method.consumer_count >= count:
                    return
                channel.close()
            except pika.exceptions.ChannelClosedByBroker:
                pass  # not declared yet
            time.sleep(0.2)
    raise SystemExit(f"{QUEUE} has no {count} consumers after {timeout} s")


def metric(url, name):
    body = requests.get(f"{url}/metrics", timeout=10).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines()
               if line.startswith((name + "{", name + " ")))


def positions(connection):
    """What the training.waitlisted facts say. `repeated`: facts telling a (module, position)
    an earlier fact told already; in this backlog that is normal, since a withdrawal ahead in
    line frees the position. `unexplained`: facts whose position no departure explains. Taken
    in outbox order (under the module's lock, so the order places were handed out in), the
    j-th fact of a module must say j - left, where `left` (those ahead who left the list) never
    decreases and never exceeds the training.dropped_out facts recorded before it."""
    rows = connection.execute(text(
        "SELECT event_type, envelope->'data'->>'module', (envelope->'data'->>'position')::int "
        "FROM outbox WHERE event_type IN ('training.waitlisted', 'training.dropped_out') "
        "ORDER BY seq")).all()
    told, joined, left_before, dropped, unexplained = Counter(), Counter(), {}, 0, 0
    for event_type, module, position in rows:
        if event_type == "training.dropped_out":
            dropped += 1
            continue
        told[(module, position)] += 1
        joined[module] += 1
        left = joined[module] - position
        if not left_before.get(module, 0) <= left <= dropped:
            unexplained += 1
        left_before[module] = max(left, left_before.get(module, 0))
    return sum(told.values()), sum(n - 1 for n in told.values()), unexplained


def log_tracebacks(directory):
    """Tracebacks in the instances' logs: (all, those nameko logs for an expected exception
    such as a held-back fact, the first line before each of the others)."""
    total, expected, others = 0, 0, []
    for log in sorted(directory.glob("*.log")):
        previous = ""
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("Traceback"):
                total += 1
                if previous.startswith("(expected)"):
                    expected += 1
                else:
                    others.append(f"{log.name}: {previous}")
            previous = line
    return total, expected, others


def run(count, args, logs):
    directory = logs / f"{count}-instance{'s' if count > 1 else ''}"
    directory.mkdir()
    config = {"MAX_WORKERS": args.workers}
    with fresh_vhost() as amqp_uri, fresh_database("postgresql", server_url=args.database_url,
                                                   prefix="doorstroom_bench_") as database_url:
        engine = create_engine(database_url)
        with instances("training", count, amqp_uri, database_url, directory, **config):
            wait_for_consumers(amqp_uri, count)  # then their queues exist
        messages = list(backlog(args.pairs))
        started = time.perf_counter()
        publish(amqp_uri, messages)
        published = time.perf_counter() - started

        broker = pika.BlockingConnection(pika.URLParameters(amqp_uri))
        channel = broker.channel()
        launched = time.perf_counter()
        with instances("training", count, amqp_uri, database_url, directory, **config) as up:
            healthy = time.perf_counter() - launched
            with engine.connect() as connection:
                handled_when_up = connection.scalar(text(
                    "SELECT count(*) FROM inbox WHERE source = '/doorstroom/intake'"))
            quiet_since = None
            while True:
                depths = queue_depths(channel, QUEUES)
                with engine.connect() as connection:
                    unpublished = connection.scalar(text(
                        "SELECT count(*) FROM outbox WHERE published_at IS NULL"))
                now = time.perf_counter()
                if any(depths.values()) or unpublished:
                    quiet_since = None
                elif quiet_since is None:
                    quiet_since = now
                elif now - quiet_since >= QUIET_SECONDS:
                    break
                if now - launched > args.timeout:
                    print(f"  gave up after {args.timeout:.0f} s: queues {depths}, "
                          f"outbox backlog {unpublished}")
                    quiet_since = now
                    break
                time.sleep(0.2)
            drained = quiet_since - launched
            held = sum(metric(i.url, "doorstroom_events_held_total") for i in up)
            failed = sum(metric(i.url, "doorstroom_events_failed_total") for i in up)
            parked = queue_depths(channel, [DLQ])[DLQ]
        broker.close()
        exit_codes = [i.process.returncode for i in up]

        with engine.connect() as connection:
            # The enum is stored by name (ACTIVE): shown as its value.
            statuses = {status.lower(): n for status, n in connection.execute(text(
                "SELECT status, count(*) FROM programmes GROUP BY status ORDER BY status"))}
            handled = connection.scalar(text(
                "SELECT count(*) FROM inbox WHERE source = '/doorstroom/intake'"))
            waiting = connection.scalar(text("SELECT count(*) FROM waiting_list"))
            waitlisted, repeated, unexplained = positions(connection)
        engine.dispose()

    facts = 2 * args.pairs
    tracebacks, expected, others = log_tracebacks(directory)
    figures = {
        "pairs": args.pairs, "instances": count, "workers": args.workers,
        "seconds to publish": round(published, 2),
        "published facts/s": round(facts / published),
        "seconds to start (included)": round(healthy, 2),
        "seconds to drain": round(drained, 2),
        "facts/s": round(facts / drained, 1),
        "facts/s once all were up": round((facts - handled_when_up) / (drained - healthy), 1),
        "facts handled": handled,
        "held back": int(held),
        "failed attempts": int(failed),
        "programmes by status": statuses,
        "training.waitlisted facts": waitlisted,
        "repeated positions": repeated,
        "unexplained positions": unexplained,
        "waiting-list rows left": waiting,
        "parked in training.dlq": parked,
        "exit codes on stop": exit_codes,
        "tracebacks in the logs": f"{tracebacks} ({expected} of them nameko's for an "
                                  f"expected exception)",
    }
    for name, value in figures.items():
        print(f"  {name:<28}{value}")
    for line in others[:5]:
        print(f"    after: {line[:200]}")
    wrong = [name for name, bad in (
        ("active programmes", statuses.get("active", 0) > 0),
        ("unexplained positions", unexplained > 0),
        ("waiting-list rows left", waiting > 0),
        ("parked", parked > 0),
        ("facts handled", handled != facts)) if bad]
    if wrong:
        print(f"  WRONG: {', '.join(wrong)}")
    return facts / drained, wrong


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=4, help="max_workers per instance")
    parser.add_argument("--database-url", default=POSTGRES_URL,
                        help="PostgreSQL server to create the databases on")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="give up draining after this many seconds")
    args = parser.parse_args()

    logs = Path(tempfile.mkdtemp(prefix="bench-ordering-"))
    print(f"instance logs: {logs}")
    rates, wrong = {}, False
    for count in (1, 2):
        print(f"{count} instance{'s' if count > 1 else ''}:")
        rates[count], problems = run(count, args, logs)
        wrong = wrong or bool(problems)
    print(f"throughput of 2 instances relative to 1: {rates[2] / rates[1]:.2f}")
    sys.exit(1 if wrong else 0)


if __name__ == "__main__":
    main()
