"""The trainer's pages in Debian's Chromium, against training on PostgreSQL: a trainer signs in,
adds a module (a wrong code refused beside its field), sees who waits for employee skills, plans
a cohort that takes them, ticks who was present at a session and records a pass; sees employers'
demand, changes a module on its page, puts a recorded fail right, records a drop-out and is
refused a place by hand that the route does not allow yet; axe finds no serious or critical
violation on any page, and the cohorts are photographed for the README (docs/screenshots/)."""
import time
import uuid
from datetime import timedelta

import pytest

from services.training.service import TrainingService
from shared import clock
from tests import browser as chromium
from tests.browser import arrive, assert_accessible, screenshot, shows, sign_in
from tests.databases import fresh_database
from tests.harness import running_service

# The fixtures of the browser and its page.
browser, page = chromium.browser, chromium.page
PASSWORD = "een lang wachtwoord voor de proef"
TODAY = clock.today()


@pytest.fixture(scope="module")
def training(amqp_uri, directory):
    with fresh_database("postgresql", directory) as url, \
            running_service(TrainingService, amqp_uri, directory, DATABASE_URL=url,
                            WEB_COOKIE_SECURE="false") as api:
        yield api


@pytest.fixture
def trainer(training):
    name = f"a.de.vries.{uuid.uuid4().hex[:6]}"
    training.add_person(name, "trainer", PASSWORD)
    return name


@pytest.fixture
def waiting(training, broker):
    """Three participants admitted while no cohort of employee skills is open: they wait."""
    participants = []
    for _ in range(3):
        participant = str(uuid.uuid4())
        broker.publish("intake", "participant.admitted", {
            "participant_id": participant, "target_group": "detainee-last-phase",
            "municipality": "0505", "expected_release_date": str(TODAY + timedelta(days=200)),
            "language_level": "B1", "preferred_sectors": ["logistics"]})
        participants.append(participant)
    deadline = time.monotonic() + 10
    while any(training.call("GET", f"/participants/{participant}/programme",
                            "trainer").status_code != 200 for participant in participants):
        assert time.monotonic() < deadline, "no programmes for the admitted participants"
        time.sleep(0.05)
    return participants


def test_a_trainer_plans_a_cohort_for_those_waiting_and_records_their_attendance(
        training, trainer, waiting, page):
    for module, weeks in (("forklift", 2), ("vca-basic", 2), ("bhv", 1)):
        starts = TODAY + timedelta(days=14)
        assert training.call("POST", "/cohorts", "trainer", {
            "module": module, "starts_on": str(starts),
            "ends_on": str(starts + timedelta(weeks=weeks)), "places": 8,
            "trainer": "Anna de Vries"}).status_code == 201
    sign_in(page, training.base_url, trainer, PASSWORD, "/training/cohorts")
    shows(page, "#results", "Forklift")
    assert_accessible(page)

    page.get_by_role("link", name="Modules", exact=True).click()
    arrive(page, "/training/modules")
    assert_accessible(page)
    page.locator("#f-code").fill("Magazijn")
    page.locator("#f-name").fill("Magazijnwerk")
    page.locator("#f-weeks").fill("3")
    page.locator("#f-places").fill("8")
    page.locator("#f-certificate").select_option("forklift")
    page.locator("#f-issuer").fill("Leerwerkbedrijf Drechtsteden")
    page.get_by_label("Logistiek").check()
    page.locator("#f-required-employee-skills").check()
    page.get_by_role("button", name="Module toevoegen").click()
    shows(page, "#f-code-error", "Geen modulecode")
    assert page.locator("#f-code").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.locator("#f-code").fill("warehouse")
    page.get_by_role("button", name="Module toevoegen").click()
    shows(page, "tbody", "Magazijnwerk")

    page.get_by_role("link", name="Wachtlijst voor Employee skills").click()
    arrive(page, "/training/modules/employee-skills/waiting-list")
    shows(page, "tbody", waiting[2][:8])
    assert_accessible(page)
    # The cohort takes the first two in line, whose admissions training may have handled in
    # any order.
    first, second, _ = training.call("GET", "/modules/employee-skills/waiting-list",
                                     "trainer").json()["waiting"]

    page.get_by_role("link", name="Cohorten", exact=True).click()
    arrive(page, "/training/cohorts")
    page.locator("#f-module").select_option("employee-skills")
    page.locator("#f-starts_on").fill(TODAY.isoformat())
    page.locator("#f-ends_on").fill((TODAY + timedelta(weeks=4)).isoformat())
    page.locator("#f-places").fill("2")
    page.get_by_role("button", name="Cohort plannen").click()
    shows(page, "dl.facts", "2 van 2 bezet")
    assert_accessible(page)

    page.locator(f"#f-present-{second}").uncheck()
    page.get_by_role("button", name="Aanwezigheid vastleggen").click()
    shows(page, "#sessions tbody", second[:8])
    shows(page, "#members tbody", "1 van 1 bijeenkomsten")
    assert_accessible(page)

    page.locator(f'#members a[href="/training/participants/{first}"]').click()
    arrive(page, f"/training/participants/{first}")
    shows(page, "#programme tbody", "ingeschreven")
    assert_accessible(page)
    page.locator("#f-passed").select_option("true")
    page.get_by_role("button", name="Resultaat vastleggen").click()
    shows(page, "#certificates tbody", "Leerwerkbedrijf Drechtsteden")
    assert_accessible(page)

    page.get_by_role("link", name="Cohorten", exact=True).click()
    shows(page, "#results", "Employee skills")
    assert_accessible(page)
    screenshot(page, "trainer")


def test_a_trainer_changes_a_module_and_puts_a_programme_right(training, trainer, waiting,
                                                                page):
    # A cohort with room for all three, after any who waited before them.
    assert training.call("POST", "/cohorts", "trainer", {
        "module": "employee-skills", "starts_on": str(TODAY),
        "ends_on": str(TODAY + timedelta(weeks=4)), "places": 4,
        "trainer": "Anna de Vries"}).status_code == 201
    failed, dropping, enrolling = waiting
    assert training.call("POST", f"/participants/{failed}/results", "trainer", {
        "module": "employee-skills", "passed": False,
        "completed_on": str(TODAY)}).status_code == 201
    sign_in(page, training.base_url, trainer, PASSWORD, "/training/cohorts")

    page.get_by_role("link", name="Vraag van werkgevers").click()
    arrive(page, "/training/demand")
    shows(page, "caption", "Open vacatures per certificaat en sector")
    assert_accessible(page)

    page.get_by_role("link", name="Modules", exact=True).click()
    arrive(page, "/training/modules")
    # Each waiting list's link reads as one phrase.
    assert page.get_by_role("link", name="Wachtlijst voor Employee skills", exact=True).count() == 1
    page.get_by_role("link", name="BHV emergency response", exact=True).click()
    arrive(page, "/training/modules/bhv")
    assert page.locator("#f-issuer").input_value() == "Leerwerkbedrijf Drechtsteden"
    assert_accessible(page)
    page.locator("#f-weeks").fill("0")
    page.get_by_role("button", name="Module wijzigen").click()
    shows(page, "#f-weeks-error", "")
    assert page.locator("#f-weeks").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.locator("#f-weeks").fill("2")
    page.get_by_role("button", name="Module wijzigen").click()
    arrive(page, "/training/modules")
    shows(page, "#module-bhv td:nth-child(3)", "2")

    page.goto(f"{training.base_url}/training/participants/{failed}")
    shows(page, "#results tbody", "niet geslaagd")
    assert_accessible(page)
    page.locator("#f-correct-employee-skills-passed").select_option("true")
    page.locator("#f-correct-employee-skills-reason").select_option("entry-error")
    page.get_by_role("button", name="Resultaat corrigeren").click()
    shows(page, "#corrections tbody", "invoerfout")
    shows(page, "#certificates tbody", "werknemersvaardigheden")
    assert_accessible(page)

    page.goto(f"{training.base_url}/training/participants/{dropping}")
    page.locator("#f-drop-out-reason").select_option("health")
    page.get_by_role("button", name="Uitval vastleggen").click()
    shows(page, "dl.facts", "afgehaakt (gezondheid)")
    assert_accessible(page)

    # The route's next module needs employee skills passed first.
    page.goto(f"{training.base_url}/training/participants/{enrolling}")
    page.locator("#f-enrol-module").select_option(index=1)
    page.get_by_role("button", name="Inschrijven").click()
    shows(page, "[role=alert]", "behaald zijn")
    assert_accessible(page)
