"""The matching service on the real broker: profiles from the chain's facts, proposals out,
answers in; the employer desk's and employers' API."""
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from services.matching import handlers
from services.matching.service import MatchingService
from services.matching.store import MatchingSettings, MatchingUnitOfWork
from shared.metrics import metrics_for
from shared.store import make_engine, session_factory
from tests.harness import running_service

WATCHED = ["matching"]
DESK = "employer-desk"
TODAY = date.today()


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
    vacancy(api, mine, municipality="0513")
    api.issue_key("mijn-bv", "employer", employer_id=mine)
    api.issue_key("andere-bv", "employer", employer_id=theirs)
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
    ("GET", f"/candidates/{UNKNOWN}", None),
    ("GET", f"/candidates/{UNKNOWN}/vacancies", None),
    ("POST", f"/proposals/{UNKNOWN}/responses", {"party": "candidate", "decision": "accept"}),
])
def test_unknown_things_are_404_and_other_organisations_403(api, method, path, body):
    assert api.call(method, path, None, body).status_code == 401
    assert api.call(method, path, DESK, body).status_code == 404
    for role in ("pi-case-manager", "trainer", "job-coach"):
        assert api.call(method, path, role, body).status_code == 403
