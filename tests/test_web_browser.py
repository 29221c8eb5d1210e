"""The PI's pages in Debian's Chromium, against intake on PostgreSQL: a case manager signs in
with the second factor, registers a participant (a wrong BSN refused beside its field), screens
them (a curfew without its hours refused beside them), records consent and admits them; axe
finds no serious or critical violation on any page, and the participants list is photographed
for the README (docs/screenshots/)."""
import uuid
from datetime import timedelta

import pyotp
import pytest

from shared import clock
from tests.browser import (arrive, assert_accessible, browser, page,  # noqa: F401 (fixtures)
                           screenshot, shows, sign_in)
from tests.databases import fresh_database
from tests.harness import running_intake

PASSWORD = "een lang wachtwoord voor de proef"


@pytest.fixture(scope="module")
def pi(amqp_uri, directory):
    with fresh_database("postgresql", directory) as url, \
            running_intake(amqp_uri, directory, DATABASE_URL=url, WEB_COOKIE_SECURE="false") as api:
        yield api


@pytest.fixture
def case_manager(pi):
    name, secret = f"c.de.vries.{uuid.uuid4().hex[:6]}", pyotp.random_base32()
    pi.add_person(name, "pi-case-manager", PASSWORD, second_factor=secret)
    return name, pyotp.TOTP(secret)


def test_a_case_manager_registers_screens_and_admits_a_participant(pi, case_manager, page):
    name, totp = case_manager
    sign_in(page, pi.base_url, name, PASSWORD, "/pi/participants", totp)
    assert_accessible(page)
    page.get_by_role("link", name="Deelnemer registreren").click()
    assert_accessible(page)
    release = clock.today() + timedelta(days=75)
    page.get_by_label("Naam", exact=False).first.fill("Pieter Bakker")
    page.get_by_label("BSN").fill("123456789")  # fails the eleven-test
    page.get_by_label("Geboortedatum").fill("1988-03-14")
    page.get_by_label("Doelgroep").select_option("detainee-last-phase")
    page.get_by_label("Inrichting").fill("PI Dordrecht")
    page.get_by_label("Gemeente van terugkeer").select_option("0505")
    page.get_by_label("Verwachte vrijlating").fill(release.isoformat())
    page.get_by_role("button", name="Registreren").click()
    error = page.locator("#f-identity\\.bsn-error")
    assert "elfproef" in error.inner_text()
    assert page.get_by_label("BSN").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("BSN").fill("123456782")
    page.get_by_role("button", name="Registreren").click()
    arrive(page, "/pi/participants/")
    assert "Pieter Bakker" not in page.content()
    assert_accessible(page)

    page.get_by_label("Motivatie (1 tot 5)").select_option("4")
    page.get_by_label("Taalniveau").select_option("B1")
    for ticked in ("magazijnmedewerker", "heftruckchauffeur", "samenwerken in een team",
                   "logistiek", "geld"):
        page.get_by_label(ticked, exact=True).check()
    page.get_by_label("Drijfveren en ambities").fill("Wil voor zijn dochter zorgen.")
    page.get_by_label("Veiligheid akkoord").check()
    page.get_by_label("Beoordeeld door").fill("Veiligheidsadviseur Smit")
    page.get_by_label("Beoordeeld op").fill(clock.today().isoformat())
    page.get_by_label("Gebiedsverbod").select_option(["0512", "0590"])
    page.get_by_label("Met enkelband").check()  # a curfew, but without its hours
    page.get_by_role("button", name="Screening vastleggen").click()
    shows(page, "#f-restrictions\\.curfew\\.starts_at-error", "verplicht")
    assert page.get_by_label("heftruckchauffeur").is_checked()
    assert_accessible(page)
    page.get_by_label("Avondklok vanaf").fill("22:00")
    page.get_by_label("Avondklok tot").fill("06:00")
    page.get_by_role("button", name="Screening vastleggen").click()
    shows(page, "dl.facts", "gescreend")
    shows(page, "#screening dl", "22:00 tot 06:00, met enkelband")
    shows(page, "#screening dl", "Gorinchem (0512), Papendrecht (0590)")
    for purpose, label in (("training", "training"), ("matching", "bemiddeling")):
        page.locator("#f-purpose").select_option(purpose)
        page.get_by_label("Grondslag").select_option("consent")
        page.get_by_role("button", name="Toestemming vastleggen").click()
        shows(page, "#consents tbody", label)
    assert page.locator("#consents tbody tr").count() == 2
    page.get_by_role("button", name="Toelaten tot de keten").click()
    shows(page, "dl.facts", "toegelaten")
    assert_accessible(page)

    page.get_by_role("button", name="Toon identiteit").click()
    shows(page, "#identity", "Pieter Bakker")

    page.get_by_role("link", name="Deelnemers", exact=True).click()
    shows(page, "#results", "toegelaten")
    assert_accessible(page)
    screenshot(page, "pi-case-manager")
