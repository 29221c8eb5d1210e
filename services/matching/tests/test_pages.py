"""The employer desk's and employers' pages over real HTTP, on SQLite and on PostgreSQL:
employers listed and registered, vacancies listed, published with every field the API takes,
changed and closed, a vacancy's ranking with the reasoning and, from it, the vacancies for a
candidate, proposals answered by the employer and, for the candidate, by the desk; an employer
sees only its own and changes or closes nothing, other roles are refused, and a form that breaks
the API's rules is shown again with the error beside its field."""
import re
import uuid
from datetime import timedelta

import pytest
import requests

from services.matching.service import MatchingService
from services.matching.tests.test_service import wait_until
from shared import clock
from tests.harness import error_beside, post_form, running_service, sign_in

PASSWORD = "correct horse battery staple"
TODAY = clock.today()
DESK = "employer-desk"


def register(api, name):
    response = api.call("POST", "/employers", DESK, {
        "name": name, "sector": "cleaning", "municipality": "0505", "contact_name": "Petra",
        "contact_email": "petra@schoon.example.org"})
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture(scope="module")
def matching(amqp_uri, directory, database_url):
    with running_service(MatchingService, amqp_uri, directory, DATABASE_URL=database_url,
                         WEB_COOKIE_SECURE="false") as api:
        api.mine, api.theirs = register(api, "Schoon BV"), register(api, "Ander BV")
        api.add_person("w.desk", DESK, PASSWORD)
        api.add_person("p.bakker", "employer", PASSWORD, organisation=f"employer:{api.mine}")
        api.add_person("a.de.vries", "trainer", PASSWORD)
        yield api


def signed_in(api, name):
    session, answer = sign_in(api.base_url, name, PASSWORD)
    assert answer.status_code == 303, answer.text
    return session


def post(session, api, path, data, form_at=None):
    return post_form(session, api.base_url, path, data, form_at)


def vacancy(api, employer_id, municipality="0505", **details):
    response = api.call("POST", "/vacancies", DESK, {
        "employer_id": employer_id, "occupation": "office-cleaner", "sector": "cleaning",
        "municipality": municipality, "hours_per_week": 24,
        "start_date": str(TODAY + timedelta(days=40)),
        "required_certificates": ["cleaning-diploma"], **details})
    assert response.status_code == 201, response.text
    return response.json()


def ready_candidate(api, broker, municipality):
    """A candidate admitted in intake whose programme was completed in training."""
    participant = str(uuid.uuid4())
    broker.publish("intake", "participant.admitted", {
        "participant_id": participant, "target_group": "detainee-last-phase",
        "municipality": municipality, "expected_release_date": str(TODAY + timedelta(days=20)),
        "language_level": "B1", "occupations": ["office-cleaner"], "skills": ["teamwork"],
        "preferred_sectors": ["cleaning"]})
    broker.publish("training", "training.programme_completed", {
        "participant_id": participant, "programme_id": str(uuid.uuid4()),
        "certificates": ["employee-skills", "cleaning-diploma"], "completed_on": str(TODAY)})
    wait_until(lambda: api.call("GET", f"/candidates/{participant}", DESK).ok and api.call(
        "GET", f"/candidates/{participant}", DESK).json()["status"] == "ready")
    return participant


def test_the_pages_are_for_the_desk_and_employers_only(matching):
    trainer = signed_in(matching, "a.de.vries")
    for path in ("/matching/vacancies", f"/matching/vacancies/{uuid.uuid4()}",
                 "/matching/proposals"):
        refused = trainer.get(matching.base_url + path)
        assert refused.status_code == 403 and "niet voor uw rol" in refused.text, path
    assert requests.get(matching.base_url + "/matching/vacancies",
                        allow_redirects=False).headers["Location"].startswith("/signin")


def test_an_employer_sees_only_its_own_vacancies(matching):
    own = vacancy(matching, matching.mine, title="Schoonmaker kantoor")
    other = vacancy(matching, matching.theirs, title="Schoonmaker hal")
    employer = signed_in(matching, "p.bakker")
    listed = employer.get(matching.base_url + "/matching/vacancies")
    assert listed.status_code == 200
    assert "Schoonmaker kantoor" in listed.text and "Schoonmaker hal" not in listed.text
    assert 'id="new-vacancy"' not in listed.text
    assert employer.get(matching.base_url + f"/matching/vacancies/{own['id']}").status_code == 200
    assert employer.get(matching.base_url +
                        f"/matching/vacancies/{other['id']}").status_code == 404
    desk = signed_in(matching, "w.desk")
    listed = desk.get(matching.base_url + "/matching/vacancies")
    assert "Schoonmaker kantoor" in listed.text and "Schoonmaker hal" in listed.text
    refused = post(employer, matching, "/matching/vacancies", {
        "employer_id": matching.mine}, form_at="/matching/vacancies")
    assert refused.status_code == 403


def test_the_desk_publishes_a_vacancy_and_a_wrong_field_is_shown_beside_it(matching):
    desk = signed_in(matching, "w.desk")
    form = {"employer_id": matching.mine, "title": "Glazenwasser", "occupation": "office-cleaner",
            "sector": "cleaning", "municipality": "0505", "hours_per_week": "50",
            "start_date": str(TODAY + timedelta(days=30)),
            "required_certificates": ["cleaning-diploma"]}
    refused = post(desk, matching, "/matching/vacancies", form, form_at="/matching/vacancies")
    assert refused.status_code == 422
    assert error_beside(refused, "hours_per_week")
    assert 'value="Glazenwasser"' in refused.text
    published = post(desk, matching, "/matching/vacancies", {**form, "hours_per_week": "32"},
                     form_at="/matching/vacancies")
    assert published.status_code == 303, published.text
    shown = desk.get(matching.base_url + published.headers["Location"])
    assert shown.status_code == 200 and "Glazenwasser" in shown.text
    assert 'id="ranking"' in shown.text


def test_the_desk_sees_the_ranking_and_proposals_are_answered_by_both_sides(matching, broker):
    participant = ready_candidate(matching, broker, municipality="1900")
    job = vacancy(matching, matching.mine, municipality="1900", title="Schoonmaker Sneek")
    desk = signed_in(matching, "w.desk")
    shown = desk.get(matching.base_url + f"/matching/vacancies/{job['id']}")
    assert participant[:8] in shown.text and "include_excluded=true" in shown.text
    excluded = desk.get(matching.base_url + f"/matching/vacancies/{job['id']}",
                        params={"include_excluded": "true"})
    assert "Kandidaten die de vacature uitsluit" in excluded.text
    employer = signed_in(matching, "p.bakker")
    mine = employer.get(matching.base_url + "/matching/proposals")
    assert mine.status_code == 200 and participant not in mine.text
    [proposal_id] = re.findall(r'id="proposal-([0-9a-f-]{36})"', mine.text)
    path = f"/matching/proposals/{proposal_id}/employer-response"
    refused = post(employer, matching, path, {"decision": "decline"},
                   form_at="/matching/proposals")
    assert refused.status_code == 422 and error_beside(refused, f"reason-{proposal_id}")
    assert post(employer, matching, path, {"decision": "accept"},
                form_at="/matching/proposals").status_code == 303
    answered = post(desk, matching, f"/matching/proposals/{proposal_id}/responses",
                    {"party": "candidate", "decision": "accept"}, form_at="/matching/proposals")
    assert answered.status_code == 303, answered.text
    proposals = desk.get(matching.base_url + "/matching/proposals?status=accepted")
    assert participant[:8] in proposals.text


def test_the_desk_registers_an_employer_and_a_wrong_field_is_shown_beside_it(matching):
    desk = signed_in(matching, "w.desk")
    listed = desk.get(matching.base_url + "/matching/employers")
    assert listed.status_code == 200 and "Schoon BV" in listed.text and "Ander BV" in listed.text
    assert 'href="/matching/employers"' in listed.text
    form = {"name": "Groen BV", "sector": "cleaning", "municipality": "0505",
            "contact_name": "Karel", "contact_email": "geen adres", "social_return": "true"}
    refused = post(desk, matching, "/matching/employers", form)
    assert refused.status_code == 422
    assert error_beside(refused, "contact_email") == "Geen geldig e-mailadres. "
    assert 'value="Groen BV"' in refused.text and 'value="geen adres"' in refused.text
    missing = post(desk, matching, "/matching/employers", {"contact_email": "k@groen.example.org"})
    assert missing.status_code == 422 and error_beside(missing, "name") == "Dit veld is verplicht. "
    registered = post(desk, matching, "/matching/employers",
                      {**form, "contact_email": "karel@groen.example.org"})
    assert registered.status_code == 303, registered.text
    where, employer_id = registered.headers["Location"].split("#employer-")
    assert where == "/matching/employers"
    shown = matching.call("GET", f"/employers/{employer_id}", DESK).json()
    assert (shown["name"], shown["social_return"]) == ("Groen BV", True)
    assert f'id="employer-{employer_id}"' in desk.get(matching.base_url + where).text
    assert desk.get(matching.base_url + "/matching/employers?offset=-1").status_code == 422


def test_the_desk_follows_a_ranked_candidate_to_the_vacancies_they_may_take(matching, broker):
    participant = ready_candidate(matching, broker, municipality="0344")
    job = vacancy(matching, matching.mine, municipality="0344", title="Schoonmaker Utrecht")
    desk = signed_in(matching, "w.desk")
    ranking = desk.get(matching.base_url + f"/matching/vacancies/{job['id']}")
    link = f"/matching/candidates/{participant}/vacancies"
    assert f'href="{link}"' in ranking.text
    matches = desk.get(matching.base_url + link)
    assert matches.status_code == 200 and "Schoonmaker Utrecht" in matches.text
    assert "Schoon BV" in matches.text
    listed = matching.call("GET", f"/candidates/{participant}/vacancies", DESK).json()
    assert job["id"] in {match["vacancy_id"] for match in listed}
    assert [match["vacancy_id"] for match in listed] == re.findall(
        r'id="vacancy-([0-9a-f-]{36})"', matches.text)
    assert desk.get(matching.base_url + f"/matching/candidates/{uuid.uuid4()}/vacancies"
                    ).status_code == 404


def test_the_employers_and_a_candidates_vacancies_are_for_the_desk_only(matching):
    employer = signed_in(matching, "p.bakker")
    for path in ("/matching/employers", f"/matching/candidates/{uuid.uuid4()}/vacancies"):
        refused = employer.get(matching.base_url + path)
        assert refused.status_code == 403 and "niet voor uw rol" in refused.text, path
    assert 'href="/matching/employers"' not in employer.get(
        matching.base_url + "/matching/vacancies").text
    refused = post(employer, matching, "/matching/employers", {"name": "Eigen BV"},
                   form_at="/matching/vacancies")
    assert refused.status_code == 403


def test_the_reasons_and_a_refusal_read_in_dutch_and_on_the_english_page_in_english(matching,
                                                                                   broker):
    # Room for the candidates of the tests before, and the best vacancy for this one.
    job = vacancy(matching, matching.mine, municipality="0513", title="Schoonmaker Gouda",
                  positions=5)
    participant = ready_candidate(matching, broker, municipality="0513")
    desk = signed_in(matching, "w.desk")
    english = {"Accept-Language": "en"}
    ranking = desk.get(matching.base_url + f"/matching/vacancies/{job['id']}")
    assert "wil werken als kantoorschoonmaker" in ranking.text
    assert "gewenste certificaten: 15" in ranking.text
    assert "wants to work as office cleaner" in desk.get(
        matching.base_url + f"/matching/vacancies/{job['id']}", headers=english).text
    proposed = f"/proposals?vacancy_id={job['id']}&participant_id={participant}"
    wait_until(lambda: matching.call("GET", proposed, DESK).json())
    [proposal] = matching.call("GET", proposed, DESK).json()
    assert "pluspunt: woont in de gemeente van de vacature" in desk.get(
        matching.base_url + "/matching/proposals").text
    answer = {"party": "candidate", "decision": "decline", "reason": "other"}
    path = f"/matching/proposals/{proposal['id']}/responses"
    assert post(desk, matching, path, answer, form_at="/matching/proposals").status_code == 303
    refused = post(desk, matching, path, answer, form_at="/matching/proposals")
    assert refused.status_code == 409 and "het voorstel is al afgewezen" in refused.text
    desk.headers.update(english)
    refused = post(desk, matching, path, answer, form_at="/matching/proposals")
    assert refused.status_code == 409 and "the proposal is already declined" in refused.text


def test_a_wrong_filter_is_named_in_words(matching):
    desk = signed_in(matching, "w.desk")
    refused = desk.get(matching.base_url + "/matching/vacancies?status=x")
    assert refused.status_code == 422
    assert "status: Must be one of" in refused.text and "{" not in refused.text.split(
        "<main", 1)[1].split("</main>", 1)[0]


# A vacancy's form with every field the API takes but the employer, each as the browser sends it.
EVERY_FIELD = {
    "title": "Schoonmaker ziekenhuis", "description": "Schoonmaak van de verpleegafdelingen.",
    "occupation": "office-cleaner", "sector": "cleaning", "municipality": "0505",
    "postcode": "3311 AB", "hours_per_week": "28", "start_date": str(TODAY + timedelta(days=30)),
    "positions": "2", "required_certificates": ["cleaning-diploma"],
    "desired_certificates": ["bhv", "vca-basic"], "skills": ["cleaning-techniques", "teamwork"],
    "min_language_level": "A2", "vog_required": "true", "vog_risk_areas": ["money", "persons"],
    "works_with_minors": "true", "works_with_vulnerable_people": "true",
    "shift_starts_at": "07:00", "shift_ends_at": "15:30"}


def ticked(page, box):
    return re.search(rf'id="f-{re.escape(box)}"[^>]* checked', page.text) is not None


def test_the_desk_publishes_a_vacancy_with_every_field_as_the_api_shows_it(matching):
    desk = signed_in(matching, "w.desk")
    form = {"employer_id": matching.mine, **EVERY_FIELD}
    refused = post(desk, matching, "/matching/vacancies", {**form, "shift_ends_at": ""},
                   form_at="/matching/vacancies")
    assert refused.status_code == 422
    assert error_beside(refused, "shift_ends_at") == "een dienst heeft een begin en een einde "
    # Every field kept as it was sent.
    assert "Schoonmaak van de verpleegafdelingen.</textarea>" in refused.text
    assert '<option value="A2" selected>' in refused.text and 'value="07:00"' in refused.text
    assert all(ticked(refused, box) for box in (
        "desired-vca-basic", "skills-cleaning-techniques", "vog_risk_areas-persons",
        "works_with_vulnerable_people"))
    published = post(desk, matching, "/matching/vacancies", form, form_at="/matching/vacancies")
    assert published.status_code == 303, published.text
    vacancy_id = published.headers["Location"].removeprefix("/matching/vacancies/")
    shown = matching.call("GET", f"/vacancies/{vacancy_id}", DESK).json()
    assert {name: shown[name] for name in form} == {
        **form, "hours_per_week": 28, "positions": 2, "vog_required": True,
        "works_with_minors": True, "works_with_vulnerable_people": True}
    page = desk.get(matching.base_url + published.headers["Location"])
    assert "07:00 tot 15:30" in page.text and "geld, personen" in page.text


def test_the_desk_changes_a_vacancy_and_the_proposals_it_no_longer_allows_lapse(matching,
                                                                              broker):
    job = vacancy(matching, matching.mine, municipality="0599", title="Schoonmaker haven",
                  positions=5, desired_certificates=["employee-skills"], works_with_minors=True)
    participant = ready_candidate(matching, broker, municipality="0599")
    proposed = f"/proposals?vacancy_id={job['id']}&participant_id={participant}"
    wait_until(lambda: matching.call("GET", proposed, DESK).json())
    desk = signed_in(matching, "w.desk")
    path = f"/matching/vacancies/{job['id']}"
    shown = desk.get(matching.base_url + path)
    assert 'value="Schoonmaker haven"' in shown.text and ticked(shown, "desired-employee-skills")
    # The boxes of the desired certificate and of work with minors are left unticked.
    change = {"title": "Schoonmaker haven en kade", "occupation": "office-cleaner",
              "sector": "cleaning", "municipality": "0599", "hours_per_week": "32",
              "start_date": job["start_date"], "positions": "5",
              "required_certificates": ["cleaning-diploma", "forklift"]}
    refused = post(desk, matching, path, {**change, "vog_risk_areas": ["money"]})
    assert refused.status_code == 422
    assert error_beside(refused, "vog_risk_areas") == \
        "risicogebieden worden alleen getoetst als een VOG vereist is "
    assert 'value="Schoonmaker haven en kade"' in refused.text
    assert matching.call("GET", f"/vacancies/{job['id']}", DESK).json()["title"] == \
        "Schoonmaker haven"
    changed = post(desk, matching, path, change)
    assert changed.status_code == 303 and changed.headers["Location"] == path, changed.text
    after = matching.call("GET", f"/vacancies/{job['id']}", DESK).json()
    assert {name: after[name] for name in ("title", "hours_per_week", "required_certificates",
                                           "desired_certificates", "works_with_minors")} == {
        "title": "Schoonmaker haven en kade", "hours_per_week": 32,
        "required_certificates": ["cleaning-diploma", "forklift"], "desired_certificates": [],
        "works_with_minors": False}
    # The candidate holds no forklift certificate: their proposal lapsed, as over the API.
    [proposal] = matching.call("GET", proposed, DESK).json()
    assert (proposal["status"], proposal["expiry_reason"]) == ("expired", "vacancy-changed")
    page = desk.get(matching.base_url + path)
    assert "Schoonmaker haven en kade" in page.text
    assert "<dd>vakdiploma schoonmaak, heftruck</dd>" in page.text
    assert "verlopen" in page.text.split('id="proposals"', 1)[1]


def test_the_desk_closes_a_vacancy_with_a_reason(matching):
    job = vacancy(matching, matching.mine, title="Schoonmaker loods")
    desk = signed_in(matching, "w.desk")
    path = f"/matching/vacancies/{job['id']}"
    shown = desk.get(matching.base_url + path)
    assert 'id="change"' in shown.text and 'id="closure"' in shown.text
    refused = post(desk, matching, path + "/closure", {}, form_at=path)
    assert refused.status_code == 422
    assert error_beside(refused, "reason") == "Dit veld is verplicht. "
    assert 'value="Schoonmaker loods"' in refused.text
    closed = post(desk, matching, path + "/closure", {"reason": "withdrawn-by-employer"},
                  form_at=path)
    assert closed.status_code == 303 and closed.headers["Location"] == path, closed.text
    assert matching.call("GET", f"/vacancies/{job['id']}", DESK).json()["status"] == "closed"
    shown = desk.get(matching.base_url + path)
    assert "<dd>gesloten</dd>" in shown.text
    assert 'id="change"' not in shown.text and 'id="closure"' not in shown.text
    again = post(desk, matching, path, {**EVERY_FIELD, "title": "Schoonmaker loods"})
    assert again.status_code == 409 and "dit kan niet: de vacature is gesloten" in again.text


def test_an_employer_gets_no_form_to_change_or_close_a_vacancy_and_is_refused(matching):
    job = vacancy(matching, matching.mine, title="Schoonmaker kantine")
    employer = signed_in(matching, "p.bakker")
    path = f"/matching/vacancies/{job['id']}"
    shown = employer.get(matching.base_url + path)
    assert shown.status_code == 200 and "Schoonmaker kantine" in shown.text
    assert 'id="change"' not in shown.text and 'id="closure"' not in shown.text
    for sent, form in ((path, {**EVERY_FIELD, "title": "Eigen titel"}),
                       (path + "/closure", {"reason": "other"})):
        refused = post(employer, matching, sent, form, form_at=path)
        assert refused.status_code == 403 and "niet voor uw rol" in refused.text, sent
    kept = matching.call("GET", f"/vacancies/{job['id']}", DESK).json()
    assert (kept["title"], kept["status"]) == ("Schoonmaker kantine", "open")
