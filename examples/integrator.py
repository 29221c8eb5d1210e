"""An integrator that follows the doorstroom chain: copy this file and fill in `handle`.

It uses nothing of doorstroom but the published contract (CloudEvents 1.0 JSON, routing key =
event type) and pika:

- its own durable queue, so no fact is lost while it is down, bound to its own exchange
  `integrator.<name>`: there notifications forwards it the facts it is entitled to, about a
  participant only while their legal basis holds, unchanged (the producer's id, source and
  data; the header `x-doorstroom-forwarded-from` names the producer's exchange). Its broker
  account may read no other exchange;
- everything there, or only the event types asked for; a `participant.consent_withdrawn` says
  that the basis for its purpose is gone: erase what you hold about that participant for it;
- manual acks, only after a fact is handled and recorded, with a prefetch window;
- deduplication on the CloudEvents `source` + `id`, in its own SQLite file, because the chain
  delivers at least once (a replayed or redelivered fact is skipped);
- reconnection with backoff when the broker goes away.

    AMQP_URI=amqp://integrator-municipality:password@broker:5672/ \\
        python examples/integrator.py --integrator municipality
"""
import argparse
import json
import os
import sqlite3
import sys
import time

import pika
from pika.exceptions import AMQPConnectionError

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


def follow(uri, integrator, queue, event_types, seen, count=None):
    handled = 0
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    channel.queue_declare(queue, durable=True)
    for event_type in event_types:
        channel.queue_bind(queue, f"integrator.{integrator}", event_type)
    channel.basic_qos(prefetch_count=20)
    print(f"following {', '.join(event_types)} for {integrator} in queue {queue}",
          file=sys.stderr, flush=True)
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
    parser.add_argument("--integrator", required=True,
                        help="your name in the chain, e.g. municipality")
    parser.add_argument("--queue", help="your own durable queue "
                                        "(default: integrator-<name>.facts)")
    parser.add_argument("--type", action="append", dest="types",
                        help="an event type to follow, e.g. placement.started (repeatable; "
                             "default: every fact forwarded to you)")
    parser.add_argument("--db", default="integrator-seen.db",
                        help="where handled facts are remembered")
    parser.add_argument("--count", type=int, help="stop after handling N new facts")
    args = parser.parse_args()
    uri = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
    seen, delay = Seen(args.db), 1
    while True:
        try:
            follow(uri, args.integrator, args.queue or f"integrator-{args.integrator}.facts",
                   args.types or ["#"], seen, args.count)
            return 0
        except AMQPConnectionError as exc:
            print(f"broker unreachable ({exc!r}); retrying in {delay}s", file=sys.stderr)
            time.sleep(delay)
            delay = min(delay * 2, 60)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
