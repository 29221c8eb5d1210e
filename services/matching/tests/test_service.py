"""The matching service on the real broker: profiles from the chain's facts, proposals out,
answers in; the employer desk's and employers' API."""
import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from services.intake.tests.test_audit import entries
from services.matching import handlers
from services.matching.service import MatchingService
from services.matching.store import MatchingSettings, MatchingUnitOfWork
from shared import clock
from shared.metrics import metrics_for
from shared.store import make_engine, session_factory
from tests.harness import running_service

WATCHED = ["matching"]
DESK = "employer-desk"
TODAY = clock.today()


@pytest.fixture(scope="module")
def api(amqp_uri, directory, broker):
    with running_service(MatchingService, amqp_uri, directory, OUTBOX_SWEEP_SECONDS=0.2) as api:
        yield api


@pytest.fixture(scope="module")
def uow(api, directory):
    """The service's own database, to move its clock forward as the timer would."""
    engine = make_engine(f"sqlite:///{directory / 'service.db'}")
    yield MatchingUnitOfWork(session_factory(engine), settings=MatchingSettings())
    engine.dispose()


@pytest.fixture(autouse=True)
def no_open_vacancies_left(api):
    """Each test starts without other tests' open vacancies, which would take its candidates."""
    yield
    for job in api.call("GET", "/vacancies?status=open&limit=500", DESK).json():
        api.call("POST", f"/vacancies/{job['id']}/closure", DESK, {"reason": "other"})


def ready_candidate(api, broker, municipality="0505", **profile):
    participant = str(uuid.uuid4())
    broker.publish("intake", "participant.admitted", {
        "participant_id": participant, "target_group": "detainee-last-phase",
        "municipality": municipality, "expected_release_date": str(TODAY + timedelta(days=20)),
        "language_level": "B1", "occupations": ["office-cleaner"], "skills": ["teamwork"],
        "preferred_sectors": ["cleaning"], **profile})
    broker.publish("training", "training.programme_completed", {
        "participant_id": participant, "programme_id": str(uuid.uuid4()),
        "certificates": ["employee-skills", "cleaning-diploma"], "completed_on": str(TODAY)})
    wait_until(lambda: api.call("GET", f"/candidates/{participant}", DESK).ok
               and api.call("GET", f"/candidates/{participant}", DESK).json()["status"] == "ready")
    return participant


def wait_until(probe, timeout=10):
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def employer(api, name="Schoon BV"):
    response = api.call("POST", "/employers", DESK, {
        "name": name, "sector": "cleaning", "municipality": "0505",
        "contact_name": "Petra", "contact_email": "petra@schoon.example.org",
        "social_return": True})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def vacancy(api, employer_id, **details):
    response = api.call("POST", "/vacancies", DESK, {
        "employer_id": employer_id, "occupation": "office-cleaner", "sector": "cleaning",
        "municipality": "0505", "hours_per_week": 24,
        "start_date": str(TODAY + timedelta(days=40)),
        "required_certificates": ["cleaning-diploma"], **details})
    assert response.status_code == 201, response.text
    return response.json()


def proposal_for(api, participant, status="proposed"):
    found = api.call("GET", f"/proposals?participant_id={participant}&status={status}", DESK).json()
    return found[0] if found else None


def test_a_vacancy_and_a_trained_candidate_make_one_proposal_and_one_match(api, broker):
    # Súdwest-Fryslân, where no other test has vacancies
    participant = ready_candidate(api, broker, municipality="1900")
    job = vacancy(api, employer(api), municipality="1900")
    [proposed] = broker.facts("match.proposed", participant)
    assert proposed["data"]["vacancy_id"] == job["id"]
    proposal = proposal_for(api, participant)
    path = f"/proposals/{proposal['id']}/responses"
    assert api.call("POST", path, DESK, {"party": "employer", "decision": "accept"}).ok
    accepted = api.call("POST", path, DESK, {"party": "candidate", "decision": "accept"})
    assert accepted.json()["status"] == "accepted"
    broker.facts("match.accepted", participant)
    assert api.call("POST", path, DESK, {"party": "candidate", "decision": "decline",
                                         "reason": "late"}).status_code == 409
    assert api.call("GET", f"/vacancies/{job['id']}", DESK).json()["status"] == "filled"


def test_replaying_the_facts_changes_nothing(api, broker):
    participant = str(uuid.uuid4())
    admitted = broker.publish("intake", "participant.admitted", {
        "participant_id": participant, "target_group": "detainee-last-phase",
        "municipality": "0344", "expected_release_date": str(TODAY + timedelta(days=20)),
        "language_level": "B1", "preferred_sectors": ["cleaning"]})
    completed = broker.publish("training", "training.programme_completed", {
        "participant_id": participant, "programme_id": str(uuid.uuid4()),
        "certificates": ["cleaning-diploma"], "completed_on": str(TODAY)})
    wait_until(lambda: api.call("GET", f"/candidates/{participant}", DESK).ok
               and api.call("GET", f"/candidates/{participant}", DESK).json()["status"] == "ready")
    vacancy(api, employer(api), municipality="0344", required_certificates=["cleaning-diploma",
                                                                              "bhv"],
            desired_certificates=[])
    job = vacancy(api, employer(api), municipality="0344")
    broker.facts("match.proposed", participant)
    for body, source, event_type in ((admitted, "intake", "participant.admitted"),
                                     (completed, "training", "training.programme_completed")):
        broker.publish(source, event_type, {}, body=body)
    time.sleep(1.5)
    assert len(broker.facts("match.proposed", participant)) == 1
    assert len(api.call("GET", f"/proposals?participant_id={participant}", DESK).json()) == 1
    assert proposal_for(api, participant)["vacancy_id"] == job["id"]


def test_employers_see_their_own_proposals_anonymised_and_answer_for_themselves(api, broker):
    participant = ready_candidate(api, broker, municipality="0513",
                                  restrictions=["no-work-with-minors", "area-ban"],
                                  banned_municipalities=["0512"])
    mine, theirs = employer(api, "Mijn BV"), employer(api, "Andere BV")
    job = vacancy(api, mine, municipality="0513")
    api.issue_key("mijn-bv", "employer", employer_id=mine)
    api.issue_key("andere-bv", "employer", employer_id=theirs)
    for method, path, body in (("PUT", f"/vacancies/{job['id']}", {"positions": 2}),
                               ("POST", f"/vacancies/{job['id']}/closure", {"reason": "other"})):
        assert api.call(method, path, "andere-bv", body).status_code == 404
    assert api.call("GET", f"/vacancies/{job['id']}", DESK).json() == job
    [seen] = api.call("GET", f"/employers/{mine}/proposals", "mijn-bv").json()
    assert seen["candidate"].startswith("candidate-") and "participant_id" not in seen
    text = str(seen)
    assert participant not in text
    for secret in ("minors", "0512", "ban", "excluded"):
        assert secret not in text
    assert api.call("GET", f"/employers/{mine}/proposals", "andere-bv").status_code == 404
    assert api.call("GET", "/vacancies", "andere-bv").json() == []
    path = f"/employers/{mine}/proposals/{seen['id']}/responses"
    assert api.call("POST", path, "andere-bv", {"decision": "accept"}).status_code == 404
    answered = api.call("POST", path, "mijn-bv", {"decision": "accept"})
    assert answered.status_code == 200 and answered.json()["employer_accepted"]
    assert api.call("GET", f"/candidates/{participant}", "mijn-bv").status_code == 403
    assert api.call("GET", "/proposals", "mijn-bv").status_code == 403
    api.issue_key("unbound", "employer")
    assert api.call("GET", "/vacancies", "unbound").status_code == 403


def test_an_area_ban_holds_however_the_place_is_written(api, broker):
    banned = ready_candidate(api, broker, municipality="1963", restrictions=["area-ban"],
                             banned_municipalities=["Gorinchem"])
    assert api.call("GET", f"/candidates/{banned}", DESK).json()["banned_municipalities"] == \
        ["0512"]
    for written in ("Gorinchem", "0512", "GM0512"):
        job = vacancy(api, employer(api), municipality=written)
        assert job["municipality"] == "0512"
        ranking = api.call("GET", f"/vacancies/{job['id']}/ranking", DESK).json()
        assert banned not in [entry["participant_id"] for entry in ranking["eligible"]]
    assert proposal_for(api, banned) is None


@pytest.mark.parametrize("spelling, meant", [
    ("gorinchem", "Gorinchem"), ("Gorinchem ", "Gorinchem"), ("GORINCHEM", "Gorinchem"),
    ("Gorin\u200bchem", "Gorinchem"), ("Gorinchem\u00a0", "Gorinchem"),
    ("den haag", "'s-Gravenhage"), ("GM512", None), ("9999", None)])
def test_a_place_spelt_otherwise_is_refused_naming_what_it_may_mean(api, spelling, meant):
    response = api.call("POST", "/vacancies", DESK, {
        "employer_id": employer(api), "occupation": "office-cleaner", "sector": "cleaning",
        "municipality": spelling, "hours_per_week": 24, "start_date": str(TODAY)})
    assert response.status_code == 422
    [message] = response.json()["fields"]["municipality"]
    assert message.startswith("Not a municipality: give its CBS code")
    assert (f"Did you mean {meant!r}" in message) if meant else ("Did you mean" not in message)


def test_the_ranking_gives_caseworkers_the_full_reasoning_and_near_misses(api, broker):
    ready_candidate(api, broker, municipality="0758")
    almost = ready_candidate(api, broker, municipality="0758", language_level="A1")
    job = vacancy(api, employer(api), municipality="0758", min_language_level="A2",
                  positions=5)
    ranking = api.call("GET", f"/vacancies/{job['id']}/ranking", DESK).json()
    assert ranking["eligible"] and all(entry["eligible"] for entry in ranking["eligible"])
    [near] = [entry for entry in ranking["near_misses"] if entry["participant_id"] == almost]
    assert near["closing_modules"] == ["dutch-for-work"]
    assert "Dutch at A1, the vacancy needs A2" in near["exclusions"]
    options = api.call("GET", f"/candidates/{almost}/vacancies", DESK).json()
    assert job["id"] not in [o["vacancy_id"] for o in options]


# Training's standard modules: (code, weeks, certificate).
STANDARD_MODULES = [("employee-skills", 4, "employee-skills"), ("vca-basic", 2, "vca-basic"),
                    ("bhv", 1, "bhv"), ("forklift", 2, "forklift"), ("code-95", 5, "code-95"),
                    ("cleaning", 6, "cleaning-diploma"), ("hospitality", 4, "hospitality-basic"),
                    ("dutch-for-work", 8, "dutch-for-work")]


def module_fact(broker, event_type, code, weeks, certificate, revision):
    """Publish a fact of training's catalogue; its id."""
    return json.loads(broker.publish("training", event_type, {
        "module": code, "name": code.title(), "certificate": certificate,
        "min_language_level": None, "weeks": weeks, "required_modules": [], "sectors": [],
        "revision": revision}))["id"]


def handled(uow, fact_id):
    with uow:
        return uow.session.scalar(select(uow.inbox.c.event_id)
                                  .where(uow.inbox.c.event_id == fact_id)) is not None


def test_the_advice_to_a_near_miss_follows_trainings_catalogue(api, broker, uow):
    """A module changed to award another certificate changes the advice; an older revision
    of it that comes late changes nothing."""
    almost = ready_candidate(api, broker, municipality="0642")
    job = vacancy(api, employer(api), municipality="0642",
                  required_certificates=["cleaning-diploma", "bhv"])

    def advice():
        ranking = api.call("GET", f"/vacancies/{job['id']}/ranking", DESK).json()
        return [entry["closing_modules"] for entry in ranking["near_misses"]
                if entry["participant_id"] == almost]

    assert advice() == [["bhv"]]  # the modules training ships with, before it told of any
    for code, weeks, certificate in STANDARD_MODULES:
        module_fact(broker, "training.module_added", code, weeks, certificate, 1)
    module_fact(broker, "training.module_added", "first-aid", 2, "bhv", 1)
    module_fact(broker, "training.module_changed", "bhv", 1, "vca-basic", 2)
    wait_until(lambda: advice() == [["first-aid"]])
    late = module_fact(broker, "training.module_added", "bhv", 1, "bhv", 1)
    wait_until(lambda: handled(uow, late))
    assert advice() == [["first-aid"]]
    # As training's catalogue stands for the other tests: bhv, the shortest, leads to BHV.
    module_fact(broker, "training.module_changed", "bhv", 1, "bhv", 3)
    wait_until(lambda: advice() == [["bhv"]])


def test_a_changed_vacancy_lets_proposals_it_no_longer_allows_lapse(api, broker):
    participant = ready_candidate(api, broker, municipality="0855")
    job = vacancy(api, employer(api), municipality="0855")
    broker.facts("match.proposed", participant)
    changed = api.call("PUT", f"/vacancies/{job['id']}", DESK, {"required_certificates": ["bhv"]})
    assert changed.status_code == 200 and changed.json()["required_certificates"] == ["bhv"]
    [expired] = broker.facts("match.expired", participant)
    assert expired["data"]["reason"] == "vacancy-changed"
    broker.facts("vacancy.changed")
    closed = api.call("POST", f"/vacancies/{job['id']}/closure", DESK, {"reason": "other"})
    assert closed.json()["status"] == "closed"
    assert api.call("PUT", f"/vacancies/{job['id']}", DESK, {"positions": 2}).status_code == 409


def test_unanswered_proposals_expire_and_the_vacancy_is_offered_to_the_next(api, broker, uow):
    first = ready_candidate(api, broker, municipality="0606")
    job = vacancy(api, employer(api), municipality="0606")
    broker.facts("match.proposed", first)
    second = ready_candidate(api, broker, municipality="0606")
    later = datetime.now(timezone.utc) + timedelta(days=15)
    assert handlers.expire_due_proposals(uow, now=later) >= 1
    [expired] = broker.facts("match.expired", first)
    assert expired["data"]["reason"] == "timed-out"
    [offered] = broker.facts("match.proposed", second)
    assert offered["data"]["vacancy_id"] == job["id"]


def test_a_withdrawn_participant_leaves_matching(api, broker):
    participant = ready_candidate(api, broker, municipality="0512")
    vacancy(api, employer(api), municipality="0512")
    broker.facts("match.proposed", participant)
    broker.publish("intake", "participant.withdrawn", {
        "participant_id": participant, "reason": "recalled-to-custody", "withdrawn_on": str(TODAY)})
    assert broker.facts("match.expired", participant)[0]["data"]["reason"] == "candidate-withdrawn"
    wait_until(lambda: api.call("GET", f"/candidates/{participant}", DESK).status_code == 404)


def test_a_corrected_release_date_is_what_availability_counts_from(api, broker):
    """Intake put the release right after recording it: the candidate is available from the
    corrected day, not from the one first recorded, though the correction (not among intake's
    ordered facts) came before the admission and the release it corrects."""
    participant = str(uuid.uuid4())
    recorded, corrected = TODAY, TODAY - timedelta(days=3)
    broker.publish("intake", "participant.release_corrected", {
        "participant_id": participant, "released_on": str(corrected),
        "previous_released_on": str(recorded), "reason": "entry-error"})
    broker.publish_in_order("intake", participant, ("participant.admitted", {
        "participant_id": participant, "target_group": "detainee-last-phase",
        "municipality": "0505", "expected_release_date": str(TODAY + timedelta(days=20)),
        "language_level": "B1", "occupations": ["office-cleaner"],
        "preferred_sectors": ["cleaning"]}), ("participant.released", {
        "participant_id": participant, "released_on": str(recorded), "municipality": "0505"}))

    def profile():
        response = api.call("GET", f"/candidates/{participant}", DESK)
        return response.json() if response.ok else {}
    wait_until(lambda: profile().get("released_on") == str(corrected))
    assert profile()["available_from"] == str(corrected)


def test_facts_about_someone_who_left_matching_are_let_go_not_retried(api, broker):
    """Training and placement may record facts before they hear of a withdrawal or an
    erasure: those facts change nothing, and are neither retried nor parked."""
    left = {"withdrawn": ready_candidate(api, broker), "erased": ready_candidate(api, broker)}
    broker.publish("intake", "participant.withdrawn", {
        "participant_id": left["withdrawn"], "reason": "recalled-to-custody",
        "withdrawn_on": str(TODAY)})
    broker.publish("intake", "participant.consent_withdrawn", {
        "participant_id": left["erased"], "purpose": "matching",
        "withdrawn_at": "2026-11-20T10:00:00+00:00"})
    for participant in left.values():
        wait_until(lambda: api.call("GET", f"/candidates/{participant}", DESK).status_code == 404)
    metrics = metrics_for("matching")
    followed = (("matching.follow_training", "training.certificate_awarded"),
                ("matching.follow_placement", "placement.started"))

    def count(counter):
        return [counter.labels(*labels)._value.get() for labels in followed]
    failed, handled = count(metrics.failed), count(metrics.handled)
    for participant in left.values():
        broker.publish("training", "training.certificate_awarded", {
            "participant_id": participant, "programme_id": str(uuid.uuid4()),
            "certificate_id": str(uuid.uuid4()), "number": "DS-2026-000001",
            "certificate": "forklift", "module": "forklift", "issuer": "Drechtwerk",
            "issued_on": str(TODAY), "expires_on": None})
        broker.publish("placement", "placement.started", {
            "placement_id": str(uuid.uuid4()), "participant_id": participant,
            "employer_id": str(uuid.uuid4()), "contract_type": "paid-temporary",
            "hours_per_week": 24, "started_on": str(TODAY), "wage_cost_subsidy": False})
    wait_until(lambda: count(metrics.handled) == [n + 2 for n in handled])
    assert count(metrics.failed) == failed
    for participant in left.values():
        assert api.call("GET", f"/candidates/{participant}", DESK).status_code == 404


def test_a_pass_corrected_as_a_fail_takes_the_certificate_back_once_it_is_applied(api, broker):
    """The correction is not among training's ordered facts: one that overtakes the award it
    takes back waits for it."""
    participant = ready_candidate(api, broker)
    programme, award = str(uuid.uuid4()), str(uuid.uuid4())
    metrics = metrics_for("matching")
    labels = ("matching.follow_training", "training.result_corrected")
    before = metrics.handled.labels(*labels)._value.get()

    def certificates():
        return api.call("GET", f"/candidates/{participant}", DESK).json()["certificates"]
    broker.publish("training", "training.result_corrected", {
        "participant_id": participant, "programme_id": programme, "module": "forklift",
        "passed": False, "completed_on": str(TODAY), "previous_passed": True,
        "previous_completed_on": str(TODAY), "reason": "entry-error",
        "certificate_revoked": "forklift", "revoked_certificate_id": award})
    broker.publish("training", "training.certificate_awarded", {
        "participant_id": participant, "programme_id": programme,
        "certificate_id": award, "number": "DS-2026-000002",
        "certificate": "forklift", "module": "forklift", "issuer": "Drechtwerk",
        "issued_on": str(TODAY), "expires_on": None})
    wait_until(lambda: metrics.handled.labels(*labels)._value.get() == before + 1, timeout=30)
    assert "forklift" not in certificates()
    assert "cleaning-diploma" in certificates()


def test_corrections_of_placement_days_are_followed_and_change_nothing(api, broker):
    """Matching hears of the corrections of a start or end, as it must before they can join
    placement's ordered facts, and a placed candidate stays placed whatever the day."""
    participant = ready_candidate(api, broker)
    placement = {"placement_id": str(uuid.uuid4()), "participant_id": participant,
                 "employer_id": str(uuid.uuid4())}
    started_on = str(TODAY - timedelta(days=10))
    metrics = metrics_for("matching")
    corrections = [("matching.follow_placement", t)
                   for t in ("placement.start_corrected", "placement.end_corrected")]

    def handled():
        return [metrics.handled.labels(*labels)._value.get() for labels in corrections]

    def status():
        return api.call("GET", f"/candidates/{participant}", DESK).json()["status"]
    before = handled()
    broker.publish_in_order("placement", participant, (
        "placement.started", {**placement, "contract_type": "paid-temporary",
                              "hours_per_week": 24, "started_on": started_on,
                              "wage_cost_subsidy": False}))
    wait_until(lambda: status() == "placed")
    broker.publish("placement", "placement.start_corrected", {
        **placement, "started_on": str(TODAY - timedelta(days=12)),
        "previous_started_on": started_on, "reason": "entry-error",
        "milestones_withdrawn": []})
    wait_until(lambda: handled()[0] == before[0] + 1)
    assert status() == "placed"
    broker.publish("placement", "placement.end_corrected", {
        **placement, "ended_on": str(TODAY - timedelta(days=1)), "previous_ended_on": str(TODAY),
        "reason": "entry-error", "months_in_work": 0, "milestones_withdrawn": []})
    wait_until(lambda: handled()[1] == before[1] + 1)
    assert status() == "placed"


def test_consent_withdrawal_erases_the_profile_and_its_proposals(api, broker, directory):
    participant = ready_candidate(api, broker, municipality="0513")
    vacancy(api, employer(api), municipality="0513", positions=3)
    broker.facts("match.proposed", participant)
    broker.publish("intake", "participant.consent_withdrawn", {
        "participant_id": participant, "purpose": "matching",
        "withdrawn_at": "2026-11-20T10:00:00+00:00"})
    wait_until(lambda: api.call("GET", f"/candidates/{participant}", DESK).status_code == 404)
    assert api.call("GET", f"/proposals?participant_id={participant}", DESK).json() == []
    time.sleep(0.5)
    raw = b"".join(path.read_bytes() for path in directory.glob("service.db*"))
    assert participant.encode() not in raw


@pytest.mark.parametrize("body, field", [
    ({"occupation": "astronaut"}, "occupation"),
    ({"required_certificates": ["pilot"]}, "required_certificates"),
    ({"postcode": "12345"}, "postcode"),
    ({"shift_starts_at": "8 am"}, "shift_starts_at"),
    ({"hours_per_week": 60}, "hours_per_week"),
    ({"employer_id": "nope"}, "employer_id"),
])
def test_invalid_vacancies_get_422_naming_the_field(api, body, field):
    base = {"employer_id": str(uuid.uuid4()), "occupation": "office-cleaner", "sector": "cleaning",
            "municipality": "0505", "hours_per_week": 24, "start_date": str(TODAY)}
    response = api.call("POST", "/vacancies", DESK, base | body)
    assert response.status_code == 422 and field in response.json()["fields"]


def test_a_vacancy_for_an_unknown_employer_is_404_and_a_bad_employer_is_422(api):
    response = api.call("POST", "/vacancies", DESK, {
        "employer_id": str(uuid.uuid4()), "occupation": "office-cleaner", "sector": "cleaning",
        "municipality": "0505", "hours_per_week": 24, "start_date": str(TODAY)})
    assert response.status_code == 404
    bad = api.call("POST", "/employers", DESK, {"name": "X", "sector": "cleaning",
                                                "municipality": "0505", "contact_name": "Y",
                                                "contact_email": "not an address"})
    assert bad.status_code == 422 and "contact_email" in bad.json()["fields"]


UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("method, path, body", [
    ("GET", f"/employers/{UNKNOWN}", None),
    ("GET", f"/vacancies/{UNKNOWN}", None),
    ("PUT", f"/vacancies/{UNKNOWN}", {"positions": 2}),
    ("POST", f"/vacancies/{UNKNOWN}/closure", {"reason": "other"}),
    ("GET", f"/vacancies/{UNKNOWN}/ranking", None),
    ("GET", f"/vacancies/{UNKNOWN}/candidates/{UNKNOWN}", None),
    ("GET", f"/candidates/{UNKNOWN}", None),
    ("GET", f"/candidates/{UNKNOWN}/vacancies", None),
    ("POST", f"/proposals/{UNKNOWN}/responses", {"party": "candidate", "decision": "accept"}),
])
def test_unknown_things_are_404_and_other_organisations_403(api, method, path, body):
    assert api.call(method, path, None, body).status_code == 401
    assert api.call(method, path, DESK, body).status_code == 404
    for role in ("pi-case-manager", "trainer", "job-coach"):
        assert api.call(method, path, role, body).status_code == 403


# --- why not: the desk sees the whole assessment of a candidate for a vacancy ----------------

def test_the_desk_sees_why_a_candidate_is_excluded_and_employers_never_do(api, broker):
    # Capelle aan den IJssel, where no other test has vacancies or candidates
    fit = ready_candidate(api, broker, municipality="0502")
    banned = ready_candidate(api, broker, municipality="0502",
                             restrictions=["area-ban", "no-work-with-minors"],
                             banned_municipalities=["0502"])
    job = vacancy(api, employer(api), municipality="0502", works_with_minors=True, positions=5)
    path = f"/vacancies/{job['id']}/candidates/{banned}"
    why = api.call("GET", path, DESK)
    assert why.status_code == 200, why.text
    why = why.json()
    assert (why["vacancy_id"], why["participant_id"]) == (job["id"], banned)
    assert not why["eligible"] and why["matchable"] and why["score"] == 0
    assert why["score_parts"] == {}
    assert why["exclusion_reasons"] == [
        {"code": "area-ban", "explanation": "area ban covers Capelle aan den IJssel (0502)"},
        {"code": "no-work-with-minors", "explanation": "may not work with minors"}]
    assert why["exclusions"] == [reason["explanation"] for reason in why["exclusion_reasons"]]
    fits = api.call("GET", f"/vacancies/{job['id']}/candidates/{fit}", DESK).json()
    assert fits["eligible"] and fits["exclusion_reasons"] == [] and fits["score"] > 0
    assert fits["score"] == sum(fits["score_parts"].values())
    assert set(fits["score_parts"]) == {"desired_certificates", "skills", "occupation",
                                        "sector", "distance", "timing"}

    ranking = f"/vacancies/{job['id']}/ranking"
    assert "excluded" not in api.call("GET", ranking, DESK).json()
    before = len(entries(api, participant_id=banned))
    listed = api.call("GET", ranking + "?include_excluded=true", DESK).json()
    [read] = entries(api, participant_id=banned)[before:]
    assert (read["reader"], read["fields"], read["outcome"]) == (DESK, ["assessment"], "allowed")
    excluded = {entry["participant_id"]: entry for entry in listed["excluded"]}
    assert banned in excluded and fit not in excluded
    assert [reason["code"] for reason in excluded[banned]["exclusion_reasons"]] == [
        "area-ban", "no-work-with-minors"]
    assert fit in {entry["participant_id"] for entry in listed["eligible"]}

    api.issue_key("werkgever-capelle", "employer", employer_id=job["employer_id"])
    for role in ("werkgever-capelle", "employer", "trainer"):
        assert api.call("GET", path, role).status_code == 403
        assert api.call("GET", ranking + "?include_excluded=true", role).status_code == 403
    assert api.call("GET", ranking + "?include_excluded=perhaps", DESK).status_code == 422


def test_each_look_at_a_candidates_assessment_is_logged_like_every_candidate_read(api, broker):
    participant = ready_candidate(api, broker, municipality="0502")
    job = vacancy(api, employer(api), municipality="0502")
    before = len(entries(api, participant_id=participant))
    path = f"/vacancies/{job['id']}/candidates/{participant}"
    assert api.call("GET", path, DESK).status_code == 200
    assert api.call("GET", path, "employer").status_code == 403
    assert api.call("GET", f"/vacancies/{UNKNOWN}/candidates/{participant}", DESK).status_code \
        == 404
    logged = entries(api, participant_id=participant)[before:]
    assert [(entry["reader"], entry["fields"], entry["outcome"]) for entry in logged] == [
        (DESK, ["assessment"], "allowed"), ("employer", ["assessment"], "refused"),
        (DESK, ["assessment"], "not-found")]
    assert api.call("GET", f"/vacancies/{job['id']}/candidates/{UNKNOWN}", DESK).status_code \
        == 404


# --- vacancies: titles, descriptions, search, filters, totals, the start date --------------

def test_a_vacancy_has_a_title_and_a_description_that_the_list_searches(api):
    mine = employer(api, "Titel BV")
    plain = vacancy(api, mine, municipality="1709")
    assert plain["title"] == "Office cleaner" and plain["description"] is None
    # Later start dates, so that the list (by start date) has them in this order.
    named = vacancy(api, mine, municipality="1709", title="Schoonmaker ziekenhuis",
                    description="Avonddienst in het Beatrix-ziekenhuis, 100% vergoed",
                    start_date=str(TODAY + timedelta(days=50)))
    other = vacancy(api, employer(api, "Ander BV"), municipality="1719",
                    title="Heftruckchauffeur ZIEKENHUIS-magazijn",
                    start_date=str(TODAY + timedelta(days=60)))
    assert api.call("GET", f"/vacancies/{named['id']}", DESK).json()["description"].startswith(
        "Avonddienst")

    def found(query):
        response = api.call("GET", f"/vacancies?{query}", DESK)
        assert response.status_code == 200, response.text
        return [job["id"] for job in response.json()], int(response.headers["X-Total-Count"])
    assert found("q=ziekenhuis") == ([named["id"], other["id"]], 2)
    assert found("q=BEATRIX") == ([named["id"]], 1)
    # A % or _ is text, not a wildcard.
    assert found("q=100%25") == ([named["id"]], 1)
    assert found("q=r%25k") == ([], 0) and found("q=k_k") == ([], 0)
    assert found("q=ziekenhuis&municipality=1719") == ([other["id"]], 1)
    assert found("q=ziekenhuis&municipality=Moerdijk") == ([named["id"]], 1)
    assert found(f"employer_id={mine}") == ([plain["id"], named["id"]], 2)
    assert found(f"employer_id={mine}&status=open&limit=1") == ([plain["id"]], 2)
    assert found(f"employer_id={mine}&status=closed") == ([], 0)
    changed = api.call("PUT", f"/vacancies/{plain['id']}", DESK,
                       {"title": "Schoonmaker kantoren", "description": "Ook in het ziekenhuis"})
    assert changed.status_code == 200 and changed.json()["title"] == "Schoonmaker kantoren"
    assert found(f"q=ziekenhuis&employer_id={mine}") == ([plain["id"], named["id"]], 2)
    for body, field in (({"title": ""}, "title"), ({"title": None}, "title"),
                        ({"description": "x" * 2001}, "description")):
        refused = api.call("PUT", f"/vacancies/{plain['id']}", DESK, body)
        assert refused.status_code == 422 and field in refused.json()["fields"], body
    assert api.call("GET", "/vacancies?municipality=Atlantis", DESK).status_code == 422


def test_the_facts_of_a_vacancy_carry_its_title_and_description(api, broker):
    job = vacancy(api, employer(api), municipality="1930", title="Kok",
                  description="Bedrijfsrestaurant")
    [published] = broker.facts("vacancy.published", job["id"])
    assert (published["data"]["title"], published["data"]["description"]) == (
        "Kok", "Bedrijfsrestaurant")
    api.call("PUT", f"/vacancies/{job['id']}", DESK, {"description": None})
    [changed] = broker.facts("vacancy.changed", job["id"])
    assert (changed["data"]["title"], changed["data"]["description"]) == ("Kok", None)


def test_every_list_says_how_many_match_before_paging(api, broker):
    participant = ready_candidate(api, broker, municipality="1978")
    mine = employer(api, "Tellen BV")
    vacancy(api, mine, municipality="1978")
    api.issue_key("tellen-bv", "employer", employer_id=mine)
    for path, role in (("/employers", DESK), ("/vacancies", DESK), ("/candidates", DESK),
                       (f"/proposals?participant_id={participant}", DESK),
                       (f"/employers/{mine}/proposals", "tellen-bv"),
                       ("/vacancies", "tellen-bv")):
        everything = api.call("GET", path, role)
        joined = "&" if "?" in path else "?"
        one = api.call("GET", f"{path}{joined}limit=1", role)
        assert everything.status_code == one.status_code == 200, (path, one.text)
        total = int(everything.headers["X-Total-Count"])
        assert total == len(everything.json()) >= 1 or len(everything.json()) == 50, path
        assert int(one.headers["X-Total-Count"]) == total and len(one.json()) == 1, path
    assert api.call("GET", "/vacancies", "tellen-bv").headers["X-Total-Count"] == "1"


@pytest.mark.parametrize("days_ago", [1, 400])
def test_a_start_date_in_the_past_is_refused_on_publishing_and_on_changing(api, days_ago):
    mine = employer(api)
    past = str(TODAY - timedelta(days=days_ago))
    refused = api.call("POST", "/vacancies", DESK, {
        "employer_id": mine, "occupation": "office-cleaner", "sector": "cleaning",
        "municipality": "0505", "hours_per_week": 24, "start_date": past})
    assert refused.status_code == 422 and "start_date" in refused.json()["fields"]
    job = vacancy(api, mine, start_date=str(TODAY))
    moved = api.call("PUT", f"/vacancies/{job['id']}", DESK, {"start_date": past})
    assert moved.status_code == 422 and "start_date" in moved.json()["fields"]
    assert api.call("GET", f"/vacancies/{job['id']}", DESK).json()["start_date"] == str(TODAY)
