"""Organisations upgrade one at a time (docs/events.md#versioning): a consumer of this release
goes on working when a producer of the next one publishes fields, codes and event types it does
not know, on the real broker and on SQLite and PostgreSQL; and every fact this release
publishes stays readable by the previous release's consumers, whose catalogue is frozen in
docs/releases/<version>/asyncapi.yaml."""
import copy
import json
import time
import uuid
from datetime import date, timedelta

import pika
import pytest
import yaml
from hypothesis import given, settings

from doorstroom import catalogue, chain, provisioning
from services.matching.service import MatchingService
from shared.contracts import all_contracts
from shared.contracts.fields import CODE_MAX_LENGTH, CODE_PATTERN
from shared.events import new_event
from shared.metrics import metrics_for
from tests.broker import rabbitmqctl
from tests.harness import running_service
from tests.instances import queue_depth, rows
from tests.payloads import fact, objects, payload_validator

RELEASES = chain.PROJECT_ROOT / "docs" / "releases"
# Prose, which may say things better from one release to the next.
PROSE = {"description", "title", "summary"}
WATCHED = ["matching"]
DESK = "employer-desk"
TODAY = date.today()
INTAKE = provisioning.service_user("intake")
NEW_TYPE = "participant.coach_assigned"


# --- the catalogue against the previous release's ----------------------------------------------

def previous_catalogue():
    """The catalogue of the latest release, frozen when it was made."""
    latest = max(RELEASES.iterdir(), key=lambda release: tuple(map(int, release.name.split("."))))
    return yaml.safe_load((latest / "asyncapi.yaml").read_text())


def incompatibilities(before, after):
    """What in catalogue `after` consumers built on `before` could not read, or the other way
    round (during a rolling upgrade facts go both ways). Within a type, only an optional field
    and a code in an open vocabulary may be added."""
    problems = []
    old, new = before["components"]["messages"], after["components"]["messages"]
    for name, message in old.items():
        if name not in new:
            problems.append(f"{message['name']}: no longer published")
        else:
            _compare(message["payload"], new[name]["payload"], before, after, message["name"],
                     problems)
    for name, message in new.items():
        if name not in old and "sequence" in message["payload"].get("required", ()):
            problems.append(f"{message['name']}: a new type among its producer's ordered facts, "
                            "a gap in the sequence for consumers that do not know it")
    return problems


def _compare(old, new, before, after, path, problems):
    old, new = _resolved(old, before), _resolved(new, after)
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for index, (was, now) in enumerate(zip(old, new)):
            _compare(was, now, before, after, f"{path}[{index}]", problems)
        return
    if not (isinstance(old, dict) and isinstance(new, dict)):
        if old != new:
            problems.append(f"{path}: {old!r} became {new!r}")
        return
    for key in sorted((set(old) | set(new)) - PROSE):
        was, now = old.get(key), new.get(key)
        if key == "properties":
            for field in was:
                if field not in now:
                    problems.append(f"{path}.{field}: removed")
                else:
                    _compare(was[field], now[field], before, after, f"{path}.{field}", problems)
        elif key == "required" and set(was or ()) != set(now or ()):
            problems.append(f"{path}: required {sorted(was or ())} became {sorted(now or ())}")
        elif key == "enum" and old.get("x-open-vocabulary") and new.get("x-open-vocabulary"):
            if set(was) - set(now or ()):
                problems.append(f"{path}: codes removed: {sorted(set(was) - set(now or ()))}")
        elif key != "required":
            _compare(was, now, before, after, f"{path}.{key}", problems)


def _resolved(node, document):
    while isinstance(node, dict) and "$ref" in node:
        for part in node["$ref"].removeprefix("#/").split("/"):
            document = document[part]
        node = document
    return node


def as_consumers_read_it(document):
    """The catalogue as its release's consumers read facts: a field of the data they do not
    know is dropped (shared/events.py read_event), a code of an open vocabulary they do not
    know is kept, so long as it is a code."""
    document = copy.deepcopy(document)
    for name, schema in document["components"]["schemas"].items():
        if name.endswith("_data"):
            schema.pop("additionalProperties", None)

    def widen(node):
        if isinstance(node, dict):
            if node.pop("x-open-vocabulary", False):
                node.pop("enum")
                node.update(pattern=CODE_PATTERN.pattern, maxLength=CODE_MAX_LENGTH)
            for value in node.values():
                widen(value)
        elif isinstance(node, list):
            for value in node:
                widen(value)
    widen(document)
    return document


def test_todays_catalogue_changes_nothing_incompatibly_against_the_previous_release():
    assert incompatibilities(previous_catalogue(), catalogue.build()) == []


def test_a_frozen_release_is_its_catalogue_at_the_time():
    """The frozen copy is the generated catalogue as it was, not an edited one."""
    assert set(previous_catalogue()) == set(catalogue.build())


@pytest.mark.parametrize("change, problem", [
    (lambda d: d["components"]["schemas"]["participant_released_data"]["properties"].pop(
        "municipality"), "participant.released.data.municipality: removed"),
    (lambda d: d["components"]["schemas"]["participant_admitted_data"]["required"].append(
        "hours_per_week"), "participant.admitted.data: required"),
    (lambda d: d["components"]["schemas"]["participant_screened_data"]["properties"][
        "motivation"].update(type="string"), "participant.screened.data.motivation.type"),
    (lambda d: d["components"]["schemas"]["training_enrolled_data"]["properties"][
        "module"].update(maxLength=80), "training.enrolled.data.module.maxLength"),
    (lambda d: d["components"]["schemas"]["participant_screened_data"]["properties"]["skills"][
        "items"]["enum"].remove("teamwork"), "codes removed: ['teamwork']"),
    (lambda d: d["components"]["schemas"]["participant_withdrawn_data"]["properties"][
        "reason"]["enum"].append("emigrated"), "participant.withdrawn.data.reason.enum"),
    (lambda d: d["components"]["schemas"]["CurfewHours"]["properties"].pop("ends_at"),
     "participant.screened.data.curfew"),
    (lambda d: d["components"]["messages"].pop("placement_sustained"),
     "placement.sustained: no longer published"),
    (lambda d: d["components"]["messages"].update(participant_relocated={
        "name": "participant.relocated", "payload": {"required": ["sequence"]}}),
     "participant.relocated: a new type among its producer's ordered facts"),
])
def test_the_check_finds_each_kind_of_incompatible_change(change, problem):
    after = catalogue.build()
    change(after)
    found = incompatibilities(catalogue.build(), after)
    assert any(problem in each for each in found), found


def test_the_check_lets_optional_fields_open_codes_and_unordered_types_through():
    after = catalogue.build()
    data = after["components"]["schemas"]["participant_screened_data"]["properties"]
    data["work_permit_checked"] = {"type": "boolean"}
    data["skills"]["items"]["enum"].append("welding")
    data["skills"]["description"] = "what the participant can do"
    after["components"]["messages"]["participant_coach_assigned"] = {
        "name": "participant.coach_assigned", "payload": {"required": ["id", "data"]}}
    assert incompatibilities(catalogue.build(), after) == []


@pytest.mark.parametrize("event_type", sorted(all_contracts()))
def test_every_fact_this_release_publishes_is_readable_by_the_previous_releases_consumers(
        event_type):
    previous = as_consumers_read_it(previous_catalogue())
    if event_type.replace(".", "_") not in previous["components"]["messages"]:
        pytest.skip(f"{event_type} is new in this release: consumers before it do not bind it")
    validator = payload_validator(previous, event_type)

    @settings(max_examples=15, deadline=None)
    @given(objects(all_contracts()[event_type].schema()))
    def readable(data):
        assert [error.message for error in validator.iter_errors(fact(event_type, data))] == []
    readable()


# --- the next release's facts, on the real broker -----------------------------------------------

@pytest.fixture(scope="module")
def api(amqp_uri, directory, database_url, broker):
    with running_service(MatchingService, amqp_uri, directory, DATABASE_URL=database_url,
                         OUTBOX_SWEEP_SECONDS=0.2) as api:
        yield api


@pytest.fixture(scope="module")
def next_release_definitions(amqp_uri):
    """The broker definitions of intake's next release, which grant its account its new type;
    the connections it publishes on are opened after this."""
    [topics] = [topics for user, *_, topics in provisioning.grants() if user == INTAKE]
    write, read = topics["intake.events"]
    rabbitmqctl(amqp_uri, "set_topic_permissions", INTAKE, "intake.events",
                f"{write}|^{NEW_TYPE.replace('.', '[.]')}$", read)


def of_the_next_release(service, event_type, data, sequence=None, **newer_data):
    """A fact as the next release of `service` publishes it: this release's fact with the next
    one's fields and codes."""
    body = new_event(service, event_type, data, subject=data["participant_id"],
                     sequence=sequence).to_json()
    body["data"].update(newer_data)
    return json.dumps(body)


def admitted(participant, **profile):
    return {"participant_id": participant, "target_group": "detainee-last-phase",
            "municipality": "1900", "expected_release_date": str(TODAY + timedelta(days=20)),
            "language_level": "B1", "occupations": ["office-cleaner"], "skills": ["teamwork"],
            "preferred_sectors": ["cleaning"], **profile}


def trained(producers, participant, newer_certificate):
    """Training of the next release awards a certificate this release does not know, then
    completes the programme."""
    programme = str(uuid.uuid4())
    producers.publish("training", "training.certificate_awarded", of_the_next_release(
        "training", "training.certificate_awarded", {
            "participant_id": participant, "programme_id": programme,
            "certificate_id": str(uuid.uuid4()), "number": "W-1", "certificate": "vca-basic",
            "module": "welding", "issuer": "Drechtwerk", "issued_on": str(TODAY)},
        sequence=1, certificate=newer_certificate, valid_in_countries=["NL", "BE"]))
    producers.publish("training", "training.programme_completed", of_the_next_release(
        "training", "training.programme_completed", {
            "participant_id": participant, "programme_id": programme,
            "certificates": ["employee-skills"], "completed_on": str(TODAY)},
        sequence=2, certificates=["employee-skills", "cleaning-diploma", newer_certificate]))


def total(counter, **labels):
    return sum(sample.value for metric in counter.collect() for sample in metric.samples
               if sample.name.endswith("_total")
               and all(sample.labels.get(name) == value for name, value in labels.items()))


def candidate(api, participant):
    response = api.call("GET", f"/candidates/{participant}", DESK)
    return response.json() if response.ok else None


def wait_until(probe, timeout=20):
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def stored(database_url, participant, *columns):
    [row] = rows(database_url, f"SELECT {', '.join(columns)} FROM candidates "
                               f"WHERE participant_id = '{participant}'")
    # JSON columns: text on SQLite, decoded already by psycopg2.
    return [json.loads(value) if isinstance(value, str) else value for value in row]


def test_a_consumer_applies_the_next_releases_facts_keeps_and_counts_their_codes_and_parks_nothing(
        next_release_definitions, api, broker, producers, channel, database_url):
    metrics = metrics_for("matching")
    unknown, parked = metrics.unknown_codes, metrics.parked
    counted_before = {key: total(unknown, event_type=key[0], field=key[1]) for key in (
        ("participant.admitted", "skills"), ("participant.admitted", "occupations"),
        ("participant.admitted", "restrictions"), ("training.certificate_awarded", "certificate"),
        ("training.programme_completed", "certificates"))}
    parked_before = total(parked)
    participant = str(uuid.uuid4())

    producers.publish("intake", "participant.admitted", of_the_next_release(
        "intake", "participant.admitted", admitted(participant), sequence=1,
        skills=["teamwork", "welding"], occupations=["office-cleaner", "welder"],
        restrictions=["no-night-work"], work_permit={"checked": True}))
    # A type of the next release: no queue of this release binds it, so the broker routes it
    # nowhere and no consumer has to read it.
    coach_assigned = new_event("intake", "participant.released", {
        "participant_id": participant, "released_on": str(TODAY), "municipality": "1900"},
        subject=participant).to_json()
    coach_assigned.update(type=NEW_TYPE, data={"participant_id": participant,
                                               "coach": "team-dordrecht"})
    with pytest.raises(pika.exceptions.UnroutableError):
        producers.publish("intake", NEW_TYPE, json.dumps(coach_assigned), mandatory=True)
    trained(producers, participant, "welding-basic")

    wait_until(lambda: (candidate(api, participant) or {}).get("status") == "ready")
    profile = candidate(api, participant)
    assert profile["skills"] == ["teamwork", "welding"]
    assert profile["occupations"] == ["office-cleaner", "welder"]
    assert profile["restrictions"] == ["no-night-work"]
    assert "welding-basic" in profile["certificates"]
    assert stored(database_url, participant, "skills", "restrictions", "certificates") == [
        ["teamwork", "welding"], ["no-night-work"],
        ["cleaning-diploma", "employee-skills", "welding-basic"]]
    assert {key: total(unknown, event_type=key[0], field=key[1]) - before
            for key, before in counted_before.items()} == dict.fromkeys(counted_before, 1)
    assert total(parked) == parked_before
    assert queue_depth(channel, "matching.dlq") == 0


def test_an_unknown_restriction_fails_safe_and_an_unknown_skill_counts_for_nothing(
        api, broker, producers):
    """Two candidates alike but for a restriction of the next release: the vacancy goes to
    the other one, and the restricted one is offered no vacancy at all."""
    restricted, other = str(uuid.uuid4()), str(uuid.uuid4())
    for participant, newer in ((restricted, ["no-night-work"]), (other, [])):
        producers.publish("intake", "participant.admitted", of_the_next_release(
            "intake", "participant.admitted", admitted(participant), sequence=1,
            skills=["teamwork", "welding"], restrictions=newer))
        trained(producers, participant, "welding-basic")
    wait_until(lambda: all((candidate(api, p) or {}).get("status") == "ready"
                           for p in (restricted, other)))
    employer = api.call("POST", "/employers", DESK, {
        "name": "Las BV", "sector": "construction", "municipality": "1900",
        "contact_name": "Ria", "contact_email": "ria@las.example.org", "social_return": True})
    job = api.call("POST", "/vacancies", DESK, {
        "employer_id": employer.json()["id"], "occupation": "office-cleaner",
        "sector": "cleaning", "municipality": "1900", "hours_per_week": 24,
        "start_date": str(TODAY + timedelta(days=40)), "positions": 2,
        "required_certificates": ["cleaning-diploma"], "skills": ["teamwork"]})
    assert job.status_code == 201, job.text
    [proposed] = broker.facts("match.proposed", other)
    assert proposed["data"]["vacancy_id"] == job.json()["id"]
    assert api.call("GET", f"/candidates/{restricted}/vacancies", DESK).json() == []
    ranking = api.call("GET", f"/vacancies/{job.json()['id']}/ranking", DESK).json()
    assert restricted not in {c["participant_id"] for c in ranking["eligible"]}


def test_a_request_with_a_code_this_release_does_not_know_is_refused_naming_the_field(api):
    employer = api.call("POST", "/employers", DESK, {
        "name": "Las BV", "sector": "energy", "municipality": "1900", "contact_name": "Ria",
        "contact_email": "ria@las.example.org", "social_return": True})
    assert employer.status_code == 422
    assert "sector" in employer.json()["fields"]


def consumers_of(amqp_uri, event_type):
    """The queues bound to `event_type`, as an operator lists them to see who still consumes
    a type (docs/events.md#versioning)."""
    listed = rabbitmqctl(amqp_uri, "list_bindings", "source_name", "routing_key",
                         "destination_name")
    return {queue for source, key, queue in (line.split("\t") for line in listed.splitlines())
            if source.endswith(".events") and key == event_type}


def test_the_queue_bindings_show_who_consumes_a_type_and_nobody_the_next_releases(api,
                                                                               amqp_uri):
    assert consumers_of(amqp_uri, "participant.admitted") == {"matching.follow_intake"}
    assert consumers_of(amqp_uri, NEW_TYPE) == set()
