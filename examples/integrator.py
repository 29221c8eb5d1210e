"""An integrator that follows the doorstroom chain: copy this file and fill in `handle`.

It uses nothing of doorstroom but the published contract (CloudEvents 1.0, structured mode:
`content-type: application/cloudevents+json`, routing key = event type), pika, and the
CloudEvents SDK (`pip install pika cloudevents`), whose RabbitMQ binding reads each message:

- its own durable queue, so no fact is lost while it is down, bound to its own exchange
  `integrator.<name>`: there notifications forwards it the facts it is entitled to, about a
  participant only while their legal basis holds, unchanged (the producer's id, source and
  data; the header `x-doorstroom-forwarded-from` names the producer's exchange). Its broker
  account may read no other exchange;
- everything there, or only the event types asked for; a `participant.consent_withdrawn` says
  that the basis for its purpose is gone: erase what you hold about that participant for it;
- manual acks, only after a fact is handled and recorded, with a prefetch window;
- deduplication on the CloudEvents `source` + `id`, in its own SQLite file, because the chain
  delivers at least once (a replayed or redelivered fact is skipped;
  tests/test_examples.py::test_the_integrator_handles_a_fact_once_reads_plain_json_and_skips_the_unreadable);
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
from cloudevents.core.bindings.rabbitmq import (RabbitMQMessage, from_rabbitmq_event,
                                                from_structured_event)
from cloudevents.core.exceptions import BaseCloudEventException
from pika.exceptions import AMQPConnectionError


def handle(event):
    """What your system does with a fact (a CloudEvent). Here: print it."""
    when = event.get_time()  # optional in CloudEvents; every fact of the chain has one
    print(f"{when.isoformat() if when else '-'}  {event.get_type():<36} "
          f"{event.get_subject() or '-'}  {json.dumps(event.get_data(), sort_keys=True)}",
          flush=True)


def read(properties, body):
    """The CloudEvent in a message, as the SDK's RabbitMQ binding reads it. Facts published
    before the chain marked them `application/cloudevents+json` say `application/json`, with
    the whole envelope in the body all the same: those are read in structured mode too."""
    message = RabbitMQMessage(headers=properties.headers or {},
                              content_type=properties.content_type, body=body)
    if properties.content_type == "application/json":
        return from_structured_event(message)
    return from_rabbitmq_event(message)


class Seen:
    """Facts already handled, by source and id: survives restarts."""

    def __init__(self, path):
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS seen (source TEXT, id TEXT, "
                        "PRIMARY KEY (source, id))")

    def first_time(self, event):
        try:
            with self.db:
                self.db.execute("INSERT INTO seen VALUES (?, ?)",
                                (event.get_source(), event.get_id()))
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
    for method, properties, body in channel.consume(queue):
        try:
            event = read(properties, body)
        except (ValueError, AttributeError, BaseCloudEventException) as exc:
            # Not a fact at all (the SDK raises AttributeError for JSON that is not an
            # object): acknowledge, or it comes back forever; log it for a human.
            print(f"skipped an unreadable message ({exc}): {body[:100]!r}", file=sys.stderr)
            channel.basic_ack(method.delivery_tag)
            continue
        if seen.first_time(event):
            handle(event)
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
