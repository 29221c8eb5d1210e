"""The job coach's pages in Debian's Chromium, against placement on PostgreSQL: a coach signs in,
finds a placement planned from an accepted match, starts it (a wage under the minimum wage
refused beside its field), records a check-in that raises the risk and reads the social-return
ledger, and puts a recorded start right (a day in the future refused beside its field); the
employer sees its placement, not who works it, and its social return; axe finds no
serious or critical violation on any page, and the placement is photographed for the README
(docs/screenshots/)."""
import json
import time
import uuid
from datetime import timedelta

import pytest

from services.placement.service import PlacementService
from shared import clock
from shared.events import new_event
from tests import browser as chromium
from tests.browser import arrive, assert_accessible, screenshot, shows, sign_in
from tests.databases import fresh_database
from tests.harness import running_service

# The fixtures of the browser and its page.
browser, page = chromium.browser, chromium.page
PASSWORD = "een lang wachtwoord voor de proef"
TODAY = clock.today()
EMPLOYER = str(uuid.uuid4())


@pytest.fixture(scope="module")
def placement(amqp_uri, directory):
    with fresh_database("postgresql", directory) as url, \
            running_service(PlacementService, amqp_uri, directory, DATABASE_URL=url,
                            WEB_COOKIE_SECURE="false") as api:
        yield api


@pytest.fixture
def coach(placement):
    name = f"j.smit.{uuid.uuid4().hex[:6]}"
    placement.add_person(name, "job-coach", PASSWORD)
    return name


@pytest.fixture
def planned(placement, producers):
    """A placement planned from an accepted match, with the participant's admission that the
    ledger weighs it by, as intake and matching publish them."""
    participant = str(uuid.uuid4())
    for service, event_type, data in (
            ("intake", "participant.admitted", {
                "participant_id": participant, "target_group": "detainee-last-phase",
                "municipality": "0505", "expected_release_date": str(TODAY),
                "language_level": "B1", "preferred_sectors": ["cleaning"]}),
            ("matching", "match.accepted", {
                "match_id": str(uuid.uuid4()), "vacancy_id": str(uuid.uuid4()),
                "employer_id": EMPLOYER, "participant_id": participant,
                "occupation": "office-cleaner", "hours_per_week": 32,
                "start_date": str(TODAY + timedelta(days=14))})):
        producers.publish(service, event_type, json.dumps(
            new_event(service, event_type, data, subject=participant).to_json()))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = placement.call("GET", f"/placements?participant_id={participant}",
                               "job-coach").json()
        if found:
            return found[0]["id"]
        time.sleep(0.05)
    raise AssertionError(f"no placement for {participant}")


def test_a_coach_starts_a_planned_placement_and_records_a_check_in(placement, coach, planned,
                                                                   page):
    sign_in(page, placement.base_url, coach, PASSWORD, "/placement/placements")
    shows(page, "#results tbody", planned[:8])
    assert_accessible(page)

    page.get_by_role("link", name=planned[:8]).click()
    arrive(page, f"/placement/placements/{planned}")
    shows(page, "#start", "Plaatsing starten")
    assert_accessible(page)
    page.locator("#f-contract_type").select_option("paid-permanent")
    page.locator("#f-hourly_wage").fill("9.50")
    page.locator("#f-job_coach").fill("Team Drechtwerk")
    page.locator("#f-subsidy-percentage").fill("30")
    page.locator("#f-subsidy-starts_on").fill(TODAY.isoformat())
    page.locator("#f-subsidy-ends_on").fill((TODAY + timedelta(days=365)).isoformat())
    page.get_by_label("No-riskpolis").check()
    page.get_by_role("button", name="Plaatsing starten").click()
    shows(page, "#f-hourly_wage-error", "lager dan het wettelijk minimumloon")
    assert page.locator("#f-hourly_wage").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.locator("#f-hourly_wage").fill("15.25")
    page.get_by_role("button", name="Plaatsing starten").click()
    shows(page, "#status", "gestart")
    shows(page, "#milestones tbody", "nog niet bereikt")
    assert_accessible(page)

    page.locator("#f-risk").select_option("attention")
    page.locator("#f-notes").fill("Goed begonnen, vervoer is nog lastig.")
    page.get_by_role("button", name="Voortgangsgesprek vastleggen").click()
    shows(page, "#check-ins tbody", "vervoer is nog lastig")
    shows(page, "#risk", "aandacht")
    assert_accessible(page)

    page.get_by_role("link", name="Social return", exact=True).click()
    arrive(page, "/placement/social-return")
    shows(page, "[role=status]", "werkgevers")
    assert_accessible(page)

    page.get_by_role("link", name="Plaatsingen", exact=True).click()
    shows(page, "#results tbody", "gestart")
    page.get_by_role("link", name=planned[:8]).click()
    shows(page, "#check-ins tbody", "vervoer is nog lastig")
    assert_accessible(page)
    screenshot(page, "job-coach")


def started(placement, placement_id, started_on):
    assert placement.call("POST", f"/placements/{placement_id}/start", "job-coach", {
        "contract_type": "paid-temporary", "hourly_wage": "15.25", "job_coach": "Team Drechtwerk",
        "started_on": str(started_on)}).status_code == 200


def test_a_coach_corrects_a_recorded_start(placement, coach, planned, page):
    started(placement, planned, TODAY - timedelta(days=5))
    sign_in(page, placement.base_url, coach, PASSWORD, "/placement/placements")
    page.goto(f"{placement.base_url}/placement/placements/{planned}")
    shows(page, "#corrections", "Nog geen correcties vastgelegd.")
    assert_accessible(page)
    page.locator("#f-correct-start-started_on").fill((TODAY + timedelta(days=1)).isoformat())
    page.locator("#f-correct-start-reason").select_option("entry-error")
    page.get_by_role("button", name="Startdag corrigeren").click()
    shows(page, "#f-correct-start-started_on-error", "ligt in de toekomst")
    assert page.locator("#f-correct-start-started_on").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-reason-error").count() == 0
    assert_accessible(page)
    page.locator("#f-correct-start-started_on").fill((TODAY - timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Startdag corrigeren").click()
    shows(page, "#corrections tbody", "invoerfout")
    assert_accessible(page)


def test_an_employer_sees_its_placements_and_its_social_return(placement, planned, page):
    started(placement, planned, TODAY - timedelta(days=40))
    name = f"p.bakker.{uuid.uuid4().hex[:6]}"
    placement.add_person(name, "employer", PASSWORD, organisation=f"employer:{EMPLOYER}")
    sign_in(page, placement.base_url, name, PASSWORD, f"/placement/employers/{EMPLOYER}/placements")
    shows(page, f"#placement-{planned}", "gestart")
    assert "Team Drechtwerk" not in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Social return", exact=True).click()
    arrive(page, f"/placement/employers/{EMPLOYER}/social-return")
    shows(page, "tbody", EMPLOYER[:8])
    assert_accessible(page)
    page.get_by_role("link", name="Plaatsingen", exact=True).click()
    arrive(page, f"/placement/employers/{EMPLOYER}/placements")
