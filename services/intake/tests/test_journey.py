"""A participant's page shows their journey through the chain: what intake recorded of them and
what the other services told the PI, as the chain's policy lets it hear (handlers.FOLLOWS), over
the real broker and HTTP, on SQLite and PostgreSQL."""
import time
import uuid

import pyotp
import pytest

from services.intake.tests.test_api import CASE_MANAGER, TODAY, admitted_participant
from tests.harness import running_intake, sign_in

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


def journey_of(session, base_url, participant):
    page = session.get(f"{base_url}/pi/participants/{participant}")
    assert page.status_code == 200, page.text
    return page.text.split('id="journey"', 1)[1].split("</section>", 1)[0]


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
    deadline = time.monotonic() + 15
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


def test_reading_a_journey_is_logged(api, session):
    participant = admitted_participant(api)
    journey_of(session, api.base_url, participant)
    reads = api.call("GET", f"/audit/personal-data-reads?participant_id={participant}",
                     "pi-privacy-officer").json()
    assert [read["fields"] for read in reads if read["reader"] == "m.jansen"][-1] == ["journey"]
