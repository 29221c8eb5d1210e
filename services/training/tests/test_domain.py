from datetime import date, timedelta

import pytest

from services.training.domain import (Cohort, Programme, Status, StepStatus, default_catalogue,
                                      first_open_cohort, propose_route)
from shared.errors import Conflict, Invalid

TODAY = date(2026, 11, 2)
CATALOGUE = default_catalogue()


def programme(language="B1", sectors=("logistics",), release=date(2027, 6, 1), demand=None):
    return Programme.propose("p-1", language, sectors, release, CATALOGUE,
                             demand or {("logistics", "forklift"): 3}, TODAY)


def cohort(module, starts_in_days=7, places=2):
    start = TODAY + timedelta(days=starts_in_days)
    return Cohort.plan(module, start, start + timedelta(weeks=CATALOGUE[module].weeks), places,
                       "trainer")


def through(p, module):
    """Follow `module` in a fresh cohort and pass it."""
    p.join(CATALOGUE[module], cohort(module), CATALOGUE, TODAY)
    return p.record_result(CATALOGUE[module], True, TODAY, f"N-{module}", TODAY)


# --- routes ----------------------------------------------------------------------------------

def test_a_route_starts_with_employee_skills_and_follows_preference_and_demand():
    assert propose_route(CATALOGUE, "B1", ["logistics"], {("logistics", "forklift"): 3}) == [
        "employee-skills", "forklift"]
    # vca-basic also serves logistics: demand in the sector decides between the two.
    demand = {("logistics", "vca-basic"): 2, ("logistics", "forklift"): 1,
              ("construction", "forklift"): 5}
    assert propose_route(CATALOGUE, "B1", ["logistics"], demand) == [
        "employee-skills", "vca-basic"]
    assert propose_route(CATALOGUE, "B1", ["cleaning"], {}) == ["employee-skills", "cleaning"]


def test_configured_demand_counts_for_every_sector():
    assert propose_route(CATALOGUE, "B1", ["logistics"], {(None, "forklift"): 1}) == [
        "employee-skills", "forklift"]


def test_without_a_fitting_preference_the_most_demanded_certificate_wins():
    assert propose_route(CATALOGUE, "B1", [], {("transport", "code-95"): 9}) == [
        "employee-skills", "code-95"]


def test_dutch_for_work_comes_first_when_the_language_is_below_the_modules_minimum():
    assert propose_route(CATALOGUE, "A1", ["logistics"], {(None, "forklift"): 1}) == [
        "employee-skills", "dutch-for-work", "forklift"]


# --- cohorts and capacity --------------------------------------------------------------------

def test_a_cohort_takes_no_more_than_its_places_and_nobody_twice():
    c = cohort("forklift", places=2)
    c.take("a", TODAY)
    with pytest.raises(Conflict):
        c.take("a", TODAY)
    c.take("b", TODAY)
    assert not c.open_on(TODAY)
    with pytest.raises(Conflict, match="full"):
        c.take("c", TODAY)
    c.release("a")
    c.take("c", TODAY)
    assert c.members == ["b", "c"]


def test_a_started_cohort_takes_nobody_new():
    c = cohort("forklift", starts_in_days=-1)
    assert not c.open_on(TODAY)
    with pytest.raises(Conflict):
        c.take("a", TODAY)


def test_the_earliest_open_cohort_is_chosen():
    late, full, early = cohort("bhv", 30), cohort("bhv", 3, places=1), cohort("bhv", 10)
    full.take("x", TODAY)
    assert first_open_cohort([late, full, early], TODAY) is early
    assert first_open_cohort([full], TODAY) is None


def test_attendance_is_for_members_within_the_cohorts_dates():
    c = cohort("bhv", starts_in_days=0)
    c.take("a", TODAY)
    c.take("b", TODAY)
    # Recorded a week on, so that a session the day after is no session yet to come.
    later = TODAY + timedelta(days=7)
    c.record_session(TODAY, ["a"], ["b"], later)
    assert c.attendance_of("a") == (1, 1) and c.attendance_of("b") == (0, 1)
    with pytest.raises(Conflict):
        c.record_session(TODAY, ["a"], [], later)
    with pytest.raises(Invalid) as refused:
        c.record_session(TODAY + timedelta(days=1), ["stranger"], [], later)
    assert refused.value.field == "present"
    with pytest.raises(Invalid) as refused:
        c.record_session(TODAY - timedelta(days=1), ["a"], [], later)
    assert refused.value.field == "held_on"
    c.forget("a")
    assert not c.knows("a") and c.knows("b")



def test_a_session_in_the_future_is_refused_naming_the_field():
    c = cohort("bhv", starts_in_days=0)
    c.take("a", TODAY)
    with pytest.raises(Invalid) as refused:
        c.record_session(TODAY + timedelta(days=1), ["a"], [], TODAY)
    assert refused.value.field == "held_on" and c.sessions == []
    c.record_session(TODAY, ["a"], [], TODAY)
    assert c.attendance_of("a") == (1, 1)


def test_a_result_completed_in_the_future_is_refused_naming_the_field():
    p = programme()
    p.join(CATALOGUE["employee-skills"], cohort("employee-skills"), CATALOGUE, TODAY)
    with pytest.raises(Invalid) as refused:
        p.record_result(CATALOGUE["employee-skills"], True, TODAY + timedelta(days=1), "N-1",
                        TODAY)
    assert refused.value.field == "completed_on"
    assert p.results == [] and p.step("employee-skills").status is StepStatus.ENROLLED

# --- prerequisites ---------------------------------------------------------------------------

def test_a_vocational_module_needs_employee_skills_passed_first():
    p = programme()
    with pytest.raises(Conflict, match="employee-skills"):
        p.join(CATALOGUE["forklift"], cohort("forklift"), CATALOGUE, TODAY)
    through(p, "employee-skills")
    p.join(CATALOGUE["forklift"], cohort("forklift"), CATALOGUE, TODAY)
    assert p.step("forklift").status is StepStatus.ENROLLED


def test_a_language_minimum_is_met_by_passing_dutch_for_work():
    p = programme(language="A1")
    through(p, "employee-skills")
    with pytest.raises(Conflict, match="Dutch"):
        p.join(CATALOGUE["forklift"], cohort("forklift"), CATALOGUE, TODAY)
    through(p, "dutch-for-work")
    through(p, "forklift")
    assert p.status is Status.COMPLETED


def test_a_module_outside_the_route_cannot_be_joined():
    with pytest.raises(Invalid):
        programme().join(CATALOGUE["bhv"], cohort("bhv"), CATALOGUE, TODAY)


# --- results and certificates ------------------------------------------------------------------

def test_passing_awards_a_certificate_with_number_issuer_and_expiry():
    p = programme()
    through(p, "employee-skills")
    forklift = through(p, "forklift")
    assert forklift.number == "N-forklift" and forklift.issuer
    assert forklift.expires_on == date(2031, 11, 2)
    assert p.status is Status.COMPLETED


def test_a_certificate_for_a_module_not_passed_is_refused():
    p = programme()
    with pytest.raises(Conflict, match="not passed"):
        p.award_certificate(CATALOGUE["forklift"], TODAY, "N-1")
    through(p, "employee-skills")
    with pytest.raises(Conflict, match="already awarded"):
        p.award_certificate(CATALOGUE["employee-skills"], TODAY, "N-2")


def test_a_result_needs_a_place_in_a_cohort_and_a_failed_module_can_be_retaken():
    p = programme()
    with pytest.raises(Conflict, match="planned"):
        p.record_result(CATALOGUE["employee-skills"], True, TODAY, "N-1", TODAY)
    p.join(CATALOGUE["employee-skills"], cohort("employee-skills"), CATALOGUE, TODAY)
    assert p.record_result(CATALOGUE["employee-skills"], False, TODAY, None, TODAY) is None
    assert p.next_module() is None  # the trainer decides on a retake
    assert through(p, "employee-skills").module == "employee-skills"
    assert p.next_module() == "forklift"


def test_a_certificate_expiring_on_29_february_moves_to_28_february():
    p = Programme.propose("p", "B1", ["facility"], date(2029, 1, 1), CATALOGUE, {(None, "bhv"): 1},
                          date(2028, 2, 29))
    p.join(CATALOGUE["employee-skills"], cohort("employee-skills"), CATALOGUE, TODAY)
    leap_day = date(2028, 2, 29)
    p.record_result(CATALOGUE["employee-skills"], True, leap_day, "N", leap_day)
    p.join(CATALOGUE["bhv"], cohort("bhv"), CATALOGUE, TODAY)
    bhv = p.record_result(CATALOGUE["bhv"], True, leap_day, "N", leap_day)
    assert bhv.expires_on == date(2029, 2, 28)


# --- stopping and re-planning ------------------------------------------------------------------

@pytest.mark.parametrize("stop", [lambda p: p.drop_out("health", TODAY),
                                  lambda p: p.end(TODAY)])
def test_a_stopped_programme_refuses_everything(stop):
    p = programme()
    stop(p)
    assert p.ended_on == TODAY
    with pytest.raises(Conflict):
        p.join(CATALOGUE["employee-skills"], cohort("employee-skills"), CATALOGUE, TODAY)
    with pytest.raises(Conflict):
        p.drop_out("other", TODAY)
    with pytest.raises(Conflict):
        p.end(TODAY)
    assert p.next_module() is None


def test_an_anonymised_programme_names_neither_participant_nor_certificate_numbers():
    p = programme()
    p.join(CATALOGUE["employee-skills"], cohort("employee-skills"), CATALOGUE, TODAY)
    p.record_result(CATALOGUE["employee-skills"], True, TODAY, "DS-2026-0001", TODAY)
    participant = p.participant_id
    p.anonymise()
    assert p.participant_id != participant
    assert [c.number for c in p.certificates] == [""]
    assert [r.module for r in p.results] == ["employee-skills"]


def test_the_places_held_are_given_up_when_the_programme_stops():
    p = programme()
    c = cohort("employee-skills")
    p.join(CATALOGUE["employee-skills"], c, CATALOGUE, TODAY)
    assert p.cohorts_held() == [c.id]


def test_replanning_on_an_earlier_release_date_shows_the_programme_runs_on_after_release():
    p = programme(release=date(2027, 6, 1))
    p.join(CATALOGUE["employee-skills"], cohort("employee-skills", starts_in_days=7), CATALOGUE, TODAY)
    # employee skills ends 2026-12-07, forklift (2 weeks) is estimated after it
    assert p.planned_end(CATALOGUE, TODAY) == date(2026, 12, 21)
    assert p.finishes_before_release(CATALOGUE, TODAY)
    p.replan(date(2026, 12, 15))
    assert p.release_date == date(2026, 12, 15)
    assert not p.finishes_before_release(CATALOGUE, TODAY)


def test_codes_of_a_newer_release_add_no_demand_and_fit_no_module():
    """docs/events.md#versioning: a vacancy's certificate or a preferred sector this release
    does not know changes no route."""
    demand = {("logistics", "forklift"): 1}
    route = propose_route(CATALOGUE, "B1", ["logistics"], demand)
    assert propose_route(CATALOGUE, "B1", ["logistics"],
                         {**demand, ("logistics", "welding-basic"): 9}) == route
    assert propose_route(CATALOGUE, "B1", ["logistics", "energy"], demand) == route
