"""A publisher says nothing about how its fact fared at a consumer: headers that our consumers
and the broker write (attempts, where a parked message came from, an operator's skip of a gap,
x-death) are dropped from a fact that arrives from an event exchange. Training on the real
broker, with intake's facts published as another organisation's software might, under intake's
account."""
import json
import time
import uuid
from datetime import date, timedelta

import pika
import pytest

from services.training.service import TrainingService
from shared.consumer import (ATTEMPT_HEADER, ORIGINAL_EXCHANGE_HEADER,
                             ORIGINAL_ROUTING_KEY_HEADER, SKIP_GAP_HEADER)
from shared.events import amqp_headers, new_event
from tests.harness import running_service

TODAY = date.today()


@pytest.fixture(scope="module")
def api(amqp_uri, directory):
    with running_service(TrainingService, amqp_uri, directory, OUTBOX_SWEEP_SECONDS=0.2,
                         TRAINING_DEMAND="forklift", EVENT_HOLD_MS=100) as api:
        yield api


def publish(producers, event_type, data, sequence, extra_headers, body=None):
    envelope = new_event("intake", event_type, data, subject=data["participant_id"],
                         sequence=sequence).to_json()
    producers.publish("intake", event_type, body or json.dumps(envelope), pika.BasicProperties(
        content_type="application/json", delivery_mode=2, message_id=envelope["id"],
        headers={**amqp_headers(envelope), **extra_headers}))


def admitted(participant_id):
    return dict(participant_id=participant_id, target_group="detainee-last-phase",
                municipality="0505", expected_release_date=str(TODAY + timedelta(days=120)),
                language_level="B1", preferred_sectors=["logistics"])


def programme(api, participant_id, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = api.call("GET", f"/participants/{participant_id}/programme", "trainer")
        if response.status_code == 200:
            return response.json()
        time.sleep(0.1)
    return None


def test_a_publisher_cannot_say_how_its_fact_fared_here(api, producers):
    """A second fact that claims an operator's skip of the gap before it still waits for the
    first: had the claim counted, the first (the admission) would be ignored as done."""
    participant = str(uuid.uuid4())
    publish(producers, "participant.release_date_changed",
            {"participant_id": participant,
             "previous_release_date": str(TODAY + timedelta(days=120)),
             "expected_release_date": str(TODAY + timedelta(days=60))},
            sequence=2, extra_headers={SKIP_GAP_HEADER: True, ATTEMPT_HEADER: 99})
    time.sleep(1)
    publish(producers, "participant.admitted", admitted(participant), sequence=1,
            extra_headers={})
    found = programme(api, participant)
    assert found is not None, "the admission was skipped"
    deadline = time.monotonic() + 10
    while programme(api, participant)["release_date"] != str(TODAY + timedelta(days=60)):
        assert time.monotonic() < deadline, "the release date change was not applied after it"
        time.sleep(0.1)


def test_a_parked_fact_says_where_it_really_came_from(api, channel, producers):
    participant = str(uuid.uuid4())
    publish(producers, "participant.admitted", admitted(participant), sequence=None,
            body="{not json", extra_headers={ORIGINAL_EXCHANGE_HEADER: "matching.events",
                                               ORIGINAL_ROUTING_KEY_HEADER: "vacancy.closed"})
    deadline = time.monotonic() + 10
    while True:
        method, properties, body = channel.basic_get("training.dlq", auto_ack=True)
        if method is not None and body == b"{not json":
            break
        assert time.monotonic() < deadline, "not parked"
        time.sleep(0.1)
    assert properties.headers[ORIGINAL_EXCHANGE_HEADER] == "intake.events"
    assert properties.headers[ORIGINAL_ROUTING_KEY_HEADER] == "participant.admitted"
