"""The placement service on the real broker: accepted matches in, a job followed to six months,
social return and outcomes over its API."""
import json
import time
import uuid
from datetime import date, timedelta

import pytest

from services.placement import handlers
from services.placement.domain import add_months
from services.placement.service import PlacementService
from services.placement.store import PlacementUnitOfWork
from shared.events import new_event
from shared.store import make_engine, session_factory
from tests.harness import running_service

WATCHED = ["placement"]
COACH = "job-coach"
TODAY = date.today()


@pytest.fixture(scope="module")
def api(amqp_uri, directory, broker):
    with running_service(PlacementService, amqp_uri, directory, OUTBOX_SWEEP_SECONDS=0.2) as api:
        yield api


@pytest.fixture(scope="module")
def uow(api, directory):
    """The service's own database, for the scheduled check with a clock the test moves."""
    engine = make_engine(f"sqlite:///{directory / 'service.db'}")
    yield PlacementUnitOfWork(session_factory(engine))
    engine.dispose()


def accepted_match(broker, employer_id=None, participant=None):
    participant = participant or str(uuid.uuid4())
    body = broker.publish("matching", "match.accepted", {
        "match_id": str(uuid.uuid4()), "vacancy_id": str(uuid.uuid4()),
        "employer_id": employer_id or str(uuid.uuid4()), "participant_id": participant,
        "occupation": "office-cleaner", "hours_per_week": 32,
        "start_date": str(TODAY + timedelta(days=14))})
    [planned] = broker.facts("placement.planned", participant)
    return participant, planned["data"]["placement_id"], body


def start(api, placement_id, on=TODAY, **terms):
    response = api.call("POST", f"/placements/{placement_id}/start", COACH, {
        "contract_type": "paid-temporary", "hourly_wage": "14.25", "job_coach": "Team Drechtwerk",
        "started_on": str(on), **terms})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_accepted_match_is_planned_started_and_followed_to_six_months_once(api, broker,
                                                                                uow):
    participant, placement_id, body = accepted_match(broker)
    started = start(api, placement_id, on=TODAY - timedelta(days=1),
                    subsidy={"percentage": 40, "starts_on": str(TODAY),
                             "ends_on": str(TODAY + timedelta(days=365))})
    assert started["status"] == "started" and started["hourly_wage_cents"] == 1425
    [fact] = broker.facts("placement.started", participant)
    assert (fact["data"]["contract_type"], fact["data"]["hours_per_week"]) == ("paid-temporary", 32)
    assert fact["data"]["wage_cost_subsidy"] is True
    six_months_on = add_months(TODAY - timedelta(days=1), 6)
    handlers.record_milestones(uow, today=six_months_on)
    handlers.record_milestones(uow, today=six_months_on)
    broker.publish("matching", "match.accepted", {}, body=body)
    time.sleep(1)
    reached = broker.facts("placement.milestone_reached", participant, count=3)
    assert sorted(f["data"]["months"] for f in reached) == [1, 3, 6]
    assert len(broker.facts("placement.sustained", participant)) == 1
    assert len(broker.facts("placement.planned", participant)) == 1
    assert api.call("GET", f"/placements/{placement_id}", COACH).json()["sustained"]


def test_an_instance_that_starts_checks_the_milestones_at_once(api, broker, amqp_uri, directory):
    participant, placement_id, _ = accepted_match(broker)
    start(api, placement_id, on=TODAY - timedelta(days=40))
    with running_service(PlacementService, amqp_uri, directory):
        [reached] = broker.facts("placement.milestone_reached", participant)
    assert reached["data"]["months"] == 1


def test_check_ins_raise_risk_and_the_end_is_published(api, broker):
    participant, placement_id, _ = accepted_match(broker)
    start(api, placement_id)
    path = f"/placements/{placement_id}"
    response = api.call("POST", f"{path}/check-ins", COACH,
                        {"held_on": str(TODAY), "notes": "late twice, debts", "risk": "at-risk"})
    assert response.status_code == 201
    assert response.json()["check_ins"][0]["coach"] == COACH
    [raised] = broker.facts("placement.risk_raised", participant)
    assert raised["data"]["risk"] == "at-risk" and "debts" not in str(raised)
    ended = api.call("POST", f"{path}/end", COACH, {"reason": "dismissed",
                                                    "ended_on": str(TODAY)})
    assert ended.json()["status"] == "ended"
    assert broker.facts("placement.ended", participant)[0]["data"]["reason"] == "dismissed"
    assert api.call("POST", f"{path}/end", COACH, {"reason": "dismissed",
                                                   "ended_on": str(TODAY)}).status_code == 409
    assert api.call("POST", f"{path}/start", COACH, {
        "contract_type": "work-trial", "hourly_wage": "10", "job_coach": "x",
        "started_on": str(TODAY)}).status_code == 409


def test_employers_see_their_own_placements_without_the_coaching(api, broker):
    employer = str(uuid.uuid4())
    _, placement_id, _ = accepted_match(broker, employer_id=employer)
    start(api, placement_id)
    api.call("POST", f"/placements/{placement_id}/check-ins", COACH,
             {"held_on": str(TODAY), "notes": "private", "risk": "attention"})
    api.issue_key("werkgever", "employer", employer_id=employer)
    api.issue_key("andere", "employer", employer_id=str(uuid.uuid4()))
    [seen] = api.call("GET", f"/employers/{employer}/placements", "werkgever").json()
    assert seen["id"] == placement_id
    assert not {"check_ins", "risk", "participant_id", "job_coach"} & set(seen)
    assert api.call("GET", f"/employers/{employer}/placements", "andere").status_code == 404
    assert api.call("GET", f"/placements/{placement_id}", "werkgever").status_code == 403
    period = f"from={TODAY.replace(day=1) - timedelta(days=400)}&to={TODAY + timedelta(days=1)}"
    ledger = api.call("GET", f"/employers/{employer}/social-return?{period}", "werkgever")
    assert ledger.status_code == 200


def test_the_ledger_and_outcomes_over_the_api(api, broker, uow):
    employer = str(uuid.uuid4())
    participant = str(uuid.uuid4())
    broker.publish("intake", "participant.admitted", {
        "participant_id": participant, "target_group": "disability", "municipality": "0642",
        "expected_release_date": str(TODAY - timedelta(days=100)), "language_level": "B1"})
    broker.publish("intake", "participant.released", {
        "participant_id": participant, "released_on": str(TODAY - timedelta(days=80)),
        "municipality": "0642"})
    _, placement_id, _ = accepted_match(broker, employer_id=employer, participant=participant)
    started_on = add_months(TODAY, -3)
    start(api, placement_id, on=started_on, contract_type="paid-permanent")
    period = f"from={add_months(TODAY, -12)}&to={TODAY + timedelta(days=1)}"
    [entry] = api.call("GET", f"/social-return?{period}&employer_id={employer}", COACH).json()
    assert entry["regular"]["months"] == 3
    assert entry["regular"]["value"] == 3 * 3000  # 2500 a month, weighed 1.2 for disability
    report = api.call("GET", f"/outcomes?{period}&group_by=target_group", "employer-desk").json()
    [disability] = [g for g in report if g["group"] == "disability"]
    assert disability["started"] == 1
    assert disability["median_days_release_to_work"] == (started_on - (TODAY - timedelta(days=80))).days
    assert api.call("GET", "/outcomes?from=2027-01-01&to=2026-01-01", COACH).status_code == 422


def test_a_withdrawn_participant_ends_the_placement(api, broker):
    participant, placement_id, _ = accepted_match(broker)
    start(api, placement_id)
    broker.publish("intake", "participant.withdrawn", {
        "participant_id": participant, "reason": "recalled-to-custody", "withdrawn_on": str(TODAY)})
    [ended] = broker.facts("placement.ended", participant)
    assert ended["data"]["reason"] == "returned-to-custody"


def test_consent_withdrawal_anonymises_the_placement(api, broker, directory):
    employer = str(uuid.uuid4())
    participant, placement_id, accepted = accepted_match(broker, employer_id=employer)
    start(api, placement_id)
    api.call("POST", f"/placements/{placement_id}/check-ins", COACH,
             {"held_on": str(TODAY), "notes": "mentions his brother", "risk": "none"})
    broker.publish("intake", "participant.consent_withdrawn", {
        "participant_id": participant, "purpose": "placement-follow-up",
        "withdrawn_at": "2026-11-20T10:00:00+00:00"})
    deadline = time.monotonic() + 10
    while api.call("GET", f"/placements/{placement_id}", COACH).status_code != 404:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # The job still counts for the employer, under an id of its own.
    [kept] = api.call("GET", f"/placements?employer_id={employer}", COACH).json()
    assert kept["status"] == "started" and kept["check_ins"] == []
    time.sleep(0.5)
    raw = b"".join(path.read_bytes() for path in directory.glob("service.db*"))
    assert participant.encode() not in raw and b"his brother" not in raw
    # Nor the match, by which matching's facts would name the participant again, nor the
    # placement's id, under which the PI, the municipality and probation keep its start.
    assert json.loads(accepted)["data"]["match_id"].encode() not in raw
    assert placement_id.encode() not in raw


@pytest.mark.parametrize("body, field", [
    ({"contract_type": "slavery"}, "contract_type"),
    ({"hourly_wage": "-3"}, "hourly_wage"),
    ({"subsidy": {"percentage": 140, "starts_on": "2027-01-01", "ends_on": "2028-01-01"}},
     "subsidy"),
    ({"started_on": "yesterday"}, "started_on"),
])
def test_a_bad_start_gets_422_naming_the_field(api, broker, body, field):
    _, placement_id, _ = accepted_match(broker)
    response = api.call("POST", f"/placements/{placement_id}/start", COACH, {
        "contract_type": "work-trial", "hourly_wage": "12", "job_coach": "x",
        "started_on": str(TODAY), **body})
    assert response.status_code == 422 and field in response.json()["fields"]


UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("method, path, body", [
    ("GET", f"/placements/{UNKNOWN}", None),
    ("POST", f"/placements/{UNKNOWN}/start", {"contract_type": "work-trial", "hourly_wage": "12",
                                              "job_coach": "x", "started_on": "2027-01-01"}),
    ("POST", f"/placements/{UNKNOWN}/end", {"reason": "health", "ended_on": "2027-01-01"}),
    ("POST", f"/placements/{UNKNOWN}/check-ins", {"held_on": "2027-01-01", "risk": "none"}),
])
def test_unknown_placements_are_404_and_other_roles_403(api, method, path, body):
    assert api.call(method, path, None, body).status_code == 401
    assert api.call(method, path, COACH, body).status_code == 404
    for role in ("pi-case-manager", "trainer", "employer-desk", "employer"):
        assert api.call(method, path, role, body).status_code == 403


def test_an_occupation_of_matchings_next_release_is_planned_and_passed_on_unchanged(api, broker):
    """docs/events.md#versioning: placement keeps the code it does not know, and its own fact
    says what matching said."""
    participant = str(uuid.uuid4())
    accepted = new_event("matching", "match.accepted", {
        "match_id": str(uuid.uuid4()), "vacancy_id": str(uuid.uuid4()),
        "employer_id": str(uuid.uuid4()), "participant_id": participant,
        "occupation": "office-cleaner", "hours_per_week": 32,
        "start_date": str(TODAY + timedelta(days=14))}, subject=participant).to_json()
    accepted["data"]["occupation"] = "welder"
    broker.publish("matching", "match.accepted", {}, body=json.dumps(accepted))
    [planned] = broker.facts("placement.planned", participant)
    assert planned["data"]["occupation"] == "welder"
    placement = api.call("GET", f"/placements/{planned['data']['placement_id']}", COACH).json()
    assert placement["occupation"] == "welder"
