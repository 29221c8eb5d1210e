"""Every service's audit log of reads of personal data, the five running on the real broker,
each on its own database, on SQLite and on PostgreSQL: every attempt to read matching's
candidate profiles or any service's facts (`GET /events`) leaves an entry with its outcome; a
change or a removal in a service's database is found by its `GET /audit/verify` and by
`doorstroom audit verify`, which checks them all; the services that erase participants keep
them in their logs only by pseudonym. Intake's own log: services/intake/tests/test_audit.py."""
import csv
import io
import json
import socket
import uuid
from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, update

from doorstroom.cli import main
from services.intake.service import IntakeService
from services.intake.store import audit_entries
from services.intake.tests.test_api import new_participant
# Every service's log has intake's tables: the same helpers reach any of them.
from services.intake.tests.test_audit import (PRIVACY_OFFICER, entries, put_back, remove,
                                              stored, verify)
from services.matching.service import PROFILE, MatchingService
from services.matching.tests.test_service import (DESK, TODAY, employer, ready_candidate,
                                                  vacancy, wait_until)
from services.notifications.service import NotificationsService
from services.placement.service import PlacementService
from services.training.service import TrainingService
from shared.audit import pseudonym
from shared.http import ROLES
from tests.databases import KINDS, fresh_database, stored_bytes
from tests.harness import running_service

WATCHED = ["training", "matching", "placement", "notifications"]
SERVICES = {"intake": IntakeService, "training": TrainingService, "matching": MatchingService,
            "placement": PlacementService, "notifications": NotificationsService}
# The services that erase participants, and name them in their logs by pseudonym.
ERASING = ["training", "matching", "placement", "notifications"]


def free_port_base():
    """A base whose next five ports are free, where `doorstroom audit verify --port-base`
    finds the services."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1] - 1
        if base + 5 < 65536 and all(_free(base + n) for n in range(1, 6)):
            return base


def _free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module", params=KINDS)
def chain(request, amqp_uri, directory, broker):
    """The five services, each on a fresh database of the module's kind; {service: (api,
    database url, service directory)}, and the port base they listen above."""
    base = free_port_base()
    running = {}
    with ExitStack() as stack:
        for number, (service, service_cls) in enumerate(SERVICES.items(), start=1):
            where = directory / request.param / service
            where.mkdir(parents=True)
            url = stack.enter_context(fresh_database(request.param, where))
            api = stack.enter_context(running_service(
                service_cls, amqp_uri, where, DATABASE_URL=url, OUTBOX_SWEEP_SECONDS=0.2,
                WEB_SERVER_ADDRESS=f"127.0.0.1:{base + number}"))
            running[service] = (api, url, where)
        yield running, base


@pytest.fixture(scope="module")
def databases(chain):
    """Each service's database as someone with access to it, not through the service."""
    engines = {service: create_engine(url) for service, (_, url, _) in chain[0].items()}
    yield engines
    for engine in engines.values():
        engine.dispose()


def api_of(chain, service):
    return chain[0][service][0]


def audit_verify(chain, *services):
    """`doorstroom audit verify` against the module's services, with the keys they were given."""
    return main(["audit", "verify", *services, "--port-base", str(chain[1]),
                 "--data-dir", str(chain[0]["intake"][2])])


# --- GET /events ------------------------------------------------------------------------------

@pytest.mark.parametrize("service", ERASING)
@pytest.mark.parametrize("role, status, outcome", [
    ("operator", 200, "allowed"), ("trainer", 403, "refused"), ("employer", 403, "refused"),
    (PRIVACY_OFFICER, 403, "refused")])
def test_every_attempt_to_read_a_services_facts_is_logged(chain, service, role, status,
                                                          outcome):
    api = api_of(chain, service)
    participant = str(uuid.uuid4())
    response = api.call("GET", f"/events?subject={participant}", role)
    assert response.status_code == status, response.text
    [entry] = entries(api, participant_id=participant)
    assert (entry["participant_id"], entry["reader"], entry["role"], entry["organisation"],
            entry["outcome"], entry["fields"]) == (
        pseudonym(participant), role, role, ROLES[role], outcome, ["facts"])


def admitted(participant):
    return {"participant_id": participant, "target_group": "detainee-last-phase",
            "municipality": "0505", "expected_release_date": str(TODAY + timedelta(days=120)),
            "language_level": "B1", "preferred_sectors": ["logistics"]}


def accepted(participant):
    return {"match_id": str(uuid.uuid4()), "vacancy_id": str(uuid.uuid4()),
            "employer_id": str(uuid.uuid4()), "participant_id": participant,
            "occupation": "office-cleaner", "hours_per_week": 32,
            "start_date": str(TODAY + timedelta(days=14))}


@pytest.mark.parametrize("service, producer, cause, made, data", [
    ("training", "intake", "participant.admitted", "training.waitlisted", admitted),
    ("placement", "matching", "match.accepted", "placement.planned", accepted),
])
def test_reading_a_participants_facts_is_logged_with_their_types(chain, broker, service,
                                                                 producer, cause, made, data):
    api = api_of(chain, service)
    participant = str(uuid.uuid4())
    broker.publish(producer, cause, data(participant))
    broker.facts(made, participant)
    facts = api.call("GET", f"/events?subject={participant}", "operator").json()
    [entry] = entries(api, participant_id=participant)
    assert entry["fields"] == sorted({fact["type"] for fact in facts}) and made in entry["fields"]
    assert (entry["participant_id"], entry["outcome"]) == (pseudonym(participant), "allowed")


def test_facts_that_name_no_participant_are_logged_as_a_read_of_no_one(chain, broker):
    """Notifications' facts name a delivery, not the participant it was about."""
    api = api_of(chain, "notifications")
    sent = json.loads(broker.publish("intake", "participant.admitted",
                                     admitted(str(uuid.uuid4()))))
    wait_until(lambda: sent["id"] in {fact["data"]["event_id"] for fact in broker.facts(
        "notification.delivered", count=0)})
    logged = verify(api)["entries"]
    facts = api.call("GET", "/events", "operator").json()
    assert {fact["type"] for fact in facts} == {"notification.delivered"}
    [entry] = entries(api, offset=logged)
    assert (entry["participant_id"], entry["fields"], entry["outcome"]) == (
        None, ["notification.delivered"], "allowed")


# --- matching's candidate profiles -----------------------------------------------------------

@pytest.mark.parametrize("suffix, fields", [("", list(PROFILE)), ("/vacancies", ["assessment"])])
@pytest.mark.parametrize("role, known, status, outcome", [
    (DESK, True, 200, "allowed"),
    ("employer", True, 403, "refused"),
    ("pi-case-manager", True, 403, "refused"),
    (DESK, False, 404, "not-found"),
])
def test_every_attempt_to_read_a_candidate_is_logged_with_its_outcome(
        chain, broker, suffix, fields, role, known, status, outcome):
    api = api_of(chain, "matching")
    participant = ready_candidate(api, broker) if known else str(uuid.uuid4())
    logged = entries(api, participant_id=participant)
    response = api.call("GET", f"/candidates/{participant}{suffix}", role)
    assert response.status_code == status, response.text
    entry = entries(api, participant_id=participant)[len(logged)]
    assert (entry["participant_id"], entry["reader"], entry["organisation"], entry["outcome"],
            entry["fields"]) == (pseudonym(participant), role, ROLES[role], outcome, fields)


def test_listing_ranking_and_proposing_candidates_logs_a_read_of_each(chain, broker):
    api = api_of(chain, "matching")
    participant = ready_candidate(api, broker, municipality="0512")
    job = vacancy(api, employer(api), municipality="0512")
    broker.facts("match.proposed", participant)
    wait_until(lambda: api.call("GET", f"/proposals?participant_id={participant}", DESK).json())
    logged = len(entries(api, participant_id=participant))
    listed = api.call("GET", "/candidates?limit=500", DESK).json()
    assert participant in {candidate["participant_id"] for candidate in listed}
    ranked = api.call("GET", f"/vacancies/{job['id']}/ranking", DESK).json()
    assert participant in {each["participant_id"] for each in ranked["eligible"]}
    assert api.call("GET", f"/events?subject={participant}", "operator").json()
    assert [(entry["fields"], entry["outcome"]) for entry in entries(
        api, participant_id=participant)[logged:]] == [
        (list(PROFILE), "allowed"), (["assessment"], "allowed"), (["match.proposed"], "allowed")]
    refused = api.call("GET", f"/vacancies/{job['id']}/ranking", "employer")
    assert refused.status_code == 403
    [entry] = entries(api, offset=verify(api)["entries"] - 1)
    assert (entry["participant_id"], entry["reader"], entry["outcome"]) == (
        None, "employer", "refused")
    vacancy_closed = api.call("POST", f"/vacancies/{job['id']}/closure", DESK, {"reason": "other"})
    assert vacancy_closed.ok


@pytest.mark.parametrize("path, fields", [("/candidates", list(PROFILE)),
                                          ("/proposals", ["assessment"])])
@pytest.mark.parametrize("role", ["employer", "municipality-caseworker", "operator"])
def test_a_refused_listing_of_candidates_is_logged(chain, path, fields, role):
    api = api_of(chain, "matching")
    assert api.call("GET", path, role).status_code == 403
    [entry] = entries(api, offset=verify(api)["entries"] - 1)
    assert (entry["participant_id"], entry["reader"], entry["outcome"], entry["fields"]) == (
        None, role, "refused", fields)


def test_an_erasing_service_keeps_no_participant_id_in_its_log(chain, broker, databases):
    """The log outlives the erasure of a participant's data, but names them only by pseudonym:
    their id is in none of the service's rows or files, and still finds their entries."""
    api = api_of(chain, "matching")
    participant = ready_candidate(api, broker, municipality="0518")
    assert api.call("GET", f"/candidates/{participant}", DESK).ok
    broker.publish("intake", "participant.consent_withdrawn", {
        "participant_id": participant, "purpose": "matching",
        "withdrawn_at": "2026-11-20T10:00:00+00:00"})
    wait_until(lambda: api.call("GET", f"/candidates/{participant}", DESK).status_code == 404)
    _, url, where = chain[0]["matching"]
    # Scrubbed from the files just after the erasure commits.
    wait_until(lambda: participant.encode() not in stored_bytes(url, where))
    assert [entry["outcome"] for entry in entries(api, participant_id=participant)][-1] == \
        "not-found"
    assert verify(api)["intact"]


# --- the chains ------------------------------------------------------------------------------

def read_three_times(chain, service):
    """Three reads at `service`'s /events: the three entries they left."""
    api = api_of(chain, service)
    for role in ("operator", "trainer", "operator"):
        api.call("GET", "/events?subject=" + str(uuid.uuid4()), role)
    return entries(api, offset=verify(api)["entries"] - 3)


def test_every_services_log_is_one_unbroken_chain_and_the_cli_checks_all(chain, capsys):
    for service in SERVICES:
        api = api_of(chain, service)
        if service == "intake":
            participant = new_participant(api)
            assert api.call("GET", f"/participants/{participant}", "trainer").status_code == 403
        else:
            read_three_times(chain, service)
        log = entries(api, limit=500)
        assert verify(api) == {"intact": True, "entries": len(log), "last_hash": log[-1]["hash"],
                               "broken_at": None, "broken_entry": None, "problem": None}
        assert [entry["position"] for entry in log] == list(range(1, len(log) + 1))
    capsys.readouterr()
    assert audit_verify(chain) == 0
    out = capsys.readouterr().out
    assert [line.split(":")[0] for line in out.splitlines()] == list(SERVICES)
    assert all(": intact: " in line for line in out.splitlines())


@pytest.mark.parametrize("service", ERASING)
def test_an_entry_changed_in_a_services_database_is_named_by_both_checks(chain, databases,
                                                                         capsys, service):
    api = api_of(chain, service)
    _, changed, _ = read_three_times(chain, service)
    database = databases[service]
    row = stored(database, changed["id"])
    with database.begin() as connection:
        connection.execute(update(audit_entries).where(audit_entries.c.id == changed["id"])
                           .values(reader="someone-else"))
    try:
        check = verify(api)
        assert (check["intact"], check["broken_at"], check["broken_entry"]) == (
            False, changed["position"], changed["id"])
        assert "changed after it was written" in check["problem"]
        capsys.readouterr()
        assert audit_verify(chain) == 1
        out = capsys.readouterr().out
        assert f"{service}: BROKEN at position {changed['position']} (entry {changed['id']})" \
            in out
        assert all(": intact: " in line for line in out.splitlines()
                   if not line.startswith(service))
    finally:
        remove(database, changed["id"])
        put_back(database, row)
    assert verify(api)["intact"]


@pytest.mark.parametrize("service", ERASING)
def test_an_entry_removed_from_a_services_database_is_found(chain, databases, capsys, service):
    api = api_of(chain, service)
    _, removed, after = read_three_times(chain, service)
    row = remove(databases[service], removed["id"])
    try:
        check = verify(api)
        assert (check["intact"], check["broken_at"], check["broken_entry"]) == (
            False, after["position"], after["id"])
        assert f"the entry at {removed['position']} is missing" in check["problem"]
        assert audit_verify(chain, service) == 1
        assert f"{service}: BROKEN at position {after['position']}" in capsys.readouterr().out
    finally:
        put_back(databases[service], row)
    assert verify(api)["intact"]


def test_a_service_that_cannot_be_asked_is_not_checked(chain, capsys):
    """Exit 2 when no log is broken but one could not be checked."""
    assert main(["audit", "verify", "training", "--port-base", str(chain[1] + 100),
                 "--data-dir", str(chain[0]["intake"][2])]) == 2
    assert "training: not checked" in capsys.readouterr().err


# --- the privacy officer's access ------------------------------------------------------------

@pytest.mark.parametrize("service", ERASING)
def test_each_log_exports_as_csv_for_the_privacy_officer_only(chain, service):
    api = api_of(chain, service)
    logged = read_three_times(chain, service)
    query = f"/audit/personal-data-reads?offset={logged[0]['position'] - 1}&limit=3&format=csv"
    response = api.call("GET", query, PRIVACY_OFFICER)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [{**entry, "position": str(entry["position"]),
                     "fields": " ".join(entry["fields"])} for entry in logged]
    for role in ("operator", "employer-desk", "trainer", "job-coach"):
        assert api.call("GET", "/audit/verify", role).status_code == 403
        assert api.call("GET", query, role).status_code == 403
