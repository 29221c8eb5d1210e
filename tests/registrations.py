"""Intake's `participant.registered`, raw on the broker, and a service that fails on it: for tests
of the consumer itself."""
import json
import time
import uuid

import pika

from shared.consumer import subscribe
from shared.events import new_event


def registered(municipality):
    return json.dumps(new_event("intake", "participant.registered", {
        "participant_id": str(uuid.uuid4()), "target_group": "detainee-last-phase",
        "institution": "PI Dordtse Poorten", "expected_release_date": "2027-01-15",
        "municipality": municipality}).to_json())


def publish(channel, body, routing_key="participant.registered", content_type="application/json"):
    channel.basic_publish("intake.events", routing_key, body,
                          pika.BasicProperties(content_type=content_type, delivery_mode=2))


def parked(channel, dead_letters, expected, timeout=10):
    """Up to `expected` messages taken off `dead_letters`: (headers, body) each."""
    deadline, messages = time.monotonic() + timeout, []
    while len(messages) < expected and time.monotonic() < deadline:
        method, properties, body = channel.basic_get(dead_letters, auto_ack=True)
        if method is None:
            time.sleep(0.05)
        else:
            messages.append((properties.headers, body))
    return messages


CALLS = []


class FlakyService:
    """Fails on each fact twice, and always on one about Schiermonnikoog (0088), where no other
    test sends anyone."""
    name = "flaky"

    @subscribe("intake", "participant.registered")
    def follow_registrations(self, fact):
        CALLS.append(fact.id)
        if fact.data["municipality"] == "0088" or CALLS.count(fact.id) < 3:
            raise RuntimeError("the database is away")
