"""The chain's main flow in Debian's Chromium, through each organisation's own pages, against
the five services as `doorstroom up` runs them, each its own process on the real broker: the PI
admits a participant, training takes them to their certificates, the employer desk publishes a
vacancy that ranks them, the employer and the desk accept the proposal, and the job coach starts
the placement, which the PI sees in the participant's journey. Each person signs in with the account `up` gives the local key of their role;
between the steps, the facts cross the chain over the broker."""
import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pyotp
import pytest

from doorstroom import chain
from doorstroom.demo import bind_employer_key, demo_bsn
from shared import clock
from tests import local_chain
from tests.browser import (SCREENSHOTS, arrive, assert_accessible, browser,  # noqa: F401
                           page, shows, shows_after_reload, sign_in)

pytestmark = pytest.mark.e2e

PORT_BASE = 26000
# Released after the training's few weeks, and later than the release window in which matching
# offers a candidate still in training (42 days): only completed training makes them ready.
RELEASE_IN = timedelta(days=45)
# The job starts after the release, as a vacancy must for the candidate to be available.
JOB_STARTS_IN = timedelta(days=60)


@pytest.fixture(scope="module")
def env(amqp_uri, tmp_path_factory):
    return local_chain.environment(amqp_uri, tmp_path_factory.mktemp("chain"))


@pytest.fixture(scope="module")
def keys_file(env):
    with local_chain.up(env, PORT_BASE):
        yield chain.data_dir(env["DOORSTROOM_DATA_DIR"]) / "api-keys.json"


def url(service):
    return chain.url_of(service, PORT_BASE)


def signs_in(page, service, holder, first_page):
    """The person of the local key `holder` signs in to `service`'s pages."""
    secret = holder.get("totp_secret")
    sign_in(page, url(service), holder["name"], holder["password"], first_page,
            pyotp.TOTP(secret) if secret else None)


def signs_out(page):
    page.get_by_role("button", name="Uitloggen").click()
    arrive(page, "/signin")


def people(keys_file):
    """Each local key's holder, with the account `up` gave them, by name."""
    return {name: {**holder, "name": name}
            for name, holder in json.loads(keys_file.read_text()).items()}


def shown_id(page):
    """The id of what the page shows, the last part of its path."""
    return urlsplit(page.url).path.rsplit("/", 1)[-1]


def pi_admits_a_participant(page, case_manager):
    """Registered, screened, consenting to training, matching and the placement's follow-up,
    and admitted; returns their id."""
    signs_in(page, "intake", case_manager, "/pi/participants")
    page.get_by_role("link", name="Deelnemer registreren").click()
    arrive(page, "/pi/participants/new")
    page.get_by_label("Naam", exact=False).first.fill("Karim de Wit")
    page.get_by_label("BSN").fill(demo_bsn())
    page.get_by_label("Geboortedatum").fill("1990-06-01")
    page.get_by_label("Doelgroep").select_option("detainee-last-phase")
    page.get_by_label("Inrichting").fill("PI Dordtse Poorten")
    page.get_by_label("Gemeente van terugkeer").select_option("0505")
    page.get_by_label("Verwachte vrijlating").fill((clock.today() + RELEASE_IN).isoformat())
    page.get_by_role("button", name="Registreren").click()
    arrive(page, "/pi/participants/")
    participant = shown_id(page)

    page.get_by_label("Motivatie (1 tot 5)").select_option("4")
    page.get_by_label("Taalniveau").select_option("B1")
    page.get_by_label("huismeester").check()
    page.get_by_label("Uren per week").fill("32")
    page.get_by_label("Veiligheid akkoord").check()
    page.get_by_label("Beoordeeld door").fill("Veiligheidsadviseur Smit")
    page.get_by_label("Beoordeeld op").fill(clock.today().isoformat())
    page.get_by_role("button", name="Screening vastleggen").click()
    shows(page, "dl.facts", "gescreend")
    for purpose, shown in (("training", "training"), ("matching", "bemiddeling"),
                           ("placement-follow-up", "nazorg")):
        page.locator("#f-purpose").select_option(purpose)
        page.get_by_label("Grondslag").select_option("consent")
        page.get_by_role("button", name="Toestemming vastleggen").click()
        shows(page, "#consents tbody", shown)
    page.get_by_role("button", name="Toelaten tot de keten").click()
    shows(page, "dl.facts", "toegelaten")
    assert_accessible(page)
    return participant


def trainer_takes_them_through_training(page, trainer, participant):
    """From the first module's waiting list, module by module: a cohort planned, which takes
    them in, a session attended, and a pass; returns the certificates their programme earned."""
    signs_in(page, "training", trainer, "/training/cohorts")
    page.get_by_role("link", name="Modules").click()
    arrive(page, "/training/modules")
    page.get_by_role("link", name=re.compile("Wachtlijst.*Employee skills")).click()
    # Training enrols them once it hears of the admission; no cohort is open yet.
    shows_after_reload(page, "tbody", participant[:8])
    assert_accessible(page)
    module = "Employee skills"
    while module:
        page.get_by_role("link", name="Cohorten").first.click()
        arrive(page, "/training/cohorts")
        cohort = page.locator("#new-cohort")
        cohort.get_by_label("Module").select_option(label=module)
        cohort.get_by_label("Start").fill(clock.today().isoformat())
        cohort.get_by_label("Einde").fill((clock.today() + timedelta(weeks=4)).isoformat())
        cohort.get_by_label("Plaatsen").fill("12")
        page.get_by_role("button", name="Cohort plannen").click()
        arrive(page, "/training/cohorts/")
        shows(page, "#members tbody", participant[:8])  # first in line, they take a place
        page.get_by_role("button", name="Aanwezigheid vastleggen").click()
        shows(page, "#members tbody", "1 van 1 bijeenkomsten")
        assert_accessible(page)
        page.locator("#members").get_by_role("link", name=participant[:8]).click()
        arrive(page, f"/training/participants/{participant}")
        page.locator("#f-passed").select_option("true")
        page.get_by_role("button", name="Resultaat vastleggen").click()
        shows(page, "#results tbody", "geslaagd")
        # Passing a module puts them in line for the next one of their route, if any.
        waiting = page.locator("#programme tbody tr").filter(has_text="op de wachtlijst")
        module = waiting.locator("td").first.inner_text() if waiting.count() else None
    shows(page, "dl.facts", "afgerond")
    assert_accessible(page)
    return [cell.inner_text() for cell in page.locator("#certificates tbody td:nth-child(2)")
            .all()]


def desk_registers_the_employer(page, desk, keys_file):
    """The desk registers the employer in its pages; the local employer key, which `up` makes
    before any employer exists, then speaks for it, as `doorstroom demo` binds it. Returns the
    employer's id."""
    signs_in(page, "matching", desk, "/matching/vacancies")
    page.get_by_role("link", name="Werkgevers").click()
    arrive(page, "/matching/employers")
    form = page.locator("#new-employer")
    form.get_by_label("Naam").fill("Facilitair Drechtsteden BV")
    form.get_by_label("Sector").select_option("facility")
    form.get_by_label("Gemeente").fill("Dordrecht")
    form.get_by_label("Contactpersoon").fill("HR desk")
    form.get_by_label("E-mailadres").fill("hr@facilitair.example.org")
    form.get_by_label("Heeft een social-returnverplichting").check()
    page.get_by_role("button", name="Werkgever aanmelden").click()
    shows(page, "#results tbody", "Facilitair Drechtsteden BV")
    assert_accessible(page)
    employer = urlsplit(page.url).fragment.removeprefix("employer-")
    bind_employer_key(keys_file, json.loads(keys_file.read_text()), {"id": employer})
    return employer


def desk_publishes_a_vacancy(page, employer, certificates, participant):
    """A vacancy asking for the certificates the training awarded, which ranks the participant,
    with the reasons, and proposes them; returns its id."""
    page.get_by_role("link", name="Vacatures").first.click()
    arrive(page, "/matching/vacancies")
    form = page.locator("#new-vacancy")
    form.get_by_label("Werkgever").select_option(employer)
    form.get_by_label("Titel").fill("Huismeester")
    form.get_by_label("Beroep").select_option("building-caretaker")
    form.get_by_label("Sector").select_option("facility")
    form.get_by_label("Gemeente").fill("Dordrecht")
    form.get_by_label("Uren per week").fill("32")
    form.get_by_label("Start").fill((clock.today() + JOB_STARTS_IN).isoformat())
    for certificate in certificates:
        form.get_by_label(certificate, exact=True).check()
    page.get_by_role("button", name="Vacature publiceren").click()
    arrive(page, "/matching/vacancies/")
    vacancy = shown_id(page)
    # Matching ranks them once it has heard of their admission and their completed training.
    shows_after_reload(page, "#ranking tbody", participant[:8])
    candidate = page.locator(f"#candidate-{participant}")
    # The occupation the PI screened them for scores, and the place they return to.
    assert "beroep: 15" in candidate.inner_text()
    assert "woont in de gemeente van de vacature" in candidate.inner_text()
    shows(page, "#proposals tbody", participant[:8])
    assert_accessible(page)
    return vacancy


def employer_accepts(page, employer, vacancy, participant):
    """The employer sees the proposal for its vacancy, the candidate anonymous, and accepts."""
    signs_in(page, "matching", employer, "/matching/vacancies")
    page.get_by_role("link", name="Huismeester").click()
    arrive(page, f"/matching/vacancies/{vacancy}")
    page.get_by_role("link", name="Voorstellen").first.click()
    arrive(page, "/matching/proposals")
    shows(page, ".proposal h2", "candidate-")
    assert participant[:8] not in page.content()
    page.get_by_role("button", name="Accepteren", exact=True).click()
    shows(page, ".proposal dt:has-text('Werkgever akkoord') + dd", "ja")
    assert_accessible(page)


def desk_accepts_for_the_candidate(page, desk, participant):
    signs_in(page, "matching", desk, "/matching/vacancies")
    page.get_by_role("link", name="Voorstellen").first.click()
    arrive(page, "/matching/proposals")
    proposal = page.locator(".proposal").filter(has_text=participant[:8])
    proposal.get_by_role("button", name="Accepteren namens de kandidaat").click()
    shows(page, ".proposal .status", "geaccepteerd")
    assert_accessible(page)


def job_coach_starts_the_placement(page, coach, participant):
    signs_in(page, "placement", coach, "/placement/placements")
    # Placement plans it once it hears of the accepted match.
    shows_after_reload(page, "#results tbody", participant[:8])
    assert_accessible(page)
    page.locator("#results tbody tr").filter(has_text=participant[:8]).get_by_role(
        "link").click()
    arrive(page, "/placement/placements/")
    shows(page, "#status", "gepland")
    page.get_by_label("Contract").select_option("work-trial")
    page.get_by_label("Bruto uurloon in euro").fill("14.06")
    page.get_by_role("button", name="Plaatsing starten").click()
    shows(page, "#status", "gestart")
    assert_accessible(page)


def pi_follows_their_journey(page, participant):
    """The case manager, still signed in, sees on the participant's page what the chain told
    the PI: the certificates, the completed programme and the first day of work."""
    page.reload()
    shows_after_reload(page, "#journey", "aan het werk")
    journey = page.locator("#journey").inner_text()
    for step in ("deelnemer toegelaten", "certificaat behaald", "programma afgerond"):
        assert step in journey
    assert_accessible(page)
    page.locator("#journey").screenshot(path=SCREENSHOTS / "pi-journey.png")


def test_a_participant_goes_from_the_pi_to_work_through_each_organisations_pages(
        keys_file, browser, page):
    person = people(keys_file)
    # The PI's case manager in a window of her own, which stays at the participant's page.
    pi = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam").new_page()
    participant = pi_admits_a_participant(pi, person["pi-case-manager"])
    certificates = trainer_takes_them_through_training(page, person["trainer"], participant)
    assert "werknemersvaardigheden" in certificates and len(certificates) >= 2
    employer = desk_registers_the_employer(page, person["employer-desk"], keys_file)
    vacancy = desk_publishes_a_vacancy(page, employer, certificates, participant)
    signs_out(page)
    employer_accepts(page, person["employer"], vacancy, participant)
    signs_out(page)
    desk_accepts_for_the_candidate(page, person["employer-desk"], participant)
    job_coach_starts_the_placement(page, person["job-coach"], participant)
    pi_follows_their_journey(pi, participant)
    pi.context.close()
