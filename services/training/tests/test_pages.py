"""The trainer's pages over real HTTP, on SQLite and on PostgreSQL: the catalogue and a module
added to it, cohorts planned and filtered, a waiting list, attendance as a tick list and a
participant's programme with a result recorded; other roles are refused, and a form that breaks
the API's rules is shown again with the error beside its field."""
import time
import uuid
from datetime import timedelta

import pyotp
import pytest
import requests

from services.training.service import TrainingService
from shared import clock
from tests.harness import csrf_of, error_beside, post_form, running_service, sign_in

PASSWORD = "correct horse battery staple"
TODAY = clock.today()


@pytest.fixture(scope="module")
def training(amqp_uri, directory, database_url):
    with running_service(TrainingService, amqp_uri, directory, DATABASE_URL=database_url,
                         WEB_COOKIE_SECURE="false") as api:
        api.add_person("a.de.vries", "trainer", PASSWORD)
        api.add_person("j.smit", "job-coach", PASSWORD)
        yield api


def signed_in(training, name, code=None):
    session, answer = sign_in(training.base_url, name, PASSWORD, code)
    assert answer.status_code == 303, answer.text
    return session


@pytest.fixture(scope="module")
def trainer(training):
    return signed_in(training, "a.de.vries")


def post(session, training, path, data, form_at=None):
    return post_form(session, training.base_url, path, data, form_at)


def plan_cohort(training, module, places=10, starts_on=TODAY):
    response = training.call("POST", "/cohorts", "trainer", {
        "module": module, "starts_on": str(starts_on),
        "ends_on": str(starts_on + timedelta(weeks=4)), "places": places,
        "trainer": "Anna de Vries"})
    assert response.status_code == 201, response.text
    return response.json()


def admitted(training, broker):
    """A participant admitted in intake, whose programme training proposes from the fact."""
    participant = str(uuid.uuid4())
    broker.publish("intake", "participant.admitted", {
        "participant_id": participant, "target_group": "detainee-last-phase",
        "municipality": "0505", "expected_release_date": str(TODAY + timedelta(days=30)),
        "language_level": "B1", "preferred_sectors": ["logistics"]})
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if training.call("GET", f"/participants/{participant}/programme",
                         "trainer").status_code == 200:
            return participant
        time.sleep(0.05)
    raise AssertionError(f"no programme for {participant}")


@pytest.fixture(scope="module")
def participants(training, broker):
    """Two participants admitted while no cohort of employee skills is open: they wait."""
    return [admitted(training, broker) for _ in range(2)]


@pytest.fixture(scope="module")
def cohort(training, participants):
    """A cohort of employee skills from today, which takes the two waiting participants."""
    return plan_cohort(training, "employee-skills")


def test_the_pages_are_for_trainers_only(training):
    coach = signed_in(training, "j.smit")
    secret = pyotp.random_base32()
    training.add_person("m.jansen", "pi-case-manager", PASSWORD, second_factor=secret)
    case_manager = signed_in(training, "m.jansen", code=pyotp.TOTP(secret).now())
    for session in (coach, case_manager):
        for path in ("/training/cohorts", "/training/modules",
                     "/training/modules/forklift/waiting-list",
                     f"/training/participants/{uuid.uuid4()}"):
            refused = session.get(training.base_url + path)
            assert refused.status_code == 403 and "niet voor uw rol" in refused.text, path
    assert requests.get(training.base_url + "/training/cohorts",
                        allow_redirects=False).headers["Location"].startswith("/signin")


def test_a_trainer_signs_in_to_the_cohorts(training):
    session = requests.Session()
    form = session.get(training.base_url + "/signin")
    answer = session.post(training.base_url + "/signin", data={
        "name": "a.de.vries", "password": PASSWORD, "csrf_token": csrf_of(form)})
    assert answer.url.endswith("/training/cohorts") and "Cohorten" in answer.text
    assert "Sociaal werkbedrijf" in answer.text
    english = session.get(training.base_url + "/training/modules",
                          headers={"Accept-Language": "en"})
    assert "Add a module" in english.text and "Waiting list" in english.text


def test_the_catalogue_lists_the_modules_and_takes_a_new_one(training, trainer):
    catalogue = trainer.get(training.base_url + "/training/modules")
    assert catalogue.status_code == 200
    assert "VCA basic safety" in catalogue.text and "Leerwerkbedrijf Drechtsteden" in catalogue.text
    added = post(trainer, training, "/training/modules", {
        "code": "warehouse", "name": "Magazijnwerk", "weeks": "3", "places": "8",
        "certificate": "forklift", "issuer": "Leerwerkbedrijf Drechtsteden",
        "sectors": ["logistics", "facility"], "required_modules": ["employee-skills"],
        "min_language_level": "A2"})
    assert added.status_code == 303, added.text
    modules = {m["code"]: m for m in training.call("GET", "/modules", "trainer").json()}
    assert sorted(modules["warehouse"]["sectors"]) == ["facility", "logistics"]
    assert modules["warehouse"]["required_modules"] == ["employee-skills"]
    assert modules["warehouse"]["valid_years"] is None
    assert "Magazijnwerk" in trainer.get(training.base_url + "/training/modules").text


def test_a_module_with_an_invalid_field_is_shown_again_with_the_error_beside_it(
        training, trainer):
    refused = post(trainer, training, "/training/modules", {
        "code": "Not A Code", "name": "Iets", "weeks": "0", "places": "8",
        "certificate": "forklift", "issuer": "Leerwerkbedrijf"})
    assert refused.status_code == 422
    assert error_beside(refused, "code") == \
        "Geen modulecode (kleine letters, cijfers en streepjes). "
    assert error_beside(refused, "weeks")
    assert 'value="Iets"' in refused.text  # what was given stays in the form
    again = post(trainer, training, "/training/modules", {
        "code": "forklift", "name": "Heftruck", "weeks": "2", "places": "8",
        "certificate": "forklift", "issuer": "Leerwerkbedrijf"})
    assert again.status_code == 409 and "module forklift bestaat al; wijzig die" in again.text
    in_english = trainer.post(training.base_url + "/training/modules", headers={
        "Accept-Language": "en"}, allow_redirects=False, data={
        "code": "forklift", "name": "Heftruck", "weeks": "2", "places": "8",
        "certificate": "forklift", "issuer": "Leerwerkbedrijf", "csrf_token": csrf_of(again)})
    assert in_english.status_code == 409
    assert "module &#39;forklift&#39; exists; change it instead" in in_english.text


def test_cohorts_are_planned_listed_and_filtered_by_module(training, trainer):
    planned = post(trainer, training, "/training/cohorts", {
        "module": "bhv", "starts_on": str(TODAY + timedelta(days=7)),
        "ends_on": str(TODAY + timedelta(days=14)), "places": "6", "trainer": "Anna de Vries"})
    assert planned.status_code == 303, planned.text
    cohort_id = planned.headers["Location"].rsplit("/", 1)[1]
    cohort = trainer.get(training.base_url + planned.headers["Location"])
    assert cohort.status_code == 200 and "0 van 6 bezet" in cohort.text
    plan_cohort(training, "forklift")
    of_bhv = trainer.get(training.base_url + "/training/cohorts?module=bhv")
    assert cohort_id[:8] in of_bhv.text and "BHV emergency response" in of_bhv.text
    assert "Forklift" not in of_bhv.text.split('id="results"')[1].split("</table>")[0]
    assert trainer.get(training.base_url + "/training/cohorts?module=NOT+A+CODE").status_code \
        == 422


def test_a_cohort_that_ends_before_it_starts_is_refused_beside_its_end(training, trainer):
    refused = post(trainer, training, "/training/cohorts", {
        "module": "bhv", "starts_on": str(TODAY + timedelta(days=7)),
        "ends_on": str(TODAY), "places": "6", "trainer": "Anna de Vries"})
    assert refused.status_code == 422
    assert "kan niet eindigen voordat het begint" in error_beside(refused, "ends_on")
    missing = post(trainer, training, "/training/cohorts", {"module": "bhv"})
    assert missing.status_code == 422 and error_beside(missing, "places") == \
        "Dit veld is verplicht. "


def test_the_cohorts_are_paged(training, trainer):
    for _ in range(26):
        plan_cohort(training, "hospitality", places=1)
    first = trainer.get(training.base_url + "/training/cohorts?module=hospitality")
    assert "1–25 van 26" in first.text and "offset=25" in first.text
    second = trainer.get(training.base_url + "/training/cohorts?module=hospitality&offset=25")
    assert "26–26 van 26" in second.text and "Vorige" in second.text


def test_the_waiting_list_shows_who_waits_first_in_line_first(training, trainer, participants):
    waiting = trainer.get(training.base_url + "/training/modules/employee-skills/waiting-list")
    assert waiting.status_code == 200 and "2 wachtenden" in waiting.text
    first, second = participants
    assert waiting.text.index(first[:8]) < waiting.text.index(second[:8])
    assert trainer.get(training.base_url + "/training/modules/nothing/waiting-list") \
        .status_code == 404


def test_a_cohort_shows_its_places_and_members(training, trainer, participants, cohort):
    page = trainer.get(f"{training.base_url}/training/cohorts/{cohort['id']}")
    assert page.status_code == 200 and "2 van 10 bezet" in page.text
    assert all(f'href="/training/participants/{member}"' in page.text
               for member in participants)
    assert trainer.get(f"{training.base_url}/training/cohorts/{uuid.uuid4()}").status_code \
        == 404


def test_attendance_is_recorded_as_a_tick_list(training, trainer, participants, cohort):
    here = f"/training/cohorts/{cohort['id']}"
    present, absent = participants
    recorded = post(trainer, training, here + "/sessions",
                    {"held_on": str(TODAY), "present": [present]}, form_at=here)
    assert recorded.status_code == 303, recorded.text
    [session] = training.call("GET", f"/cohorts/{cohort['id']}", "trainer").json()["sessions"]
    assert session == {"held_on": str(TODAY), "present": [present], "absent": [absent]}
    page = trainer.get(training.base_url + here)
    assert "1 van 1 bijeenkomsten" in page.text and "0 van 1 bijeenkomsten" in page.text
    again = post(trainer, training, here + "/sessions",
                 {"held_on": str(TODAY), "present": [present]}, form_at=here)
    assert again.status_code == 409 and "is al vastgelegd" in again.text


def test_a_session_without_a_valid_date_is_refused_beside_it(training, trainer, cohort):
    here = f"/training/cohorts/{cohort['id']}"
    for held_on, said in (("", "Dit veld is verplicht."), ("gisteren", "Geen geldige datum."),
                          (str(TODAY + timedelta(days=1)), "ligt in de toekomst")):
        refused = post(trainer, training, here + "/sessions", {"held_on": held_on},
                       form_at=here)
        assert refused.status_code == 422 and said in error_beside(refused, "held_on"), held_on
        assert 'aria-invalid="true"' in refused.text


def test_a_programme_shows_its_route_and_takes_a_result(training, trainer, participants,
                                                         cohort):
    participant = participants[0]
    here = f"/training/participants/{participant}"
    page = trainer.get(training.base_url + here)
    assert page.status_code == 200 and "ingeschreven" in page.text
    # Employee skills and a vocational module take longer than the 30 days to the release.
    assert "nee: het programma loopt door" in page.text
    recorded = post(trainer, training, here + "/results", {
        "module": "employee-skills", "passed": "true", "completed_on": str(TODAY)},
        form_at=here)
    assert recorded.status_code == 303, recorded.text
    page = trainer.get(training.base_url + here)
    [certificate] = training.call("GET", f"/participants/{participant}/certificates",
                                  "trainer").json()
    assert certificate["number"] in page.text and "geslaagd" in page.text
    reads = training.call("GET", f"/audit/personal-data-reads?participant_id={participant}",
                          "pi-privacy-officer")
    assert reads.status_code == 200, reads.text
    assert "a.de.vries" in {read["reader"] for read in reads.json()}


def test_a_result_without_its_outcome_is_refused_beside_it(training, trainer, participants,
                                                           cohort):
    here = f"/training/participants/{participants[1]}"
    refused = post(trainer, training, here + "/results", {
        "module": "employee-skills", "completed_on": str(TODAY)}, form_at=here)
    assert refused.status_code == 422
    assert error_beside(refused, "passed") == "Dit veld is verplicht. "
