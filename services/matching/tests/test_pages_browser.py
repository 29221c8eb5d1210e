"""The employer desk's and an employer's pages in Debian's Chromium, against matching on
PostgreSQL: the desk publishes a vacancy (a wrong number of hours refused beside its field) and
sees a trained candidate ranked for it with the reasoning, and the proposal made of them; the
employer sees its vacancy without the ranking and accepts the proposal, its candidate
anonymous; the desk registers an employer (a wrong e-mail address refused beside its field) and
follows a ranked candidate to the vacancies they may take; the desk changes a vacancy and closes
it (a risk area without a VOG, and a closure without a reason, refused beside their fields);
axe finds no serious or critical violation on any page, and the ranking and the employer's
proposals are photographed for the README (docs/screenshots/)."""
import uuid
from datetime import timedelta

import pytest

from services.matching.service import MatchingService
from services.matching.tests.test_pages import ready_candidate, register, vacancy
from shared import clock
from tests import browser as chromium
from tests.browser import arrive, assert_accessible, screenshot, shows
from tests.browser import sign_in as signing_in
from tests.databases import fresh_database
from tests.harness import running_service

# The fixtures of the browser and its page.
browser, page = chromium.browser, chromium.page
PASSWORD = "een lang wachtwoord voor de proef"
TODAY = clock.today()


@pytest.fixture(scope="module")
def matching(amqp_uri, directory):
    with fresh_database("postgresql", directory) as url, \
            running_service(MatchingService, amqp_uri, directory, DATABASE_URL=url,
                            WEB_COOKIE_SECURE="false") as api:
        yield api


@pytest.fixture
def accounts(matching):
    employer_id = register(matching, "Schoon BV")
    matching.add_person("w.desk", "employer-desk", PASSWORD)
    matching.add_person("p.bakker", "employer", PASSWORD, organisation=f"employer:{employer_id}")
    return employer_id


def sign_in(page, matching, name):
    signing_in(page, matching.base_url, name, PASSWORD, "/matching/vacancies")


def test_the_desk_publishes_a_vacancy_sees_its_ranking_and_the_employer_accepts(
        matching, accounts, broker, page):
    participant = ready_candidate(matching, broker, municipality="0505")
    page.set_default_timeout(10_000)
    sign_in(page, matching, "w.desk")
    assert_accessible(page)
    page.locator("#f-employer_id").select_option(accounts)
    page.locator("#f-title").fill("Schoonmaker kantoren")
    page.locator("#f-occupation").select_option("office-cleaner")
    page.locator("#f-sector").select_option("cleaning")
    page.locator("#f-municipality").fill("0505")
    page.locator("#f-hours_per_week").fill("50")
    page.locator("#f-start_date").fill((TODAY + timedelta(days=40)).isoformat())
    page.locator("#f-required-cleaning-diploma").check()
    page.get_by_role("button", name="Vacature publiceren").click()
    page.locator("#f-hours_per_week-error").wait_for()
    assert page.locator("#f-hours_per_week").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.locator("#f-hours_per_week").fill("24")
    page.get_by_role("button", name="Vacature publiceren").click()
    shows(page, "#ranking tbody", participant[:8])
    shows(page, "#proposals tbody", participant[:8])
    assert_accessible(page)
    ranking = page.url
    page.locator("#proposals tbody a").click()
    arrive(page, "/matching/proposals")
    shows(page, "section.proposal", "Accepteren namens de kandidaat")
    assert_accessible(page)
    page.goto(ranking)
    shows(page, "#ranking tbody", participant[:8])
    screenshot(page, "employer-desk")

    page.get_by_role("button", name="Uitloggen").click()
    arrive(page, "/signin")
    sign_in(page, matching, "p.bakker")
    shows(page, "#results", "Schoonmaker kantoren")
    assert_accessible(page)
    page.get_by_role("link", name="Schoonmaker kantoren").click()
    shows(page, "#proposals tbody", "candidate-")
    assert page.locator("#ranking").count() == 0
    assert_accessible(page)
    page.get_by_role("link", name="Voorstellen", exact=True).click()
    arrive(page, "/matching/proposals")
    assert participant not in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Accepteren", exact=True).click()
    shows(page, "section.proposal dd", "ja")
    assert page.get_by_role("button", name="Accepteren", exact=True).count() == 0
    assert_accessible(page)
    screenshot(page, "employer")


def test_the_desk_registers_an_employer_and_follows_a_candidate_to_their_vacancies(
        matching, broker, page):
    participant = ready_candidate(matching, broker, municipality="0344")
    name = f"w.desk.{uuid.uuid4().hex[:6]}"
    matching.add_person(name, "employer-desk", PASSWORD)
    sign_in(page, matching, name)
    page.get_by_role("link", name="Werkgevers", exact=True).click()
    arrive(page, "/matching/employers")
    assert_accessible(page)
    page.locator("#f-name").fill("Groen BV")
    page.locator("#f-sector").select_option("cleaning")
    page.locator("#f-municipality").fill("0344")
    page.locator("#f-contact_name").fill("Karel")
    page.locator("#f-contact_email").fill("geen adres")
    page.get_by_role("button", name="Werkgever aanmelden").click()
    shows(page, "#f-contact_email-error", "Geen geldig e-mailadres")
    assert page.locator("#f-contact_email").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.locator("#f-contact_email").fill("karel@groen.example.org")
    page.get_by_role("button", name="Werkgever aanmelden").click()
    shows(page, "#results tbody", "Groen BV")
    assert_accessible(page)

    page.get_by_role("link", name="Vacatures", exact=True).click()
    arrive(page, "/matching/vacancies")
    page.locator("#f-employer_id").select_option(label="Groen BV")
    page.locator("#f-title").fill("Schoonmaker Utrecht")
    page.locator("#f-occupation").select_option("office-cleaner")
    page.locator("#f-sector").select_option("cleaning")
    page.locator("#f-municipality").fill("0344")
    page.locator("#f-hours_per_week").fill("24")
    page.locator("#f-start_date").fill((TODAY + timedelta(days=40)).isoformat())
    page.get_by_role("button", name="Vacature publiceren").click()
    shows(page, "#ranking tbody", participant[:8])
    page.locator("#ranking tbody").get_by_role("link", name=participant[:8]).click()
    arrive(page, f"/matching/candidates/{participant}/vacancies")
    shows(page, "#matches tbody", "Schoonmaker Utrecht")
    assert_accessible(page)


def test_the_desk_changes_a_vacancy_and_closes_it(matching, page):
    job = vacancy(matching, register(matching, "Haven BV"), title="Schoonmaker haven")
    name = f"w.desk.{uuid.uuid4().hex[:6]}"
    matching.add_person(name, "employer-desk", PASSWORD)
    sign_in(page, matching, name)
    page.goto(matching.base_url + f"/matching/vacancies/{job['id']}")
    shows(page, "#change", "Vacature wijzigen")
    assert_accessible(page)
    page.locator("#change summary").click()
    page.locator("#f-title").fill("Schoonmaker haven en kade")
    page.locator("#f-vog_risk_areas-money").check()
    page.get_by_role("button", name="Vacature wijzigen").click()
    shows(page, "#f-vog_risk_areas-error", "alleen getoetst als een VOG vereist is")
    assert_accessible(page)
    page.locator("#f-vog_required").check()
    page.locator("#f-desired-bhv").check()
    page.get_by_role("button", name="Vacature wijzigen").click()
    shows(page, "h1", "Schoonmaker haven en kade")
    shows(page, "dl.facts", "BHV")
    assert_accessible(page)
    page.get_by_role("button", name="Vacature sluiten").click()
    shows(page, "#f-reason-error", "Dit veld is verplicht")
    assert page.locator("#f-reason").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.locator("#f-reason").select_option("filled-elsewhere")
    page.get_by_role("button", name="Vacature sluiten").click()
    shows(page, "dl.facts", "gesloten")
    assert page.locator("#change").count() == 0 and page.locator("#closure").count() == 0
    assert_accessible(page)
