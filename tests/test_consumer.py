"""The retrying, parking consumer against the real broker, in a fresh vhost."""
import json
import time
import uuid

import pika
import pytest
from nameko.containers import ServiceContainer

from shared.consumer import ATTEMPT_HEADER, ERROR_HEADER, subscribe
from shared.events import new_event
from shared.metrics import metrics_for

CALLS = []


class FlakyService:
    name = "flaky"

    @subscribe("intake", "participant.registered")
    def follow_registrations(self, fact):
        CALLS.append(fact.id)
        if fact.data["municipality"] == "Nowhere" or CALLS.count(fact.id) < 3:
            raise RuntimeError("the database is away")


@pytest.fixture
def flaky(amqp_uri):
    CALLS.clear()
    container = ServiceContainer(FlakyService, {
        "AMQP_URI": amqp_uri, "EVENT_RETRY_DELAY_MS": 50, "EVENT_MAX_ATTEMPTS": 4})
    container.start()
    yield pika.BlockingConnection(pika.URLParameters(amqp_uri)).channel()
    container.stop()


def publish(channel, body, routing_key="participant.registered", content_type="application/json"):
    channel.basic_publish("intake.events", routing_key, body,
                          pika.BasicProperties(content_type=content_type, delivery_mode=2))


def registered(municipality):
    return json.dumps(new_event("intake", "participant.registered", {
        "participant_id": str(uuid.uuid4()), "target_group": "detainee-last-phase",
        "institution": "PI Dordtse Poorten", "expected_release_date": "2027-01-15",
        "municipality": municipality}).to_json())


def parked(channel, expected, timeout=10):
    deadline, messages = time.monotonic() + timeout, []
    while len(messages) < expected and time.monotonic() < deadline:
        method, properties, body = channel.basic_get("flaky.dlq", auto_ack=True)
        if method is None:
            time.sleep(0.05)
        else:
            messages.append((properties.headers, body))
    return messages


def test_a_failing_handler_is_retried_with_backoff_until_it_succeeds(flaky):
    publish(flaky, registered("Dordrecht"))
    deadline = time.monotonic() + 10
    while len(CALLS) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert len(CALLS) == 3
    assert parked(flaky, 1, timeout=0.5) == []


def test_a_handler_that_keeps_failing_is_parked_with_its_error(flaky):
    body = registered("Nowhere")
    publish(flaky, body)
    [(headers, parked_body)] = parked(flaky, 1)
    assert parked_body == body.encode()
    assert headers[ATTEMPT_HEADER] == 4
    assert "the database is away" in headers[ERROR_HEADER]
    metrics = metrics_for("flaky")
    assert metrics.parked.labels("flaky.follow_registrations")._value.get() >= 1
    assert metrics.failed.labels("flaky.follow_registrations", "participant.registered")._value.get() >= 4
    assert headers["x-doorstroom-original-routing-key"] == "participant.registered"
    assert len(CALLS) == 4


@pytest.mark.parametrize("body, content_type", [
    (b"\x00 not json", "application/json"),
    (b"plain words", "text/plain"),
    (json.dumps({"specversion": "1.0"}), "application/json"),
    (registered("Dordrecht").replace("2027-01-15", "someday"), "application/json"),
])
def test_unreadable_messages_are_parked_at_once(flaky, body, content_type):
    publish(flaky, body, content_type=content_type)
    [(headers, _)] = parked(flaky, 1)
    assert headers[ERROR_HEADER]
    assert CALLS == []
