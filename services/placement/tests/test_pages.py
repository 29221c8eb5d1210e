"""The job coach's pages over real HTTP, on SQLite and on PostgreSQL: placements listed and
filtered, a planned one started (a wage under the minimum wage refused beside its field), a
check-in that raises the risk, an end with its reason, the start and end put right (each
form's errors beside its own fields), and the social-return ledger; an
employer's: its own placements without who works them, and its social return; other roles, and
another employer, are refused."""
import re
import uuid
from datetime import timedelta

import pytest
import requests

from services.placement.service import PlacementService
from shared import clock
from tests.harness import csrf_of, error_beside, post_form, running_service, sign_in

WATCHED = ["placement"]
PASSWORD = "correct horse battery staple"
TODAY = clock.today()
EMPLOYER, OTHER_EMPLOYER = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(scope="module")
def placement(amqp_uri, directory, database_url, broker):
    with running_service(PlacementService, amqp_uri, directory, DATABASE_URL=database_url,
                         WEB_COOKIE_SECURE="false") as api:
        api.add_person("j.smit", "job-coach", PASSWORD)
        api.add_person("a.de.vries", "trainer", PASSWORD)
        api.add_person("p.bakker", "employer", PASSWORD, organisation=f"employer:{EMPLOYER}")
        yield api


def signed_in(placement, name):
    session, answer = sign_in(placement.base_url, name, PASSWORD)
    assert answer.status_code == 303, answer.text
    return session


@pytest.fixture(scope="module")
def coach(placement):
    return signed_in(placement, "j.smit")


def post(session, placement, path, data, form_at=None):
    return post_form(session, placement.base_url, path, data, form_at)


def planned(broker, employer_id=None):
    """A placement planned from an accepted match, as matching publishes it."""
    participant = str(uuid.uuid4())
    broker.publish("matching", "match.accepted", {
        "match_id": str(uuid.uuid4()), "vacancy_id": str(uuid.uuid4()),
        "employer_id": employer_id or str(uuid.uuid4()), "participant_id": participant,
        "occupation": "office-cleaner", "hours_per_week": 32,
        "start_date": str(TODAY + timedelta(days=14))})
    [fact] = broker.facts("placement.planned", participant)
    return fact["data"]["placement_id"]


def started_participant(placement, placement_id):
    return placement.call("GET", f"/placements/{placement_id}", "job-coach").json()[
        "participant_id"]


START = {"contract_type": "paid-temporary", "hourly_wage": "15.25",
         "job_coach": "Team Drechtwerk", "started_on": str(TODAY)}


def test_the_pages_are_for_job_coaches_only(placement, broker):
    trainer = signed_in(placement, "a.de.vries")
    placement_id = planned(broker)
    for path in ("/placement/placements", f"/placement/placements/{placement_id}",
                 "/placement/social-return"):
        refused = trainer.get(placement.base_url + path)
        assert refused.status_code == 403 and "niet voor uw rol" in refused.text, path
    assert requests.get(placement.base_url + "/placement/placements",
                        allow_redirects=False).headers["Location"].startswith("/signin")


def test_a_coach_signs_in_to_the_placements_with_their_status_and_risk(placement, broker):
    placement_id = planned(broker)
    session = requests.Session()
    form = session.get(placement.base_url + "/signin")
    answer = session.post(placement.base_url + "/signin", data={
        "name": "j.smit", "password": PASSWORD, "csrf_token": csrf_of(form)})
    assert answer.url.endswith("/placement/placements")
    assert "Sociaal werkbedrijf · jobcoaching" in answer.text
    assert placement_id[:8] in answer.text and "gepland" in answer.text
    assert "geen" in answer.text  # the risk
    english = session.get(placement.base_url + "/placement/placements",
                          headers={"Accept-Language": "en"})
    assert "Placements by planned start" in english.text
    assert session.get(placement.base_url + "/").url.endswith("/placement/placements")


def test_the_placements_are_filtered_and_paged(placement, coach, broker):
    employer = str(uuid.uuid4())
    ids = [planned(broker, employer) for _ in range(26)]
    first = coach.get(placement.base_url + f"/placement/placements?employer_id={employer}")
    assert "26 plaatsingen" in first.text and "1–25 van 26" in first.text
    assert "offset=25" in first.text
    second = coach.get(placement.base_url
                       + f"/placement/placements?employer_id={employer}&offset=25")
    assert "26–26 van 26" in second.text and "Vorige" in second.text
    started = post(coach, placement, f"/placement/placements/{ids[0]}/start", START,
                   form_at=f"/placement/placements/{ids[0]}")
    assert started.status_code == 303, started.text
    only = coach.get(placement.base_url
                     + f"/placement/placements?employer_id={employer}&status=started")
    assert "1 plaatsingen" in only.text and ids[0][:8] in only.text
    by_participant = coach.get(placement.base_url + "/placement/placements",
                               params={"participant_id": started_participant(placement, ids[1])})
    assert "1 plaatsingen" in by_participant.text and ids[1][:8] in by_participant.text
    refused = coach.get(placement.base_url + "/placement/placements?started_after=gisteren")
    assert refused.status_code == 422
    assert error_beside(refused, "started_after") == "Geen geldige datum. "


def test_a_placement_is_started_checked_in_on_and_ended(placement, coach, broker):
    placement_id = planned(broker)
    here = f"/placement/placements/{placement_id}"
    page = coach.get(placement.base_url + here)
    assert page.status_code == 200 and "Plaatsing starten" in page.text
    assert coach.get(f"{placement.base_url}/placement/placements/{uuid.uuid4()}").status_code \
        == 404
    started = post(coach, placement, here + "/start", {
        **START, "hours_per_week": "24", "subsidy.percentage": "40",
        "subsidy.starts_on": str(TODAY), "subsidy.ends_on": str(TODAY + timedelta(days=365)),
        "no_risk_policy": "true"}, form_at=here)
    assert started.status_code == 303, started.text
    shown = placement.call("GET", f"/placements/{placement_id}", "job-coach").json()
    assert (shown["status"], shown["hours_per_week"], shown["hourly_wage_cents"]) == \
        ("started", 24, 1525)
    assert shown["subsidy"]["percentage"] == 40 and shown["no_risk_policy"] is True
    page = coach.get(placement.base_url + here)
    assert "€ 15,25" in page.text and "Mijlpalen" in page.text and "40%" in page.text

    checked = post(coach, placement, here + "/check-ins", {
        "held_on": str(TODAY), "risk": "at-risk", "notes": "twee keer te laat"}, form_at=here)
    assert checked.status_code == 303, checked.text
    [check_in] = placement.call("GET", f"/placements/{placement_id}", "job-coach").json()[
        "check_ins"]
    assert check_in["risk"] == "at-risk" and check_in["coach"] == "j.smit"
    page = coach.get(placement.base_url + here)
    assert "twee keer te laat" in page.text and "risico" in page.text
    future = post(coach, placement, here + "/check-ins", {
        "held_on": str(TODAY + timedelta(days=1)), "risk": "none"}, form_at=here)
    assert future.status_code == 422
    assert "ligt in de toekomst: vandaag is het" in error_beside(future, "held_on")
    coach.headers["Accept-Language"] = "en"
    future = post(coach, placement, here + "/check-ins", {
        "held_on": str(TODAY + timedelta(days=1)), "risk": "none"}, form_at=here)
    del coach.headers["Accept-Language"]
    assert "lies in the future: today is" in error_beside(future, "held_on")

    ended = post(coach, placement, here + "/end", {"reason": "resigned",
                                                   "ended_on": str(TODAY)}, form_at=here)
    assert ended.status_code == 303, ended.text
    page = coach.get(placement.base_url + here)
    assert "beëindigd" in page.text and "zelf opgezegd" in page.text
    assert "Plaatsing beëindigen" not in page.text
    assert broker.facts("placement.ended", shown["participant_id"])


def test_a_start_that_breaks_the_apis_rules_is_shown_again_with_the_error_beside_it(
        placement, coach, broker):
    placement_id = planned(broker)
    here = f"/placement/placements/{placement_id}"
    low = post(coach, placement, here + "/start", {**START, "hourly_wage": "5.00"},
               form_at=here)
    assert low.status_code == 422
    assert "lager dan het wettelijk minimumloon" in error_beside(low, "hourly_wage")
    assert 'value="5.00"' in low.text and 'value="Team Drechtwerk"' in low.text
    missing = post(coach, placement, here + "/start", {
        "hourly_wage": "15.25", "subsidy.percentage": "40", "subsidy.starts_on": str(TODAY),
        "subsidy.ends_on": str(TODAY - timedelta(days=1))}, form_at=here)
    assert missing.status_code == 422
    assert error_beside(missing, "contract_type") == "Dit veld is verplicht. "
    assert error_beside(missing, "subsidy-ends_on") == \
        "een subsidie kan niet eindigen voordat ze begint "
    assert placement.call("GET", f"/placements/{placement_id}", "job-coach").json()[
        "status"] == "planned"
    reads = placement.call("GET", "/audit/personal-data-reads", "pi-privacy-officer")
    assert reads.status_code == 200 and "j.smit" in {read["reader"] for read in reads.json()}


def test_the_social_return_ledger_counts_the_months_worked(placement, coach, broker):
    employer = str(uuid.uuid4())
    placement_id = planned(broker, employer)
    assert placement.call("POST", f"/placements/{placement_id}/start", "job-coach", {
        **START, "started_on": str(TODAY - timedelta(days=70))}).status_code == 200
    period = {"from": str(TODAY - timedelta(days=100)), "to": str(TODAY + timedelta(days=1))}
    ledger = coach.get(placement.base_url + "/placement/social-return",
                       params={**period, "employer_id": employer})
    assert ledger.status_code == 200 and "1 werkgevers" in ledger.text
    [entry] = placement.call("GET", f"/social-return?from={period['from']}&to={period['to']}"
                             f"&employer_id={employer}", "job-coach").json()
    assert f'<td class="utrecht-table__cell">{entry["regular"]["value"]}</td>' in ledger.text
    backwards = coach.get(placement.base_url + "/placement/social-return",
                          params={"from": period["to"], "to": period["from"]})
    assert backwards.status_code == 422 and error_beside(backwards, "to")


def test_an_employer_sees_its_own_placements_not_who_works_them(placement, broker):
    placement_id, other = planned(broker, EMPLOYER), planned(broker, OTHER_EMPLOYER)
    assert placement.call("POST", f"/placements/{placement_id}/start", "job-coach", {
        **START, "started_on": str(TODAY - timedelta(days=70)), "subsidy": {
            "percentage": 30, "starts_on": str(TODAY - timedelta(days=70)),
            "ends_on": str(TODAY + timedelta(days=300))}}).status_code == 200
    participant = started_participant(placement, placement_id)
    employer, answer = sign_in(placement.base_url, "p.bakker", PASSWORD)
    first = employer.get(placement.base_url + answer.headers["Location"])
    assert first.url.endswith(f"/placement/employers/{EMPLOYER}/placements")
    assert employer.get(placement.base_url + "/").url == first.url
    assert first.status_code == 200 and placement_id[:8] in first.text
    assert other[:8] not in first.text and "gestart" in first.text and "30%" in first.text
    for hidden in (participant, participant[:8], "Team Drechtwerk", "15,25", "15.25"):
        assert hidden not in first.text, hidden
    listed = placement.call("GET", f"/employers/{EMPLOYER}/placements", "job-coach").json()
    assert [row["id"] for row in listed] == re.findall(r'id="placement-([0-9a-f-]{36})"',
                                                       first.text)
    assert f'href="/placement/employers/{EMPLOYER}/social-return"' in first.text

    period = {"from": str(TODAY - timedelta(days=100)), "to": str(TODAY + timedelta(days=1))}
    ledger = employer.get(placement.base_url + f"/placement/employers/{EMPLOYER}/social-return",
                          params=period)
    [entry] = placement.call("GET", f"/employers/{EMPLOYER}/social-return?from={period['from']}"
                             f"&to={period['to']}", "job-coach").json()
    subsidised = entry["programme"]  # the wage-cost subsidy makes it a programme job
    assert ledger.status_code == 200 and subsidised["months"] >= 2
    assert f'<td class="utrecht-table__cell">{subsidised["value"]}</td>' in ledger.text
    assert 'name="employer_id"' not in ledger.text
    backwards = employer.get(placement.base_url + f"/placement/employers/{EMPLOYER}/social-return",
                             params={"from": period["to"], "to": period["from"]})
    assert backwards.status_code == 422 and error_beside(backwards, "to")


def test_an_employer_is_refused_another_employers_pages_and_the_job_coachs(placement, coach,
                                                                           broker):
    employer = signed_in(placement, "p.bakker")
    for path in (f"/placement/employers/{OTHER_EMPLOYER}/placements",
                 f"/placement/employers/{OTHER_EMPLOYER}/social-return"):
        assert employer.get(placement.base_url + path).status_code == 404, path
    placement_id = planned(broker, EMPLOYER)
    for path in ("/placement/placements", f"/placement/placements/{placement_id}",
                 "/placement/social-return"):
        refused = employer.get(placement.base_url + path)
        assert refused.status_code == 403 and "niet voor uw rol" in refused.text, path
    started = post(employer, placement, f"/placement/placements/{placement_id}/start", START,
                   form_at=f"/placement/employers/{EMPLOYER}/placements")
    assert started.status_code == 403
    for path in (f"/placement/employers/{EMPLOYER}/placements",
                 f"/placement/employers/{EMPLOYER}/social-return", "/placement/employer"):
        assert coach.get(placement.base_url + path).status_code == 403, path


def test_a_coach_corrects_the_recorded_start_and_end_with_the_errors_beside_the_field(
        placement, coach, broker):
    placement_id = planned(broker)
    here = f"/placement/placements/{placement_id}"
    assert placement.call("POST", f"/placements/{placement_id}/start", "job-coach", {
        **START, "started_on": str(TODAY - timedelta(days=10))}).status_code == 200
    page = coach.get(placement.base_url + here)
    assert "Startdag corrigeren" in page.text and "Einddag corrigeren" not in page.text
    future = post(coach, placement, here + "/start/correction", {
        "started_on": str(TODAY + timedelta(days=1)), "reason": "entry-error"}, form_at=here)
    assert future.status_code == 422
    assert "ligt in de toekomst" in error_beside(future, "correct-start-started_on")
    earlier = str(TODAY - timedelta(days=12))
    missing = post(coach, placement, here + "/start/correction", {"started_on": earlier},
                   form_at=here)
    assert missing.status_code == 422
    assert error_beside(missing, "correct-start-reason") == "Dit veld is verplicht. "
    assert error_beside(missing, "reason") is None  # the end's reason, not the one sent
    assert f'value="{earlier}"' in missing.text
    not_ended = post(coach, placement, here + "/end/correction", {
        "ended_on": str(TODAY), "reason": "entry-error"}, form_at=here)
    assert not_ended.status_code == 409 and "heeft geen einde om te corrigeren" in not_ended.text
    corrected = post(coach, placement, here + "/start/correction", {
        "started_on": earlier, "reason": "entry-error"}, form_at=here)
    assert corrected.status_code == 303, corrected.text
    assert corrected.headers["Location"] == here + "#corrections"
    shown = placement.call("GET", f"/placements/{placement_id}", "job-coach").json()
    assert shown["started_on"] == earlier
    assert [(c["field"], c["reason"], c["corrected_by"]) for c in shown["corrections"]] == [
        ("started_on", "entry-error", "j.smit")]
    # A second coach's page, shown before the correction, sends the day it showed.
    stale = post(coach, placement, here + "/start/correction", {
        "started_on": str(TODAY - timedelta(days=11)), "reason": "entry-error",
        "previous_started_on": str(TODAY - timedelta(days=10))}, form_at=here)
    assert stale.status_code == 409 and "de startdag van de plaatsing is inmiddels" in stale.text
    assert f'name="previous_started_on" value="{earlier}"' in coach.get(
        placement.base_url + here).text

    assert post(coach, placement, here + "/end", {"reason": "resigned", "ended_on": str(TODAY)},
                form_at=here).status_code == 303
    too_early = post(coach, placement, here + "/end/correction", {
        "ended_on": str(TODAY - timedelta(days=20)), "reason": "recorded-in-advance"},
        form_at=here)
    assert too_early.status_code == 422
    assert "kan niet eindigen voordat ze start" in error_beside(too_early, "correct-end-ended_on")
    assert error_beside(too_early, "correct-start-started_on") is None
    ended = post(coach, placement, here + "/end/correction", {
        "ended_on": str(TODAY - timedelta(days=1)), "reason": "recorded-in-advance"},
        form_at=here)
    assert ended.status_code == 303, ended.text
    assert placement.call("GET", f"/placements/{placement_id}", "job-coach").json()[
        "ended_on"] == str(TODAY - timedelta(days=1))
    page = coach.get(placement.base_url + here)
    assert "invoerfout" in page.text and "vooraf vastgelegd" in page.text
    assert "Einddag corrigeren" in page.text
