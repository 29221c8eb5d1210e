"""The case manager's screening form over real HTTP, on SQLite and on PostgreSQL: it takes all
that the API's screening takes (several occupations, skills, preferred sectors, drivers and
ambitions, work outside the institution, banned municipalities, VOG risk areas and a curfew)
and records what the API records; a wrong field is refused beside it, with the form shown
again as it was sent; the participant's page shows what was screened, also once the form is
gone. And the participant's journey through the chain: what intake recorded of them and what
the other services told the PI, as the chain's policy lets it hear (handlers.FOLLOWS), over the
real broker."""
import re
import time
import uuid

import pyotp
import pytest

from services.intake.tests.test_api import (CASE_MANAGER, SCREENING, TODAY,
                                            admitted_participant, new_participant)
from tests.harness import error_beside, post_form, running_intake, sign_in

PASSWORD = "correct horse battery staple"
SECRET = pyotp.random_base32()


@pytest.fixture(scope="module")
def api(amqp_uri, directory, database_url):
    with running_intake(amqp_uri, directory, DATABASE_URL=database_url,
                        WEB_COOKIE_SECURE="false") as api:
        api.add_person("m.jansen", "pi-case-manager", PASSWORD, second_factor=SECRET)
        yield api


@pytest.fixture(scope="module")
def session(api):
    """The case manager, signed in to the pages."""
    session, _ = sign_in(api.base_url, "m.jansen", PASSWORD, pyotp.TOTP(SECRET).now())
    return session


def as_form(values, prefix=""):
    """A screening as the page's form sends it: a nested field by its dotted name, a list as
    one value per box ticked or option chosen, a box ticked or not."""
    form = {}
    for name, value in values.items():
        if isinstance(value, dict):
            form.update(as_form(value, f"{prefix}{name}."))
        elif value is not False:
            form[prefix + name] = ("true" if value is True else
                                   value if isinstance(value, list) else str(value))
    return form


def screen(session, api, participant, form):
    here = f"/pi/participants/{participant}"
    return post_form(session, api.base_url, f"{here}/screening", form, form_at=here)


def recorded(api, participant):
    response = api.call("GET", f"/participants/{participant}", CASE_MANAGER)
    assert response.status_code == 200, response.text
    return response.json()


def section(page, name):
    return page.text.split(f'id="{name}"', 1)[1].split("</section>", 1)[0]


def test_a_full_screening_through_the_form_is_the_one_the_api_records(api, session):
    by_form, by_api = new_participant(api), new_participant(api)
    answer = screen(session, api, by_form, as_form(SCREENING))
    assert answer.status_code == 303, answer.text
    assert answer.headers["Location"].endswith("#screening")
    assert api.call("PUT", f"/participants/{by_api}/screening", CASE_MANAGER, SCREENING).ok
    screened = recorded(api, by_form)["screening"]
    assert screened == recorded(api, by_api)["screening"]
    # All that was given, the rest as the API's defaults have it.
    given = SCREENING["restrictions"]
    assert {name: screened[name] for name in SCREENING} == {
        **SCREENING, "restrictions": screened["restrictions"]}
    assert {name: screened["restrictions"][name] for name in given} == given

    shown = section(session.get(f"{api.base_url}/pi/participants/{by_form}"), "screening")
    facts = shown.split("</dl>", 1)[0]
    for said in ("magazijnmedewerker, heftruckchauffeur", "samenwerken in een team",
                 "logistiek", "Geen werk met minderjarigen</dd>", "Gorinchem (0512)", "geld",
                 "22:00 tot 06:00, met enkelband",
                 "1 december 2026", "akkoord, beoordeeld door Security officer Bakker"):
        assert said in facts, said
    # The form is filled in with what was recorded.
    for ticked in ("occupations-warehouse-worker", "occupations-forklift-driver",
                   "skills-stock-handling", "preferred_sectors-logistics",
                   "restrictions.vog_risk_areas-money", "restrictions.no_work_with_minors",
                   "restrictions.curfew.electronic_monitoring", "safety.cleared"):
        assert re.search(rf'id="f-{re.escape(ticked)}"[^>]* checked', shown), ticked
    assert not re.search(r'id="f-occupations-cook"[^>]* checked', shown)
    assert '<option value="0512" selected>Gorinchem</option>' in shown
    assert 'name="restrictions.curfew.starts_at" type="time" value="22:00"' in shown
    assert "Wants to provide for his daughter" in shown.split("</dl>", 1)[1]


def test_an_unticked_safety_box_records_that_safety_was_not_cleared(api, session):
    participant = new_participant(api)
    # As the browser sends it: the hidden "false" after the box, and the box's "true" only if
    # ticked.
    for sent, cleared in ((["false"], False), (["true", "false"], True)):
        answer = screen(session, api, participant, {
            "motivation": "3", "language_level": "A2", "safety.cleared": sent,
            "safety.assessed_by": "Veiligheidsadviseur Smit", "safety.assessed_on": "2026-11-02"})
        assert answer.status_code == 303, answer.text
        assert recorded(api, participant)["screening"]["safety"]["cleared"] is cleared


def test_a_wrong_curfew_time_is_refused_beside_its_field(api, session):
    participant = new_participant(api)
    form = as_form({**SCREENING, "restrictions": {
        **SCREENING["restrictions"], "curfew": {"starts_at": "25:00", "ends_at": "06:00"}}})
    refused = screen(session, api, participant, form)
    assert refused.status_code == 422
    assert "Geen tijdstip" in error_beside(refused, "restrictions.curfew.starts_at")
    assert not error_beside(refused, "restrictions.curfew.ends_at")
    # Shown again as it was sent, nothing recorded.
    shown = section(refused, "screening")
    assert 'name="restrictions.curfew.starts_at" type="time" value="25:00"' in shown
    assert re.search(r'id="f-occupations-forklift-driver"[^>]* checked', shown)
    assert '<option value="0512" selected>Gorinchem</option>' in shown
    assert recorded(api, participant)["screening"] is None


@pytest.mark.parametrize("field, wrong", [
    ("occupations", ["warehouse-worker", "astronaut"]),
    ("restrictions.banned_municipalities", ["0512", "Atlantis"]),
    ("restrictions.vog_risk_areas", ["weapons"]),
])
def test_a_code_not_in_its_list_is_refused_beside_the_list(api, session, field, wrong):
    participant = new_participant(api)
    refused = screen(session, api, participant, {**as_form(SCREENING), field: wrong})
    assert refused.status_code == 422
    assert error_beside(refused, field)
    assert recorded(api, participant)["screening"] is None


@pytest.mark.parametrize("field", ["safety", "restrictions", "restrictions.curfew"])
def test_a_form_of_the_wrong_shape_is_refused_never_a_500(api, session, field):
    participant = new_participant(api)
    form = {name: value for name, value in as_form(SCREENING).items()
            if not name.startswith(field + ".")}
    refused = screen(session, api, participant, {**form, field: "yes"})
    assert refused.status_code == 422, refused.text


def test_the_page_shows_what_was_screened_once_the_form_is_gone(api, session):
    participant = admitted_participant(api)
    page = session.get(f"{api.base_url}/pi/participants/{participant}")
    assert page.status_code == 200
    shown = section(page, "screening")
    assert "magazijnmedewerker" in shown and "Gorinchem" in shown
    assert "<form" not in shown


def journey_of(session, base_url, participant):
    page = session.get(f"{base_url}/pi/participants/{participant}")
    assert page.status_code == 200, page.text
    return section(page, "journey")


def test_a_participants_page_shows_their_journey(api, broker, session):
    participant = admitted_participant(api)
    programme, placement = str(uuid.uuid4()), str(uuid.uuid4())
    award = {"participant_id": participant, "programme_id": programme,
             "certificate_id": str(uuid.uuid4()), "number": "DS-2026-000001",
             "certificate": "forklift", "module": "forklift", "issuer": "Drechtwerk",
             "issued_on": str(TODAY), "expires_on": None}
    sent = broker.publish("training", "training.certificate_awarded", award)
    broker.publish("training", "training.certificate_awarded", award, body=sent)
    broker.publish("training", "training.programme_completed", {
        "participant_id": participant, "programme_id": programme,
        "certificates": ["forklift"], "completed_on": str(TODAY)})
    broker.publish("placement", "placement.started", {
        "placement_id": placement, "participant_id": participant,
        "employer_id": str(uuid.uuid4()), "contract_type": "paid-temporary",
        "hours_per_week": 24, "started_on": str(TODAY), "wage_cost_subsidy": False})
    # About someone who is not the PI's participant: nothing to note.
    broker.publish("training", "training.dropped_out", {
        "participant_id": str(uuid.uuid4()), "programme_id": programme,
        "reason": "motivation"})
    deadline = time.monotonic() + 30
    while "aan het werk" not in (journey := journey_of(session, api.base_url, participant)):
        assert time.monotonic() < deadline, journey
        time.sleep(0.2)
    steps = journey.split("<li>")[1:]
    said = [step.split("<strong>", 1)[1].split("</strong>", 1)[0] for step in steps]
    assert said[:4] == ["deelnemer aangemeld", "deelnemer gescreend", "grondslag vastgelegd",
                        "grondslag vastgelegd"]
    assert said[-4:] == ["deelnemer toegelaten", "certificaat behaald", "programma afgerond",
                         "aan het werk"]
    assert said.count("certificaat behaald") == 1  # delivered twice, noted once
    assert "Werkbedrijf: jobcoach" in steps[-1] and "24 uur per week" in steps[-1]
    english = session.get(f"{api.base_url}/pi/participants/{participant}",
                          headers={"Accept-Language": "en"}).text
    assert "Journey through the chain" in english and "certificate awarded" in english


def test_a_certificate_taken_back_shows_in_the_journey(api, broker, session):
    """The PI hears of a pass put right as a fail as of the award, so that the journey does not
    go on showing a certificate the participant no longer holds."""
    participant = admitted_participant(api)
    programme, award = str(uuid.uuid4()), str(uuid.uuid4())
    broker.publish("training", "training.certificate_awarded", {
        "participant_id": participant, "programme_id": programme, "certificate_id": award,
        "number": "DS-2026-000002", "certificate": "forklift", "module": "forklift",
        "issuer": "Drechtwerk", "issued_on": str(TODAY), "expires_on": None})
    broker.publish("training", "training.result_corrected", {
        "participant_id": participant, "programme_id": programme, "module": "forklift",
        "passed": False, "completed_on": str(TODAY), "previous_passed": True,
        "previous_completed_on": str(TODAY), "reason": "entry-error",
        "certificate_revoked": "forklift", "revoked_certificate_id": award})
    deadline = time.monotonic() + 30
    while "resultaat gecorrigeerd" not in (journey := journey_of(session, api.base_url,
                                                                  participant)):
        assert time.monotonic() < deadline, journey
        time.sleep(0.2)
    corrected = journey.split("resultaat gecorrigeerd", 1)[1].split("</li>", 1)[0]
    assert "niet geslaagd" in corrected and "certificaat ingetrokken: heftruck" in corrected
    assert "invoerfout" in corrected


def test_reading_a_journey_is_logged(api, session):
    participant = admitted_participant(api)
    journey_of(session, api.base_url, participant)
    reads = api.call("GET", f"/audit/personal-data-reads?participant_id={participant}",
                     "pi-privacy-officer").json()
    assert [read["fields"] for read in reads if read["reader"] == "m.jansen"][-1] == ["journey"]
