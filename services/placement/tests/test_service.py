"""The placement service on the real broker: accepted matches in, a job followed to six months,
social return and outcomes over its API."""
import json
import logging
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from services.placement import handlers
from services.placement.domain import add_months
from services.placement.service import PlacementService
from services.placement.store import (MINIMUM_WAGE_FILE, PlacementUnitOfWork,
                                      statutory_minimum_wage)
from shared import clock
from shared.contracts.policy import ORGANISATIONS, integrators_of, visible_to
from shared.events import new_event
from shared.store import make_engine, session_factory
from tests.broker import fresh_vhost
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
        "contract_type": "paid-temporary", "hourly_wage": "15.25", "job_coach": "Team Drechtwerk",
        "started_on": str(on), **terms})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_accepted_match_is_planned_started_and_followed_to_six_months_once(api, broker,
                                                                                uow):
    participant, placement_id, body = accepted_match(broker)
    started = start(api, placement_id, on=TODAY - timedelta(days=1),
                    subsidy={"percentage": 40, "starts_on": str(TODAY),
                             "ends_on": str(TODAY + timedelta(days=365))})
    assert started["status"] == "started" and started["hourly_wage_cents"] == 1525
    [fact] = broker.facts("placement.started", participant)
    assert (fact["data"]["contract_type"], fact["data"]["hours_per_week"]) == ("paid-temporary", 32)
    assert fact["data"]["wage_cost_subsidy"] is True and "hourly_wage_cents" not in fact["data"]
    [terms] = broker.facts("placement.terms_agreed", participant)
    assert {k: terms["data"][k] for k in ("contract_type", "hours_per_week", "hourly_wage_cents",
                                          "wage_cost_subsidy")} == {
        "contract_type": "paid-temporary", "hours_per_week": 32, "hourly_wage_cents": 1525,
        "wage_cost_subsidy": True}
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
        published = broker.facts("placement.milestone_reached", participant)
    # Two instances on one SQLite file may both publish the one fact, which consumers take
    # once by its id; once only is promised on PostgreSQL (test_scale_out.py).
    [reached] = {fact["id"]: fact for fact in published}.values()
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


def test_a_corrected_release_date_is_what_outcomes_count_from(api, broker, uow):
    """The correction (not among intake's ordered facts) waits for the release it corrects."""
    participant = str(uuid.uuid4())
    recorded, corrected = TODAY - timedelta(days=10), TODAY - timedelta(days=12)

    def released_on():
        with uow:
            record = uow.participants.find(participant)
            return record.released_on if record else "not admitted"

    def wait_until(released):
        deadline = time.monotonic() + 10
        while released_on() != released:
            assert time.monotonic() < deadline, f"released on {released_on()}"
            time.sleep(0.05)
    broker.publish_in_order("intake", participant, ("participant.admitted", {
        "participant_id": participant, "target_group": "disability", "municipality": "0642",
        "expected_release_date": str(recorded), "language_level": "B1"}))
    wait_until(None)  # admitted, not yet released
    broker.publish("intake", "participant.release_corrected", {
        "participant_id": participant, "released_on": str(corrected),
        "previous_released_on": str(recorded), "reason": "recorded-in-advance"})
    time.sleep(0.5)
    assert released_on() is None
    release = {"participant_id": participant, "released_on": str(recorded), "municipality": "0642"}
    broker.publish("intake", "participant.released", release, body=json.dumps(new_event(
        "intake", "participant.released", release, subject=participant, sequence=2).to_json()))
    wait_until(corrected)


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
    ("POST", f"/placements/{UNKNOWN}/start/correction", {"started_on": "2026-01-01",
                                                         "reason": "entry-error"}),
    ("POST", f"/placements/{UNKNOWN}/end/correction", {"ended_on": "2026-01-01", "reason": "entry-error"}),
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


def test_the_wage_reaches_the_municipality_alone():
    """Whoever hears of a start hears its contract type and hours; the wage is in a fact of its
    own that the policy lets only the municipality (and its integrator) receive."""
    hearing_of_terms = [o for o in ORGANISATIONS if o != "operator"
                        and "placement.terms_agreed" in visible_to(o)]
    assert hearing_of_terms == ["municipality"]
    assert integrators_of("placement.terms_agreed") == ["municipality"]


# --- what happened, not what is to come ------------------------------------------------------

def test_a_start_end_or_check_in_on_a_day_still_to_come_is_refused_naming_the_day(api, broker):
    participant, placement_id, _ = accepted_match(broker)
    path = f"/placements/{placement_id}"
    next_month = str(add_months(clock.today(), 1))
    response = api.call("POST", f"{path}/start", COACH, {
        "contract_type": "paid-temporary", "hourly_wage": "15.25", "job_coach": "x",
        "started_on": next_month})
    assert response.status_code == 422 and "started_on" in response.json()["fields"]
    assert api.call("GET", path, COACH).json()["status"] == "planned"
    start(api, placement_id, on=clock.today())
    for action, body, field in (("check-ins", {"held_on": next_month, "risk": "none"}, "held_on"),
                                ("end", {"reason": "resigned", "ended_on": next_month},
                                 "ended_on")):
        response = api.call("POST", f"{path}/{action}", COACH, body)
        assert response.status_code == 422 and field in response.json()["fields"]
    placement = api.call("GET", path, COACH).json()
    assert placement["status"] == "started" and placement["check_ins"] == []
    assert len(broker.facts("placement.started", participant)) == 1
    assert not [f for f in broker.drain() if f["type"] == "placement.ended"
                and f["subject"] == participant]


def test_the_shipped_minimum_wage_is_the_statutory_one_by_half_year():
    wml = statutory_minimum_wage()
    assert [wml.on(day) for day in (date(2023, 12, 31), date(2024, 1, 1), date(2024, 6, 30),
                                    date(2024, 7, 1), date(2025, 1, 1), date(2025, 7, 1),
                                    date(2025, 12, 31), date(2026, 1, 1))] == [
        None, 1327, 1327, 1368, 1406, 1440, 1440, 1471]
    assert [wml.on(day, 19) for day in (date(2024, 1, 1), date(2024, 7, 1), date(2025, 1, 1),
                                        date(2025, 7, 1), date(2026, 1, 1))] == [
        796, 821, 844, 864, 883]


# The youth amounts by age, as shares of the amount at 21.
YOUTH_SHARES = {20: Decimal("0.80"), 19: Decimal("0.60"), 18: Decimal("0.50"),
                17: Decimal("0.395"), 16: Decimal("0.345"), 15: Decimal("0.30")}


def test_the_shipped_youth_amounts_are_their_share_of_the_amount_at_21_to_the_cent():
    for since, adult, youth in statutory_minimum_wage().amounts:
        off = {age: youth[age] - adult * share for age, share in YOUTH_SHARES.items()}
        assert {age: cents for age, cents in off.items() if abs(cents) > Decimal("0.5")} == {}, \
            since


def test_a_minimum_wage_missing_the_amounts_in_force_is_a_warning_not_a_fault(
        tmp_path, monkeypatch, caplog):
    """Past a 1 January or 1 July the file has no amounts for, placement starts and answers
    healthy, and its log at start and its health name the missing period and the file."""
    missing = add_months(statutory_minimum_wage().newest_from, 6)
    monkeypatch.setattr(clock, "today", lambda: missing + timedelta(days=155))
    with caplog.at_level(logging.WARNING), fresh_vhost() as amqp_uri, \
            running_service(PlacementService, amqp_uri, tmp_path) as api:
        health = api.call("GET", "/health")
    [logged] = [record for record in caplog.records if "minimum wage" in record.getMessage()]
    assert logged.levelno == logging.WARNING
    assert f"from {missing} on" in logged.getMessage()
    # The file by its name: /health, which anyone may ask, does not tell where it lies.
    assert "minimum_wage.yaml has no" in logged.getMessage()
    assert str(MINIMUM_WAGE_FILE.parent) not in logged.getMessage()
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert [f"placement: {warning}" for warning in health.json()["warnings"]] == [
        logged.getMessage()]


def test_a_paid_start_below_the_minimum_wage_in_force_is_422_naming_the_wage(api, broker):
    today = clock.today()
    minimum = statutory_minimum_wage().on(today)
    _, placement_id, _ = accepted_match(broker)
    terms = {"contract_type": "paid-permanent", "job_coach": "x", "started_on": str(today)}
    response = api.call("POST", f"/placements/{placement_id}/start", COACH, {
        **terms, "hourly_wage": f"{(minimum - 1) / 100:.2f}"})
    assert response.status_code == 422 and "hourly_wage" in response.json()["fields"]
    started = start(api, placement_id, hourly_wage=f"{minimum / 100:.2f}", **terms)
    assert started["hourly_wage_cents"] == minimum


def test_a_youth_wage_starts_with_the_age_on_the_first_day_which_no_fact_carries(api, broker):
    today = clock.today()
    youth = statutory_minimum_wage().on(today, 19)
    participant, placement_id, _ = accepted_match(broker)
    terms = {"contract_type": "paid-temporary", "job_coach": "x", "started_on": str(today),
             "age_on_start": 19}
    path = f"/placements/{placement_id}/start"
    below = api.call("POST", path, COACH, {**terms, "hourly_wage": f"{(youth - 1) / 100:.2f}"})
    assert below.status_code == 422 and "hourly_wage" in below.json()["fields"]
    adult = api.call("POST", path, COACH, {**terms, "age_on_start": 21,
                                           "hourly_wage": f"{youth / 100:.2f}"})
    assert adult.status_code == 422 and "age_on_start" in adult.json()["fields"]
    started = start(api, placement_id, hourly_wage=f"{youth / 100:.2f}", **terms)
    assert started["hourly_wage_cents"] == youth and "age_on_start" not in started
    for fact in broker.facts("placement.started", participant) + broker.facts(
            "placement.terms_agreed", participant):
        assert "age_on_start" not in fact["data"]


# --- corrections ---------------------------------------------------------------------------

def test_a_corrected_start_reckons_the_milestones_again(api, broker):
    """A start put a month earlier reaches the first milestone at once; put back, the milestone
    no longer holds and the correction says so. The placement keeps both days and the reasons,
    and its facts keep the original start beside each correction."""
    participant, placement_id, _ = accepted_match(broker)
    today = clock.today()
    recorded, month_ago = today - timedelta(days=3), add_months(today, -1)
    start(api, placement_id, on=recorded)
    path = f"/placements/{placement_id}/start/correction"
    response = api.call("POST", path, COACH, {"started_on": str(month_ago),
                                              "reason": "recorded-in-advance"})
    assert response.status_code == 200, response.text
    assert response.json()["started_on"] == str(month_ago) and response.json()["milestones"] == [1]
    [reached] = broker.facts("placement.milestone_reached", participant)
    assert reached["data"]["reached_on"] == str(add_months(month_ago, 1))
    back = api.call("POST", path, COACH, {"started_on": str(recorded), "reason": "entry-error"})
    assert back.json()["milestones"] == []
    first, second = broker.facts("placement.start_corrected", participant, count=2)
    assert {k: first["data"][k] for k in ("started_on", "previous_started_on", "reason",
                                          "milestones_withdrawn")} == {
        "started_on": str(month_ago), "previous_started_on": str(recorded),
        "reason": "recorded-in-advance", "milestones_withdrawn": []}
    assert (second["data"]["previous_started_on"], second["data"]["milestones_withdrawn"]) == (
        str(month_ago), [1])
    corrections = api.call("GET", f"/placements/{placement_id}", COACH).json()["corrections"]
    assert [(c["field"], c["previous"], c["corrected"], c["corrected_by"], c["corrected_on"])
            for c in corrections] == [
        ("started_on", str(recorded), str(month_ago), COACH, str(today)),
        ("started_on", str(month_ago), str(recorded), COACH, str(today))]
    history = api.call("GET", f"/events?subject={participant}", "operator").json()
    assert [f["type"] for f in history if f["type"].startswith("placement.st")] == [
        "placement.started", "placement.start_corrected", "placement.start_corrected"]
    started = next(f for f in history if f["type"] == "placement.started")
    assert started["data"]["started_on"] == str(recorded)


def test_a_corrected_end_is_its_own_fact(api, broker):
    participant, placement_id, _ = accepted_match(broker)
    today = clock.today()
    start(api, placement_id, on=today - timedelta(days=20))
    path = f"/placements/{placement_id}"
    api.call("POST", f"{path}/end", COACH, {"reason": "resigned", "ended_on": str(today)})
    response = api.call("POST", f"{path}/end/correction", COACH, {
        "ended_on": str(today - timedelta(days=5)), "reason": "entry-error"})
    assert response.status_code == 200 and response.json()["ended_on"] == str(
        today - timedelta(days=5))
    [corrected] = broker.facts("placement.end_corrected", participant)
    assert (corrected["data"]["ended_on"], corrected["data"]["previous_ended_on"],
            corrected["data"]["months_in_work"]) == (str(today - timedelta(days=5)), str(today), 0)


@pytest.mark.parametrize("action, body, field", [
    ("start/correction", {"started_on": "NEXT_MONTH", "reason": "entry-error"}, "started_on"),
    ("start/correction", {"started_on": "YESTERDAY"}, "reason"),
    ("start/correction", {"started_on": "YESTERDAY", "reason": "a slip of the pen"}, "reason"),
    ("end/correction", {"ended_on": "NEXT_MONTH", "reason": "entry-error"}, "ended_on"),
])
def test_a_bad_correction_gets_422_naming_the_field(api, broker, action, body, field):
    _, placement_id, _ = accepted_match(broker)
    start(api, placement_id, on=clock.today() - timedelta(days=2))
    api.call("POST", f"/placements/{placement_id}/end", COACH,
             {"reason": "resigned", "ended_on": str(clock.today())})
    days = {"NEXT_MONTH": str(add_months(clock.today(), 1)),
            "YESTERDAY": str(clock.today() - timedelta(days=1))}
    response = api.call("POST", f"/placements/{placement_id}/{action}", COACH,
                        {k: days.get(v, v) for k, v in body.items()})
    assert response.status_code == 422 and field in response.json()["fields"]


def test_only_a_recorded_start_or_end_is_corrected_and_only_by_a_coach(api, broker):
    _, placement_id, _ = accepted_match(broker)
    path = f"/placements/{placement_id}"
    yesterday = str(clock.today() - timedelta(days=1))
    correction = {"started_on": yesterday, "reason": "entry-error"}
    assert api.call("POST", f"{path}/start/correction", COACH, correction).status_code == 409
    start(api, placement_id)
    assert api.call("POST", f"{path}/end/correction", COACH,
                    {"ended_on": yesterday, "reason": "entry-error"}).status_code == 409
    for role in ("pi-case-manager", "employer-desk", "employer"):
        assert api.call("POST", f"{path}/start/correction", role, correction).status_code == 403
