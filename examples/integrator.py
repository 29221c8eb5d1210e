"""An integrator that follows the doorstroom chain: copy this file and fill in `handle`.

It uses nothing of doorstroom but the published contract (CloudEvents 1.0 JSON on the topic
exchanges `<service>.events`, routing key = event type) and pika:

- its own durable queue, so no fact is lost while it is down;
- bindings for the event types it is entitled to (its broker account allows no others);
- manual acks, only after a fact is handled and recorded, with a prefetch window;
- deduplication on the CloudEvents `source` + `id`, in its own SQLite file, because the chain
  delivers at least once (a replayed or redelivered fact is skipped);
- reconnection with backoff when the broker goes away.

    AMQP_URI=amqp://user:password@broker:5672/ python examples/integrator.py \\
        --queue municipality-dordrecht.facts \\
        --type participant.released --type placement.started
"""
import argparse
import json
import os
import sqlite3
import sys
import time

import pika
from pika.exceptions import AMQPConnectionError

# Which service publishes which event types (the prefix of the type).
EXCHANGES = {"participant": "intake.events", "training": "training.events",
             "employer": "matching.events", "vacancy": "matching.events",
             "match": "matching.events", "placement": "placement.events",
             "notification": "notifications.events"}


def handle(fact):
    """What your system does with a fact. Here: print it."""
    print(f"{fact['time']}  {fact['type']:<36} {fact.get('subject') or '-'}  "
          f"{json.dumps(fact['data'], sort_keys=True)}", flush=True)


class Seen:
    """Facts already handled, by source and id: survives restarts."""

    def __init__(self, path):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS seen (source TEXT, id TEXT, "
                        "PRIMARY KEY (source, id))")

    def first_time(self, fact):
        try:
            with self.db:
                self.db.execute("INSERT INTO seen VALUES (?, ?)", (fact["source"], fact["id"]))
            return True
        except sqlite3.IntegrityError:
            return False


def follow(uri, queue, event_types, seen, count=None):
    handled = 0
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    channel.queue_declare(queue, durable=True)
    for event_type in event_types:
        exchange = EXCHANGES[event_type.split(".")[0]]
        channel.queue_bind(queue, exchange, event_type)
    channel.basic_qos(prefetch_count=20)
    print(f"following {', '.join(event_types)} in queue {queue}", file=sys.stderr, flush=True)
    for method, _properties, body in channel.consume(queue):
        try:
            fact = json.loads(body)
        except ValueError:
            # Not a fact at all: acknowledge, or it comes back forever; log it for a human.
            print(f"skipped an unreadable message: {body[:100]!r}", file=sys.stderr)
            channel.basic_ack(method.delivery_tag)
            continue
        if seen.first_time(fact):
            handle(fact)
            handled += 1
        channel.basic_ack(method.delivery_tag)
        if count and handled >= count:
            break
    connection.close()
    return handled


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queue", required=True, help="your own durable queue")
    parser.add_argument("--type", action="append", required=True, dest="types",
                        help="an event type to follow, e.g. placement.started (repeatable)")
    parser.add_argument("--db", default="integrator-seen.db",
                        help="where handled facts are remembered")
    parser.add_argument("--count", type=int, help="stop after handling N new facts")
    args = parser.parse_args()
    uri = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
    seen, delay = Seen(args.db), 1
    while True:
        try:
            follow(uri, args.queue, args.types, seen, args.count)
            return 0
        except AMQPConnectionError as exc:
            print(f"broker unreachable ({exc!r}); retrying in {delay}s", file=sys.stderr)
            time.sleep(delay)
            delay = min(delay * 2, 60)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
