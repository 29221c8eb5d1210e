import uuid

import pytest
from marshmallow import ValidationError

from shared.contracts.fields import passing_on
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


def screened(**overrides):
    return {"participant_id": PARTICIPANT, "language_level": "B1", "motivation": 4,
            "safety_cleared": True, **overrides}


def from_a_newer_release(event_type, data, **newer_data):
    """A fact as a newer producer publishes it: its release's fields and codes."""
    body = new_event("intake", event_type, data).to_json()
    body["data"].update(newer_data)
    return body


def test_a_consumer_keeps_codes_of_open_vocabularies_its_release_does_not_know():
    body = from_a_newer_release("participant.screened", screened(skills=["teamwork"]),
                                skills=["teamwork", "welding"], restrictions=["no-night-work"],
                                work_permit_checked=True)
    fact = read_event(body, "participant.screened")
    assert fact.data["skills"] == ["teamwork", "welding"]
    assert fact.data["restrictions"] == ["no-night-work"]
    assert "work_permit_checked" not in fact.data
    assert fact.unknown_codes == (("skills", "welding"), ("restrictions", "no-night-work"))
    # As notifications passes it on.
    assert fact.to_json()["data"]["skills"] == ["teamwork", "welding"]


@pytest.mark.parametrize("event_type, data, newer", [
    # A closed code list: consumers act on each code, so a new one needs a new type.
    ("participant.withdrawn", {"participant_id": PARTICIPANT, "reason": "transferred",
                               "withdrawn_on": "2027-01-15"}, {"reason": "emigrated"}),
    ("participant.screened", screened(), {"language_level": "A0"}),
    # Not a code at all, or longer than codes are stored.
    ("participant.screened", screened(), {"skills": ["Welding & cutting"]}),
    ("participant.screened", screened(), {"skills": ["w" * 41]}),
])
def test_an_unknown_code_of_a_closed_list_or_no_code_at_all_stays_unreadable(event_type, data,
                                                                            newer):
    with pytest.raises(UnreadableEvent):
        read_event(from_a_newer_release(event_type, data, **newer), event_type)


def test_a_producer_publishes_no_code_outside_its_vocabulary():
    with pytest.raises(ValidationError) as refused:
        new_event("intake", "participant.screened", screened(skills=["welding"]))
    assert "skills" in refused.value.messages


def test_a_code_a_consumed_fact_brought_may_be_passed_on_unchanged():
    planned = {"placement_id": str(uuid.uuid4()), "participant_id": PARTICIPANT,
               "employer_id": str(uuid.uuid4()), "match_id": str(uuid.uuid4()),
               "vacancy_id": str(uuid.uuid4()), "occupation": "welder",
               "start_date": "2027-02-01", "hours_per_week": 32}
    with passing_on(["welder"]):
        assert new_event("placement", "placement.planned", planned).data["occupation"] == "welder"
        with pytest.raises(ValidationError):
            new_event("placement", "placement.planned", {**planned, "occupation": "smith"})
    with pytest.raises(ValidationError):
        new_event("placement", "placement.planned", planned)
