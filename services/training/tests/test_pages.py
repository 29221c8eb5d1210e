"""The trainer's pages over real HTTP, on SQLite and on PostgreSQL: the catalogue, a module
added to it and one changed on its own page, cohorts planned and filtered, a waiting list,
employers' demand, attendance as a tick list and a participant's programme with a result
recorded and put right, a place sought by hand and a drop-out; other roles are refused, and a
form that breaks the API's rules is shown again with the error beside its field."""
import re
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
        for path in ("/training/cohorts", "/training/modules", "/training/modules/forklift",
                     "/training/modules/forklift/waiting-list", "/training/demand",
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
    # A screen reader reads the link as a phrase of its own (no ": " after a break).
    assert '>Waiting list<span class="visually-hidden"> for Employee skills</span>' \
        in english.text


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
    assert again.status_code == 409 and "module heftruck bestaat al; wijzig die" in again.text
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


def test_attendance_is_recorded_as_a_tick_list(training, trainer, broker, participants, cohort):
    """Every member the list showed and the trainer did not tick was absent; one who joined
    the cohort after the list was shown is not marked absent from a session no one saw them
    miss."""
    here = f"/training/cohorts/{cohort['id']}"
    present, absent = participants
    listed = re.findall(r'name="listed" value="([^"]+)"', trainer.get(training.base_url + here).text)
    assert sorted(listed) == sorted(participants)
    latecomer = admitted(training, broker)
    assert latecomer in training.call("GET", f"/cohorts/{cohort['id']}", "trainer").json()[
        "members"]
    recorded = post(trainer, training, here + "/sessions",
                    {"held_on": str(TODAY), "present": [present], "listed": listed}, form_at=here)
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
    assert "<td class=\"utrecht-table__cell\">werknemersvaardigheden</td>" in page.text
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


def failed(training, participant, module="employee-skills"):
    """The participant's result of `module`, recorded as a fail over the API."""
    response = training.call("POST", f"/participants/{participant}/results", "trainer", {
        "module": module, "passed": False, "completed_on": str(TODAY)})
    assert response.status_code == 201, response.text


def test_a_recorded_result_is_put_right_with_the_errors_beside_the_field(
        training, broker, trainer, cohort):
    participant = admitted(training, broker)  # takes a place in the open cohort
    failed(training, participant)
    here = f"/training/participants/{participant}"
    correction = here + "/results/employee-skills/correction"
    seen = {"previous_passed": "false", "previous_completed_on": str(TODAY)}
    missing = post(trainer, training, correction, {**seen, "passed": "true",
                                                   "completed_on": str(TODAY)}, form_at=here)
    assert missing.status_code == 422
    assert error_beside(missing, "correct-employee-skills-reason") == "Dit veld is verplicht. "
    assert error_beside(missing, "drop-out-reason") is None  # only beside the form sent
    assert 'value="true" selected' in missing.text  # what was sent stays in the form
    future = post(trainer, training, correction, {
        **seen, "passed": "true", "completed_on": str(TODAY + timedelta(days=1)),
        "reason": "entry-error"}, form_at=here)
    assert future.status_code == 422
    assert "ligt in de toekomst" in error_beside(future, "correct-employee-skills-completed_on")
    same = post(trainer, training, correction, {
        **seen, "passed": "false", "completed_on": str(TODAY), "reason": "entry-error"},
        form_at=here)
    assert same.status_code == 422
    assert "staat er al" in error_beside(same, "correct-employee-skills-passed")
    stale = post(trainer, training, correction, {
        "previous_passed": "true", "previous_completed_on": str(TODAY), "passed": "true",
        "completed_on": str(TODAY), "reason": "entry-error"}, form_at=here)
    assert stale.status_code == 409 and "bekijk het opnieuw" in stale.text
    corrected = post(trainer, training, correction, {
        **seen, "passed": "true", "completed_on": str(TODAY), "reason": "entry-error"},
        form_at=here)
    assert corrected.status_code == 303, corrected.text
    assert corrected.headers["Location"] == here + "#results"
    programme = training.call("GET", f"/participants/{participant}/programme",
                              "trainer").json()
    [put_right] = programme["corrections"]
    assert (put_right["previous_passed"], put_right["passed"], put_right["reason"],
            put_right["corrected_by"]) == (False, True, "entry-error", "a.de.vries")
    page = trainer.get(training.base_url + here)
    assert "invoerfout" in page.text and "werknemersvaardigheden" in page.text
    unknown = post(trainer, training, f"{here}/results/nothing/correction", {
        **seen, "passed": "true", "completed_on": str(TODAY), "reason": "entry-error"},
        form_at=here)
    assert unknown.status_code == 404


def test_a_place_is_sought_by_hand_for_a_retake_with_the_errors_beside_the_field(
        training, broker, trainer, cohort):
    participant = admitted(training, broker)
    failed(training, participant)
    here = f"/training/participants/{participant}"
    page = trainer.get(training.base_url + here)
    # The failed module may be taken again; the one followed now is not offered.
    assert '<option value="employee-skills">Employee skills</option>' in \
        page.text.split('id="f-enrol-module"')[1].split("</select>")[0]
    missing = post(trainer, training, here + "/enrolments", {}, form_at=here)
    assert missing.status_code == 422
    assert error_beside(missing, "enrol-module") == "Dit veld is verplicht. "
    elsewhere = post(trainer, training, here + "/enrolments", {"module": "code-95"},
                     form_at=here)
    assert elsewhere.status_code == 422
    assert "hoort niet bij dit programma" in error_beside(elsewhere, "enrol-module")
    # No other cohort of the module is open: the retake waits for one.
    enrolled = post(trainer, training, here + "/enrolments", {"module": "employee-skills"},
                    form_at=here)
    assert enrolled.status_code == 303, enrolled.text
    steps = training.call("GET", f"/participants/{participant}/programme",
                          "trainer").json()["steps"]
    assert steps[0]["status"] == "waitlisted"
    waiting = trainer.get(training.base_url + "/training/modules/employee-skills/waiting-list")
    assert participant[:8] in waiting.text


def test_a_drop_out_is_recorded_with_its_reason_beside_the_field(training, broker, trainer):
    participant = admitted(training, broker)
    here = f"/training/participants/{participant}"
    missing = post(trainer, training, here + "/drop-out", {}, form_at=here)
    assert missing.status_code == 422
    assert error_beside(missing, "drop-out-reason") == "Dit veld is verplicht. "
    # Leaving the chain is intake's to say, not the trainer's.
    chain = post(trainer, training, here + "/drop-out", {"reason": "left-the-chain"},
                 form_at=here)
    assert chain.status_code == 422 and error_beside(chain, "drop-out-reason")
    assert 'value="left-the-chain"' not in chain.text
    dropped = post(trainer, training, here + "/drop-out", {"reason": "motivation"},
                   form_at=here)
    assert dropped.status_code == 303, dropped.text
    page = trainer.get(training.base_url + here)
    assert "afgehaakt (motivatie)" in page.text
    # A programme that stopped takes no drop-out, place or result any more.
    assert 'action="' + here + '/drop-out"' not in page.text
    assert 'action="' + here + '/enrolments"' not in page.text
    again = post(trainer, training, here + "/drop-out", {"reason": "health"}, form_at=here)
    assert again.status_code == 409 and "het programma heeft de status afgehaakt" in again.text


def test_a_module_is_changed_on_its_own_page_with_the_errors_beside_the_field(
        training, trainer):
    catalogue = trainer.get(training.base_url + "/training/modules")
    assert 'href="/training/modules/code-95"' in catalogue.text
    page = trainer.get(training.base_url + "/training/modules/code-95")
    assert page.status_code == 200 and 'value="Code 95 professional driver"' in page.text
    assert 'id="f-required-code-95"' not in page.text  # a module cannot require itself
    here = "/training/modules/code-95"
    change = {"name": "Code 95 (vakbekwaamheid)", "weeks": "6", "places": "10",
              "certificate": "code-95", "issuer": "Leerwerkbedrijf Drechtsteden",
              "sectors": ["transport"], "required_modules": ["employee-skills"]}
    refused = post(trainer, training, here, {**change, "weeks": "0", "name": ""})
    assert refused.status_code == 422
    assert error_beside(refused, "weeks") and error_beside(refused, "name") == \
        "Dit veld is verplicht. "
    assert 'value="Leerwerkbedrijf Drechtsteden"' in refused.text
    changed = post(trainer, training, here, change)
    assert changed.status_code == 303, changed.text
    assert changed.headers["Location"] == "/training/modules#module-code-95"
    module = {m["code"]: m for m in training.call("GET", "/modules", "trainer").json()}["code-95"]
    # What the form left empty is emptied: no expiry, no language level.
    assert (module["name"], module["weeks"], module["valid_years"],
            module["min_language_level"]) == ("Code 95 (vakbekwaamheid)", 6, None, None)
    assert trainer.get(training.base_url + "/training/modules/nothing").status_code == 404
    assert post(trainer, training, "/training/modules/nothing", change,
                form_at=here).status_code == 404


def test_employers_demand_is_shown_per_certificate_and_sector(training, broker, trainer):
    vacancy = str(uuid.uuid4())
    broker.publish_in_order("matching", vacancy, ("vacancy.published", {
        "vacancy_id": vacancy, "employer_id": str(uuid.uuid4()),
        "occupation": "office-cleaner", "sector": "cleaning",
        "required_certificates": ["cleaning-diploma"], "municipality": "0505",
        "hours_per_week": 24, "start_date": str(TODAY + timedelta(days=30)), "positions": 2}))
    deadline = time.monotonic() + 10
    while not training.call("GET", "/demand", "trainer").json():
        assert time.monotonic() < deadline, "no demand from the vacancy"
        time.sleep(0.05)
    page = trainer.get(training.base_url + "/training/demand")
    assert page.status_code == 200
    row = page.text.split("<tbody")[1].split("</tbody>")[0]
    assert "schoonmaak" in row and "vakdiploma schoonmaak" in row and ">1</td>" in row
