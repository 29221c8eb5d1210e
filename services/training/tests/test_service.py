"""The training service running on the real broker: intake's facts in, training's facts out,
and its HTTP API for trainers."""
import time
import uuid
from datetime import timedelta

import pytest

from services.training.service import TrainingService
from shared import clock
from tests.harness import running_service

WATCHED = ["training"]
TRAINER = "trainer"
# The day in Amsterdam, as training counts it: no session or result may lie after it.
TODAY = clock.today()


@pytest.fixture(scope="module")
def api(amqp_uri, directory, broker):
    with running_service(TrainingService, amqp_uri, directory, OUTBOX_SWEEP_SECONDS=0.2,
                         TRAINING_DEMAND="forklift") as api:
        yield api


@pytest.fixture(scope="module")
def facts(broker):
    return broker.facts


def publish(broker, event_type, **data):
    return broker.publish("intake", event_type, data)


def admitted(participant_id, language="B1"):
    return dict(participant_id=participant_id, target_group="detainee-last-phase",
                municipality="0505", expected_release_date=str(TODAY + timedelta(days=120)),
                language_level=language, preferred_sectors=["logistics"])


def plan_cohort(api, module="employee-skills", places=10, starts_in_days=0):
    start = TODAY + timedelta(days=starts_in_days)
    response = api.call("POST", "/cohorts", TRAINER, {
        "module": module, "starts_on": str(start), "ends_on": str(start + timedelta(weeks=4)),
        "places": places, "trainer": "Anna de Vries"})
    assert response.status_code == 201, response.text
    return response.json()


def wait_for_programme(api, participant_id):
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        response = api.call("GET", f"/participants/{participant_id}/programme", TRAINER)
        if response.status_code == 200:
            return response.json()
        time.sleep(0.05)
    raise AssertionError(f"no programme for {participant_id}")


@pytest.fixture(scope="module")
def cohorts(api):
    return plan_cohort(api), plan_cohort(api, "forklift")


def test_admission_on_the_broker_enrols_and_passing_awards_a_certificate_with_expiry(
        api, broker, facts, cohorts):
    participant = str(uuid.uuid4())
    publish(broker, "participant.admitted", **admitted(participant))
    [enrolled] = facts("training.enrolled", participant)
    assert enrolled["data"]["module"] == "employee-skills"
    assert enrolled["data"]["cohort_id"] == cohorts[0]["id"]
    assert enrolled["data"]["modules"] == ["employee-skills", "forklift"]
    for module in ("employee-skills", "forklift"):
        response = api.call("POST", f"/participants/{participant}/results", TRAINER,
                            {"module": module, "passed": True, "completed_on": str(TODAY)})
        assert response.status_code == 201, response.text
    awarded = {f["data"]["module"]: f["data"] for f in
               facts("training.certificate_awarded", participant, count=2)}
    assert awarded["forklift"]["expires_on"] == str(TODAY.replace(year=TODAY.year + 5))
    assert awarded["employee-skills"]["expires_on"] is None
    certificates = api.call("GET", f"/participants/{participant}/certificates", TRAINER).json()
    assert {c["number"] for c in certificates} == {a["number"] for a in awarded.values()}
    facts("training.programme_completed", participant)


def test_a_duplicate_admission_enrols_once(api, broker, facts, cohorts):
    participant = str(uuid.uuid4())
    body = publish(broker, "participant.admitted", **admitted(participant))
    broker.publish("intake", "participant.admitted", {}, body=body)
    facts("training.enrolled", participant)
    time.sleep(1)
    with pytest.raises(AssertionError):
        facts("training.enrolled", participant, count=2, timeout=0.5)


def test_consent_withdrawal_leaves_no_trace_in_the_database(api, broker, facts, directory,
                                                            cohorts):
    participant = str(uuid.uuid4())
    publish(broker, "participant.admitted", **admitted(participant))
    facts("training.enrolled", participant)
    # Keyed, so that its answer, which names the participant, is kept for a repeat.
    attended = api.call("POST", f"/cohorts/{cohorts[0]['id']}/sessions", TRAINER,
                        {"held_on": str(TODAY), "present": [participant]},
                        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert participant in attended.text
    publish(broker, "participant.consent_withdrawn", participant_id=participant,
            purpose="training", withdrawn_at="2026-11-20T10:00:00+00:00")
    deadline = time.monotonic() + 10
    while api.call("GET", f"/participants/{participant}/programme", TRAINER).status_code != 404:
        assert time.monotonic() < deadline, "the programme was not erased"
        time.sleep(0.05)
    time.sleep(0.5)
    raw = b"".join(path.read_bytes() for path in directory.glob("service.db*"))
    assert raw and participant.encode() not in raw


def test_modules_are_listed_added_and_changed(api):
    modules = {m["code"]: m for m in api.call("GET", "/modules", TRAINER).json()}
    assert {"employee-skills", "vca-basic", "bhv", "forklift", "code-95", "cleaning",
            "hospitality", "dutch-for-work"} <= set(modules)
    assert modules["forklift"]["required_modules"] == ["employee-skills"]
    changed = api.call("PUT", "/modules/bhv", TRAINER, {"places": 14, "valid_years": 2})
    assert changed.status_code == 200
    assert (changed.json()["places"], changed.json()["valid_years"]) == (14, 2)
    assert api.call("POST", "/modules", TRAINER, {**modules["bhv"]}).status_code == 409
    assert api.call("PUT", "/modules/nope", TRAINER, {"places": 3}).status_code == 404


def test_the_chain_hears_of_a_module_added_and_changed(api, facts):
    # No sectors: no route proposed to another test's participant takes it.
    module = {"code": "first-aid", "name": "First aid", "weeks": 2, "places": 8,
              "certificate": "bhv", "issuer": "Leerwerkbedrijf", "min_language_level": "A2"}
    assert api.call("POST", "/modules", TRAINER, module).status_code == 201
    [added] = facts("training.module_added", "first-aid")
    assert added["data"] == {"module": "first-aid", "name": "First aid", "certificate": "bhv",
                             "min_language_level": "A2", "weeks": 2, "required_modules": [],
                             "sectors": [], "revision": 1}
    assert api.call("PUT", "/modules/first-aid", TRAINER,
                    {"certificate": "vca-basic", "weeks": 3}).status_code == 200
    [changed] = facts("training.module_changed", "first-aid")
    assert {**added["data"], "certificate": "vca-basic", "weeks": 3, "revision": 2} == \
        changed["data"]


@pytest.mark.parametrize("change, field", [
    ({"certificate": "astronaut"}, "certificate"),
    ({"weeks": 0}, "weeks"),
    ({"code": "Has Spaces"}, "code"),
    ({"min_language_level": "D9"}, "min_language_level"),
])
def test_an_invalid_module_gets_422_naming_the_field(api, change, field):
    module = {"code": "welding", "name": "Welding", "weeks": 6, "places": 8,
              "certificate": "vca-basic", "issuer": "Leerwerkbedrijf"}
    response = api.call("POST", "/modules", TRAINER, module | change)
    assert response.status_code == 422 and field in response.json()["fields"]


def test_a_module_requiring_an_unknown_module_is_refused(api):
    response = api.call("POST", "/modules", TRAINER, {
        "code": "welding-2", "name": "Welding 2", "weeks": 6, "places": 8,
        "certificate": "vca-basic", "issuer": "Leerwerkbedrijf", "required_modules": ["welding-1"]})
    assert response.status_code == 409


def test_a_new_cohort_takes_the_waiting_list_in_order(api, broker, facts, cohorts):
    participants = [str(uuid.uuid4()) for _ in range(3)]
    full = plan_cohort(api, "dutch-for-work", places=1, starts_in_days=3)
    for participant in participants:
        publish(broker, "participant.admitted", **admitted(participant, language="A1"))
        wait_for_programme(api, participant)
    for participant in participants:
        assert api.call("POST", f"/participants/{participant}/results", TRAINER, {
            "module": "employee-skills", "passed": True, "completed_on": str(TODAY)}).ok
    # the first takes the only place; the others wait for Dutch for work, in order
    assert api.call("GET", f"/cohorts/{full['id']}", TRAINER).json()["members"] == participants[:1]
    waiting = api.call("GET", "/modules/dutch-for-work/waiting-list", TRAINER).json()["waiting"]
    assert waiting == participants[1:]
    assert facts("training.waitlisted", participants[2])[0]["data"]["position"] == 2
    second = plan_cohort(api, "dutch-for-work", places=1, starts_in_days=10)
    assert second["members"] == participants[1:2]
    dropped = api.call("POST", f"/participants/{participants[0]}/drop-out", TRAINER,
                       {"reason": "health"})
    assert dropped.json()["status"] == "dropped-out"
    assert api.call("GET", f"/cohorts/{full['id']}", TRAINER).json()["members"] == participants[2:]


def test_attendance_is_recorded_per_session_and_shown_in_the_programme(api, broker, cohorts):
    participant = str(uuid.uuid4())
    publish(broker, "participant.admitted", **admitted(participant))
    wait_for_programme(api, participant)
    # Into the forklift cohort: a session of it may be held today at the earliest, as it starts
    # today, and at the latest, as no session lies in the future.
    assert api.call("POST", f"/participants/{participant}/results", TRAINER, {
        "module": "employee-skills", "passed": True, "completed_on": str(TODAY)}).ok
    forklift = api.call("GET", f"/participants/{participant}/programme", TRAINER).json()["steps"][1]
    assert forklift["cohort_id"] == cohorts[1]["id"]
    sessions = f"/cohorts/{cohorts[1]['id']}/sessions"
    stranger = api.call("POST", sessions, TRAINER,
                        {"held_on": str(TODAY), "present": [str(uuid.uuid4())]})
    assert stranger.status_code == 422 and "present" in stranger.json()["fields"]
    response = api.call("POST", sessions, TRAINER, {"held_on": str(TODAY), "absent": [participant]})
    assert response.status_code == 201, response.text
    step = api.call("GET", f"/participants/{participant}/programme", TRAINER).json()["steps"][1]
    assert (step["sessions_attended"], step["sessions_held"]) == (0, 1)
    again = api.call("POST", sessions, TRAINER, {"held_on": str(TODAY), "present": [participant]})
    assert again.status_code == 409


def test_a_session_or_result_dated_in_the_future_gets_422_naming_the_field(api, broker, facts,
                                                                          cohorts):
    participant = str(uuid.uuid4())
    publish(broker, "participant.admitted", **admitted(participant))
    [enrolled] = facts("training.enrolled", participant)
    tomorrow = str(TODAY + timedelta(days=1))
    session = api.call("POST", f"/cohorts/{enrolled['data']['cohort_id']}/sessions", TRAINER,
                       {"held_on": tomorrow, "present": [participant]})
    assert session.status_code == 422 and "held_on" in session.json()["fields"]
    result = api.call("POST", f"/participants/{participant}/results", TRAINER,
                      {"module": "employee-skills", "passed": True, "completed_on": tomorrow})
    assert result.status_code == 422 and "completed_on" in result.json()["fields"]
    programme = api.call("GET", f"/participants/{participant}/programme", TRAINER).json()
    assert programme["results"] == [] and programme["steps"][0]["sessions_held"] == 0
    with pytest.raises(AssertionError):
        facts("training.module_completed", participant, timeout=0.5)


def test_a_trainer_corrects_a_result_and_the_chain_hears_of_it(api, broker, facts, cohorts):
    participant = str(uuid.uuid4())
    publish(broker, "participant.admitted", **admitted(participant))
    facts("training.enrolled", participant)
    recorded = api.call("POST", f"/participants/{participant}/results", TRAINER,
                        {"module": "employee-skills", "passed": False,
                         "completed_on": str(TODAY)})
    assert recorded.status_code == 201, recorded.text
    path = f"/participants/{participant}/results/employee-skills/correction"
    seen = {"previous_passed": False, "previous_completed_on": str(TODAY)}
    unknown_reason = api.call("POST", path, TRAINER, {
        **seen, "passed": True, "completed_on": str(TODAY), "reason": "felt like it"})
    assert unknown_reason.status_code == 422 and "reason" in unknown_reason.json()["fields"]

    corrected = api.call("POST", path, TRAINER, {
        **seen, "passed": True, "completed_on": str(TODAY), "reason": "entry-error"})

    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["corrections"][0] | {
        "module": "employee-skills", "previous_passed": False, "passed": True,
        "reason": "entry-error"} == corrected.json()["corrections"][0]
    [fact] = facts("training.result_corrected", participant)
    assert (fact["data"]["previous_passed"], fact["data"]["passed"]) == (False, True)
    [awarded] = facts("training.certificate_awarded", participant)
    assert awarded["data"]["module"] == "employee-skills"
    again = api.call("POST", path, TRAINER, {
        **seen, "passed": True, "completed_on": str(TODAY), "reason": "entry-error"})
    assert again.status_code == 409  # what the trainer saw is no longer the latest result


def test_cohorts_are_listed_by_module_and_a_bad_cohort_gets_422(api, cohorts):
    listed = api.call("GET", "/cohorts?module=forklift", TRAINER).json()
    assert cohorts[1]["id"] in [c["id"] for c in listed]
    assert all(c["module"] == "forklift" for c in listed)
    backwards = api.call("POST", "/cohorts", TRAINER, {
        "module": "bhv", "starts_on": "2027-02-01", "ends_on": "2027-01-01", "places": 5,
        "trainer": "Anna"})
    assert backwards.status_code == 422 and "ends_on" in backwards.json()["fields"]
    unknown = api.call("POST", "/cohorts", TRAINER, {
        "module": "juggling", "starts_on": "2027-01-01", "ends_on": "2027-02-01", "places": 5,
        "trainer": "Anna"})
    assert unknown.status_code == 404


UNKNOWN = "00000000-0000-4000-8000-000000000000"
ENDPOINTS = [
    ("GET", "/modules", None), ("GET", "/cohorts", None),
    ("GET", f"/cohorts/{UNKNOWN}", None),
    ("POST", f"/cohorts/{UNKNOWN}/sessions", {"held_on": "2026-11-02"}),
    ("GET", f"/participants/{UNKNOWN}/programme", None),
    ("GET", f"/participants/{UNKNOWN}/certificates", None),
    ("POST", f"/participants/{UNKNOWN}/enrolments", {"module": "bhv"}),
    ("POST", f"/participants/{UNKNOWN}/results",
     {"module": "bhv", "passed": True, "completed_on": "2026-11-02"}),
    ("POST", f"/participants/{UNKNOWN}/results/bhv/correction",
     {"previous_passed": False, "previous_completed_on": "2026-11-01", "passed": True,
      "completed_on": "2026-11-02", "reason": "entry-error"}),
    ("POST", f"/participants/{UNKNOWN}/drop-out", {"reason": "health"}),
    ("GET", "/modules/juggling/waiting-list", None),
]


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_every_endpoint_needs_the_trainer_role_and_answers_404_for_the_unknown(api, method,
                                                                              path, body):
    assert api.call(method, path, None, body).status_code == 401
    for role in ("pi-case-manager", "employer", "employer-desk"):
        assert api.call(method, path, role, body).status_code == 403
    if UNKNOWN in path or "juggling" in path:
        assert api.call(method, path, TRAINER, body).status_code == 404
