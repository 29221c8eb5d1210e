import uuid

import pytest
from marshmallow import ValidationError

from shared.events import UnreadableEvent, new_event, read_event

PARTICIPANT = str(uuid.uuid4())


def released(**overrides):
    data = {"participant_id": PARTICIPANT, "released_on": "2027-01-15", "municipality": "0505"}
    return {**data, **overrides}


def test_a_new_fact_is_a_cloudevent_with_its_type_and_source():
    fact = new_event("intake", "participant.released", released(), subject=PARTICIPANT)
    body = fact.to_json()
    assert body["specversion"] == "1.0"
    assert body["source"] == "/doorstroom/intake"
    assert body["type"] == "participant.released"
    assert body["subject"] == PARTICIPANT
    assert body["time"].endswith("Z")
    assert body["dataschema"] == "urn:doorstroom:intake:participant.released:v1"
    assert uuid.UUID(body["id"])


def test_producers_validate_strictly():
    with pytest.raises(ValidationError):
        new_event("intake", "participant.released", released(name="Jan Jansen"))
    with pytest.raises(ValidationError):
        new_event("intake", "participant.released", released(participant_id="123456782"))


def test_a_service_publishes_only_its_own_facts():
    with pytest.raises(ValueError):
        new_event("matching", "participant.released", released())


def test_consumers_load_tolerantly():
    body = new_event("intake", "participant.released", released()).to_json()
    body["data"]["added_later"] = "ignored"
    body["extension"] = "ignored"
    fact = read_event(body, "participant.released")
    assert "added_later" not in fact.data
    assert fact.key == (body["source"], body["id"])


@pytest.mark.parametrize("mangle", [
    lambda body: "not an object",
    lambda body: {**body, "specversion": "0.3"},
    lambda body: {k: v for k, v in body.items() if k != "id"},
    lambda body: {**body, "type": "participant.vanished"},
    lambda body: {**body, "source": "/doorstroom/matching"},
    lambda body: {**body, "data": {"participant_id": PARTICIPANT}},
])
def test_unreadable_events_are_refused(mangle):
    body = new_event("intake", "participant.released", released()).to_json()
    with pytest.raises(UnreadableEvent):
        read_event(mangle(body), None)


def test_the_routing_key_must_be_the_type():
    body = new_event("intake", "participant.released", released()).to_json()
    with pytest.raises(UnreadableEvent):
        read_event(body, "participant.admitted")
