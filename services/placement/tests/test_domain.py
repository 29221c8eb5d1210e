from datetime import date

import pytest

from services.placement.domain import (DEFAULT_RULES, CheckIn, ParticipantRecord, Placement,
                                       SocialReturnRules, Status, WageCostSubsidy, add_months,
                                       outcomes, social_return_ledger)
from shared.errors import Conflict, Invalid


def planned(employer="e", participant="p"):
    return Placement.plan("m", participant, employer, "v", "office-cleaner", date(2027, 2, 1), 32)


def started(on=date(2027, 2, 1), contract="paid-temporary", **kwargs):
    placement = planned(**kwargs)
    placement.start(contract, 32, 1450, "coach", on)
    return placement


# --- lifecycle --------------------------------------------------------------------------------

def test_a_placement_is_planned_started_and_ended_once():
    placement = planned()
    placement.start("work-trial", None, 1450, "coach", date(2027, 2, 3))
    assert placement.status is Status.STARTED and placement.hours_per_week == 32
    with pytest.raises(Conflict, match="cannot start a placement that is started"):
        placement.start("work-trial", 32, 1450, "coach", date(2027, 2, 4))
    placement.end("resigned", date(2027, 3, 1))
    assert placement.status is Status.ENDED
    for refused in (lambda: placement.end("health", date(2027, 3, 2)),
                    lambda: placement.start("work-trial", 32, 1450, "coach", date(2027, 3, 2)),
                    lambda: placement.check_in(CheckIn(date(2027, 3, 2), "c", "", "none"))):
        with pytest.raises(Conflict):
            refused()


def test_a_planned_placement_can_end_before_it_starts_but_not_be_coached():
    placement = planned()
    with pytest.raises(Conflict):
        placement.check_in(CheckIn(date(2027, 2, 2), "coach", "", "none"))
    placement.end("returned-to-custody", date(2027, 1, 20))
    assert placement.status is Status.ENDED and placement.months_in_work(date(2027, 9, 1)) == 0


@pytest.mark.parametrize("reason, ended_on, field", [
    ("bored", date(2027, 3, 1), "reason"),
    ("resigned", date(2027, 1, 1), "ended_on"),
])
def test_an_end_needs_a_known_reason_and_a_date_after_the_start(reason, ended_on, field):
    with pytest.raises(Invalid) as refused:
        started().end(reason, ended_on)
    assert refused.value.field == field


def test_a_check_in_that_raises_the_risk_says_so():
    placement = started()
    assert placement.check_in(CheckIn(date(2027, 2, 10), "coach", "fine", "none")) is False
    assert placement.check_in(CheckIn(date(2027, 2, 17), "coach", "late twice", "attention"))
    assert placement.check_in(CheckIn(date(2027, 2, 24), "coach", "", "attention")) is False
    assert placement.check_in(CheckIn(date(2027, 3, 3), "coach", "", "at-risk"))
    assert placement.check_in(CheckIn(date(2027, 3, 10), "coach", "better", "none")) is False
    assert placement.risk == "none" and len(placement.check_ins) == 5
    with pytest.raises(Invalid):
        placement.check_in(CheckIn(date(2027, 3, 10), "coach", "", "panic"))


# --- milestones ---------------------------------------------------------------------------------

@pytest.mark.parametrize("day, months, expected", [
    (date(2027, 1, 31), 1, date(2027, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),   # leap year
    (date(2027, 8, 31), 6, date(2028, 2, 29)),
    (date(2026, 8, 31), 6, date(2027, 2, 28)),
    (date(2027, 11, 30), 3, date(2028, 2, 29)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
    (date(2027, 12, 15), 1, date(2028, 1, 15)),  # across the year end
])
def test_months_are_added_across_month_ends_and_leap_years(day, months, expected):
    assert add_months(day, months) == expected


def test_milestones_are_reached_on_their_day_and_only_once():
    placement = started(on=date(2027, 8, 31))
    assert placement.reach_milestones(date(2027, 9, 29)) == []
    assert placement.reach_milestones(date(2027, 9, 30)) == [1]
    assert placement.reach_milestones(date(2027, 9, 30)) == []
    assert placement.reach_milestones(date(2028, 2, 28)) == [3]
    assert not placement.sustained
    assert placement.reach_milestones(date(2028, 2, 29)) == [6]
    assert placement.sustained and placement.milestones == (1, 3, 6)
    assert placement.reach_milestones(date(2029, 1, 1)) == []


def test_a_late_check_reaches_every_milestone_passed_at_once():
    placement = started(on=date(2027, 1, 31))
    assert placement.reach_milestones(date(2027, 8, 1)) == [1, 3, 6]


def test_an_ended_placement_reaches_no_milestone_after_its_end():
    placement = started(on=date(2027, 2, 1))
    placement.end("dismissed", date(2027, 4, 15))
    assert placement.months_in_work(date(2028, 1, 1)) == 2
    assert placement.reach_milestones(date(2028, 1, 1)) == [1]


# --- social return --------------------------------------------------------------------------

def test_a_placement_counts_whole_months_in_the_period_they_begin_in_up_to_24():
    placement = started(on=date(2027, 2, 15))
    # by 2027-06-20, whole months begun 02-15, 03-15, 04-15, 05-15
    assert placement.counted_months(date(2027, 1, 1), date(2028, 1, 1), date(2027, 6, 20)) == 4
    assert placement.counted_months(date(2027, 4, 1), date(2027, 5, 1), date(2027, 6, 20)) == 1
    # three years in work count 24 months, all of them in the first two years
    assert placement.counted_months(date(2027, 1, 1), date(2031, 1, 1), date(2030, 3, 1)) == 24
    assert placement.counted_months(date(2029, 3, 1), date(2031, 1, 1), date(2030, 3, 1)) == 0


def test_the_ledger_on_a_worked_example():
    rules = SocialReturnRules(monthly_value={"paid-permanent": 2500, "work-trial": 750},
                              target_group_weight={"disability": 1.2})
    # A: regular permanent job, 2027-01-01 .. ongoing, 36 h, participant with a disability
    a = started(on=date(2027, 1, 1), contract="paid-permanent", employer="E1", participant="a")
    a.hours_per_week = 36
    # B: work trial at the same employer, 2027-03-01, ended 2027-05-10: 2 whole months
    b = started(on=date(2027, 3, 1), contract="work-trial", employer="E1", participant="b")
    b.end("contract-ended", date(2027, 5, 10))
    # C: permanent job with wage-cost subsidy: counted apart, at another employer
    c = planned(employer="E2", participant="c")
    c.start("paid-permanent", 20, 1450, "coach", date(2027, 6, 1),
            subsidy=WageCostSubsidy(40, date(2027, 6, 1), date(2028, 6, 1)))
    ledger = social_return_ledger([a, b, c], {"a": "disability", "b": "long-term-unemployed",
                                              "c": "detainee-last-phase"},
                                  rules, date(2027, 1, 1), date(2028, 1, 1), date(2027, 7, 1))
    # A: 6 whole months (Jan-Jun); hours 6 * 36 * 52/12 = 936; value 6 * 2500 * 1.2 = 18000
    assert ledger["E1"]["regular"] == {"placements": 1, "months": 6, "hours": 936,
                                       "value": 18000}
    # B: 2 months; hours 2 * 32 * 52/12 = 277.3 -> 277; value 2 * 750 * 1.0 = 1500
    assert ledger["E1"]["programme"] == {"placements": 1, "months": 2, "hours": 277,
                                         "value": 1500}
    # C: 1 month by 2027-07-01; hours 1 * 20 * 52/12 = 86.7 -> 87; weight 1.0 (not in rules)
    assert ledger["E2"]["programme"] == {"placements": 1, "months": 1, "hours": 87,
                                         "value": 2500}
    assert ledger["E2"]["regular"]["months"] == 0


def test_the_default_rules_value_a_month_by_contract_and_target_group():
    assert DEFAULT_RULES.value("paid-permanent", "detainee-last-phase") == 3000
    assert DEFAULT_RULES.value("work-trial", None) == 750


# --- outcomes ---------------------------------------------------------------------------------

def test_outcomes_per_target_group():
    people = {"a": ParticipantRecord("a", "detainee-last-phase", "0505", date(2027, 1, 1)),
              "b": ParticipantRecord("b", "detainee-last-phase", "0505", date(2027, 1, 20)),
              "c": ParticipantRecord("c", "disability", "0512", None)}
    a = started(on=date(2027, 1, 11), participant="a")
    a.reach_milestones(date(2027, 8, 1))
    b = started(on=date(2027, 2, 1), participant="b")
    b.end("dismissed", date(2027, 3, 1))
    c = started(on=date(2027, 6, 1), participant="c")   # too recent to tell
    report = outcomes([a, b, c], people, date(2027, 8, 1), "target_group")
    assert report == [
        {"group": "detainee-last-phase", "started": 2, "sustained": 1, "sustainable_rate": 0.5,
         "median_days_release_to_work": 11.0},
        {"group": "disability", "started": 1, "sustained": 0, "sustainable_rate": None,
         "median_days_release_to_work": None}]
    assert [g["group"] for g in outcomes([a, b, c], people, date(2027, 8, 1), "municipality")] \
        == ["0505", "0512"]


def test_anonymising_keeps_the_job_and_forgets_the_person():
    placement = started(participant="p")
    match, known_as = placement.match_id, placement.id
    placement.check_in(CheckIn(date(2027, 2, 10), "coach", "talked about debts", "attention"))
    placement.anonymise()
    assert placement.participant_id != "p" and placement.check_ins == []
    assert placement.match_id != match and placement.id != known_as
    assert placement.counted_months(date(2027, 1, 1), date(2028, 1, 1), date(2027, 4, 1)) == 2


def test_a_target_group_of_a_newer_release_earns_no_bonus():
    """docs/events.md#versioning: social return counts it, unweighted."""
    assert DEFAULT_RULES.value("paid-permanent", "ex-service-personnel") == 2500
