"""What logging every read of personal data costs intake: the head-row lock that makes the audit
log one chain lets one append commit at a time, however many workers and instances read.

For one instance and then two (production's `max_workers`, 4, each) of intake on a fresh
PostgreSQL database and vhost: `--participants` are registered, then `--clients` threads ask
for `--seconds` each, spread over the instances,
  - audited:  GET /participants/{id} as the case manager: the read and its entry in the audit
              log, appended under the head row's lock, commit together;
  - refused:  the same asked by a trainer: nothing read, the refusal logged;
  - baseline: GET /participants/{id}/erasure as the case manager: the same participant loaded
              (with the erasure receipts), nothing logged;
taking turns in the same run (`--rounds`). Printed: reads per second and latency (p50, p95) for
each, how many of the workers waited for a lock on average (sampled in pg_stat_activity every
10 ms; appends wait for the head row's), audited reads as a share of the baseline, and what
two instances give relative to one.
Every audited read must leave its entry and the chain must check out (exit 1 otherwise); never
because of time.

    .venv/bin/python bench/audit.py                          # 16 clients, 12 s each
    .venv/bin/python bench/audit.py --clients 32 --seconds 20

Needs RabbitMQ with rabbitmqctl (AMQP_URI) and a PostgreSQL server that may create databases.
The instances' logs stay in a temporary directory the bench names.
"""
import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from services.intake.tests.test_api import registration, unique_bsn  # noqa: E402
from tests.broker import fresh_vhost  # noqa: E402
from tests.databases import POSTGRES_URL, fresh_database  # noqa: E402
from tests.instances import instances  # noqa: E402

READS = {
    "audited": ("pi-case-manager", "/participants/{id}", 200),
    "refused": ("trainer", "/participants/{id}", 403),
    "baseline": ("pi-case-manager", "/participants/{id}/erasure", 200),
}


def key(role):
    # The keys tests/harness.py api_keys_file gives each role.
    return {"Authorization": f"Bearer test-key-{role}"}


def load(urls, participants, read, clients, seconds, engine):
    """`clients` threads asking `read` for `seconds`; (answers by status, latencies in s,
    how many of the database's sessions waited for a lock, sampled every 10 ms)."""
    role, path, _ = READS[read]
    statuses, latencies, lock = {}, [], threading.Lock()
    deadline = time.perf_counter() + seconds
    waiting = []

    def sample():
        with engine.connect() as connection:
            while time.perf_counter() < deadline:
                waiting.append(connection.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'")))
                connection.commit()
                time.sleep(0.01)

    def client(number):
        rng = random.Random(number)
        session = requests.Session()
        url = urls[number % len(urls)]
        mine = []
        while time.perf_counter() < deadline:
            asked = path.format(id=rng.choice(participants))
            started = time.perf_counter()
            status = session.get(url + asked, headers=key(role), timeout=60).status_code
            mine.append((status, time.perf_counter() - started))
        with lock:
            for status, took in mine:
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append(took)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=sample))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, latencies, waiting


def run(count, args, logs):
    """{read: reads per second} with `count` instances; and what went wrong."""
    directory = logs / f"{count}-instance{'s' if count > 1 else ''}"
    rates, wrong = {}, []
    with fresh_vhost() as amqp_uri, fresh_database("postgresql", server_url=args.database_url,
                                                   prefix="doorstroom_bench_") as database_url:
        engine = create_engine(database_url)
        with instances("intake", count, amqp_uri, database_url, directory,
                       MAX_WORKERS=args.workers) as up:
            urls = [instance.url for instance in up]
            participants = [requests.post(f"{urls[0]}/participants", json=registration(
                unique_bsn()), headers=key("pi-case-manager"), timeout=30).json()["id"]
                for _ in range(args.participants)]
            answers = {read: {} for read in READS}
            latencies = {read: [] for read in READS}
            waiting = {read: [] for read in READS}
            logged = dict.fromkeys(READS, 0)
            for _ in range(args.rounds):
                for read in READS:
                    before = _entries(engine)
                    statuses, took, waited = load(urls, participants, read, args.clients,
                                                  args.seconds / args.rounds, engine)
                    waiting[read] += waited
                    for status, number in statuses.items():
                        answers[read][status] = answers[read].get(status, 0) + number
                    latencies[read] += took
                    logged[read] += _entries(engine) - before
            for read, (_, _, expected) in READS.items():
                statuses = answers[read]
                done = sum(statuses.values())
                rates[read] = done / args.seconds
                quantiles = statistics.quantiles(latencies[read], n=20)
                print(f"  {read:<9}{rates[read]:>9.1f} reads/s   p50 {quantiles[9] * 1000:6.1f} ms"
                      f"   p95 {quantiles[18] * 1000:6.1f} ms   waiting for a lock "
                      f"{statistics.mean(waiting[read]):.2f} of {args.workers * count} workers"
                      f"   answers {statuses}   audit entries +{logged[read]}")
                if set(statuses) != {expected}:
                    wrong.append(f"{read}: answers {statuses}")
                if logged[read] != (0 if read == "baseline" else done):
                    wrong.append(f"{read}: {done} reads left {logged[read]} entries")
            check = requests.get(f"{urls[-1]}/audit/verify", headers=key("pi-privacy-officer"),
                                 timeout=120).json()
        engine.dispose()
    print(f"  the chain: {'intact' if check['intact'] else 'BROKEN'}, "
          f"{check['entries']} entries")
    if not check["intact"]:
        wrong.append(f"chain broken: {check['problem']}")
    print(f"  audited reads as a share of the baseline: {rates['audited'] / rates['baseline']:.2f}"
          f" (refused: {rates['refused'] / rates['baseline']:.2f})")
    return rates, wrong


def _entries(engine):
    with engine.connect() as connection:
        return connection.scalar(text("SELECT count(*) FROM audit_entries"))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--seconds", type=float, default=12, help="per kind of read")
    parser.add_argument("--rounds", type=int, default=4, help="the kinds of read take turns, "
                        "this many times, so that a busy moment of the machine falls on all")
    parser.add_argument("--workers", type=int, default=4, help="max_workers per instance")
    parser.add_argument("--database-url", default=POSTGRES_URL,
                        help="PostgreSQL server to create the databases on")
    args = parser.parse_args()

    logs = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    print(f"instance logs: {logs}; {args.clients} clients, {args.seconds:.0f} s per kind of read"
          f" in {args.rounds} turns, {args.workers} workers per instance")
    rates, wrong = {}, []
    for count in (1, 2):
        print(f"{count} instance{'s' if count > 1 else ''} of intake:")
        rates[count], problems = run(count, args, logs)
        wrong += problems
    for read in READS:
        print(f"{read}: 2 instances give {rates[2][read] / rates[1][read]:.2f} times the reads/s "
              "of 1")
    for problem in wrong:
        print(f"WRONG: {problem}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
