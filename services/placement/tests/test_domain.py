from datetime import date

import pytest

from services.placement.domain import (DEFAULT_RULES, CheckIn, MinimumWage, ParticipantRecord,
                                       Placement, SocialReturnRules, Status, WageCostSubsidy,
                                       add_months, outcomes, social_return_ledger)
from shared.errors import Conflict, Invalid

# The day the facts below are recorded on: after every day they are about.
LATER = date(2031, 1, 1)
# The youth amounts 80, 60, 50, 39.5, 34.5 and 30 % of the amount at 21, to the cent.
WML = MinimumWage((
    (date(2027, 1, 1), 1400, {20: 1120, 19: 840, 18: 700, 17: 553, 16: 483, 15: 420}),
    (date(2027, 7, 1), 1440, {20: 1152, 19: 864, 18: 720, 17: 569, 16: 497, 15: 432})))
RECORDED = {"today": LATER, "minimum_wage": WML}


def planned(employer="e", participant="p"):
    return Placement.plan("m", participant, employer, "v", "office-cleaner", date(2027, 2, 1), 32)


def started(on=date(2027, 2, 1), contract="paid-temporary", **kwargs):
    placement = planned(**kwargs)
    placement.start(contract, 32, 1450, "coach", on, **RECORDED)
    return placement


def check_in(placement, held_on, notes, risk):
    return placement.check_in(CheckIn(held_on, "coach", notes, risk), today=LATER)


# --- lifecycle --------------------------------------------------------------------------------

def test_a_placement_is_planned_started_and_ended_once():
    placement = planned()
    placement.start("work-trial", None, 1450, "coach", date(2027, 2, 3), **RECORDED)
    assert placement.status is Status.STARTED and placement.hours_per_week == 32
    with pytest.raises(Conflict, match="cannot start a placement that is started"):
        placement.start("work-trial", 32, 1450, "coach", date(2027, 2, 4), **RECORDED)
    placement.end("resigned", date(2027, 3, 1), today=LATER)
    assert placement.status is Status.ENDED
    for refused in (lambda: placement.end("health", date(2027, 3, 2), today=LATER),
                    lambda: placement.start("work-trial", 32, 1450, "coach", date(2027, 3, 2),
                                            **RECORDED),
                    lambda: check_in(placement, date(2027, 3, 2), "", "none")):
        with pytest.raises(Conflict):
            refused()


def test_a_planned_placement_can_end_before_it_starts_but_not_be_coached():
    placement = planned()
    with pytest.raises(Conflict):
        check_in(placement, date(2027, 2, 2), "", "none")
    placement.end("returned-to-custody", date(2027, 1, 20), today=LATER)
    assert placement.status is Status.ENDED and placement.months_in_work(date(2027, 9, 1)) == 0


@pytest.mark.parametrize("reason, ended_on, field", [
    ("bored", date(2027, 3, 1), "reason"),
    ("resigned", date(2027, 1, 1), "ended_on"),
])
def test_an_end_needs_a_known_reason_and_a_date_after_the_start(reason, ended_on, field):
    with pytest.raises(Invalid) as refused:
        started().end(reason, ended_on, today=LATER)
    assert refused.value.field == field


def test_a_check_in_that_raises_the_risk_says_so():
    placement = started()
    assert check_in(placement, date(2027, 2, 10), "fine", "none") is False
    assert check_in(placement, date(2027, 2, 17), "late twice", "attention")
    assert check_in(placement, date(2027, 2, 24), "", "attention") is False
    assert check_in(placement, date(2027, 3, 3), "", "at-risk")
    assert check_in(placement, date(2027, 3, 10), "better", "none") is False
    assert placement.risk == "none" and len(placement.check_ins) == 5
    with pytest.raises(Invalid):
        check_in(placement, date(2027, 3, 10), "", "panic")


# --- what happened, not what is to come -------------------------------------------------------

TODAY = date(2027, 3, 1)


@pytest.mark.parametrize("record, field", [
    (lambda p: p.start("paid-temporary", 32, 1450, "coach", date(2027, 3, 2), today=TODAY,
                       minimum_wage=WML), "started_on"),
    (lambda p: p.end("resigned", date(2027, 3, 2), today=TODAY), "ended_on"),
])
def test_a_start_or_end_on_a_day_still_to_come_is_refused_naming_the_day(record, field):
    placement = planned()
    with pytest.raises(Invalid) as refused:
        record(placement)
    assert refused.value.field == field and placement.status is Status.PLANNED


def test_a_check_in_on_a_day_still_to_come_is_refused_but_today_is_fine():
    placement = started(on=date(2027, 2, 1))
    with pytest.raises(Invalid) as refused:
        placement.check_in(CheckIn(date(2027, 3, 2), "coach", "", "none"), today=TODAY)
    assert refused.value.field == "held_on" and placement.check_ins == []
    placement.check_in(CheckIn(TODAY, "coach", "", "none"), today=TODAY)
    placement.end("resigned", TODAY, today=TODAY)
    assert placement.status is Status.ENDED


# --- the minimum wage ---------------------------------------------------------------------------

@pytest.mark.parametrize("contract, wage, on, refused", [
    ("paid-temporary", 1399, date(2027, 1, 1), True),
    ("paid-temporary", 1400, date(2027, 1, 1), False),
    ("paid-permanent", 1439, date(2027, 6, 30), False),   # the January amount still
    ("paid-permanent", 1439, date(2027, 7, 1), True),     # the July amount from its first day
    ("paid-permanent", 1000, date(2026, 12, 31), False),  # before any amount known here
    ("work-trial", 0, date(2027, 7, 1), False),           # unpaid work experience
    ("learn-work-job", 900, date(2027, 7, 1), False),
])
def test_a_paid_contract_below_the_minimum_wage_in_force_on_its_first_day_is_refused(
        contract, wage, on, refused):
    placement = planned()
    if refused:
        with pytest.raises(Invalid) as refusal:
            placement.start(contract, 32, wage, "coach", on, **RECORDED)
        assert refusal.value.field == "hourly_wage"
        assert f"{WML.on(on) / 100:.2f} an hour" in str(refusal.value)
        assert placement.status is Status.PLANNED
    else:
        placement.start(contract, 32, wage, "coach", on, **RECORDED)
        assert placement.status is Status.STARTED


def test_a_wage_cost_subsidy_does_not_lower_the_minimum_wage():
    with pytest.raises(Invalid, match="14.40 an hour in force on 2027-07-01"):
        planned().start("paid-temporary", 32, 1200, "coach", date(2027, 7, 1),
                        subsidy=WageCostSubsidy(50, date(2027, 7, 1), date(2028, 7, 1)),
                        **RECORDED)


@pytest.mark.parametrize("contract, wage, age, on, kept", [
    ("paid-temporary", 1120, 20, date(2027, 1, 1), 20),
    ("paid-permanent", 840, 19, date(2027, 6, 30), 19),    # the January amount still
    ("paid-permanent", 700, 18, date(2027, 1, 1), 18),
    ("paid-permanent", 420, 15, date(2027, 1, 1), 15),
    ("paid-temporary", 1400, 19, date(2027, 1, 1), None),  # the amount at 21: no age to keep
    ("work-trial", 0, 19, date(2027, 7, 1), None),          # unpaid: no age to keep
])
def test_a_youth_wage_starts_at_the_amount_for_the_age_on_the_first_day(
        contract, wage, age, on, kept):
    placement = planned()
    placement.start(contract, 32, wage, "coach", on, age_on_start=age, **RECORDED)
    assert placement.status is Status.STARTED and placement.age_on_start == kept


@pytest.mark.parametrize("wage, age, on, minimum", [
    (1119, 20, date(2027, 1, 1), "11.20"),
    (863, 19, date(2027, 7, 1), "8.64"),    # the July amount from its first day
    (699, 18, date(2027, 1, 1), "7.00"),
    (839, 20, date(2027, 1, 1), "11.20"),   # the amount of a younger age is not enough
    (1399, None, date(2027, 1, 1), "14.00"),  # a youth wage needs the age
])
def test_a_paid_contract_below_the_amount_for_the_age_is_refused_naming_the_wage(
        wage, age, on, minimum):
    placement = planned()
    with pytest.raises(Invalid) as refused:
        placement.start("paid-temporary", 32, wage, "coach", on, age_on_start=age, **RECORDED)
    assert refused.value.field == "hourly_wage" and f"{minimum} an hour" in str(refused.value)
    assert placement.status is Status.PLANNED and placement.age_on_start is None


@pytest.mark.parametrize("age", [14, 21, 30])
def test_an_age_outside_the_youth_wage_is_refused_naming_it(age):
    for contract in ("paid-temporary", "work-trial"):
        with pytest.raises(Invalid) as refused:
            planned().start(contract, 32, 1500, "coach", date(2027, 1, 1), age_on_start=age,
                            **RECORDED)
        assert refused.value.field == "age_on_start"


def test_a_youth_wage_is_checked_again_at_the_corrected_start():
    """At the age the start was checked at, unless the correction gives the age on the new
    day; a wage that met the amount at 21 needs the age once the corrected day asks more."""
    placement = planned()
    placement.start("paid-temporary", 32, 900, "coach", date(2027, 6, 20), age_on_start=19,
                    **RECORDED)
    placement.correct_start(date(2027, 7, 1), "entry-error", "c", **RECORDED)
    assert placement.started_on == date(2027, 7, 1) and placement.age_on_start == 19
    with pytest.raises(Invalid) as refused:
        placement.correct_start(date(2027, 7, 5), "entry-error", "c", age_on_start=20,
                                **RECORDED)
    assert refused.value.field == "hourly_wage" and "11.52 an hour" in str(refused.value)
    assert placement.started_on == date(2027, 7, 1) and placement.age_on_start == 19

    adult = planned()
    adult.start("paid-temporary", 32, 1420, "coach", date(2027, 6, 20), age_on_start=19,
                **RECORDED)
    assert adult.age_on_start is None
    with pytest.raises(Invalid, match="give age_on_start"):
        adult.correct_start(date(2027, 7, 1), "entry-error", "c", **RECORDED)
    adult.correct_start(date(2027, 7, 1), "entry-error", "c", age_on_start=20, **RECORDED)
    assert adult.started_on == date(2027, 7, 1) and adult.age_on_start == 20
    # Back on a day the amount at 21 is met, the age is no longer needed, nor kept.
    adult.correct_start(date(2027, 6, 21), "entry-error", "c", **RECORDED)
    assert adult.age_on_start is None


# --- amounts the file does not have yet --------------------------------------------------------

@pytest.mark.parametrize("today, missing", [
    (date(2027, 12, 31), None),
    (date(2028, 1, 1), date(2028, 1, 1)),
    (date(2028, 7, 1), date(2028, 1, 1)),   # the first period missing
])
def test_the_first_1_january_or_1_july_without_amounts_is_named(today, missing):
    assert WML.missing_from(today) == missing


def test_amounts_added_ahead_hide_no_missing_1_july():
    youth = {20: 1177, 19: 883, 18: 736, 17: 581, 16: 507, 15: 441}
    ahead = MinimumWage(((date(2026, 1, 1), 1471, youth), (date(2027, 1, 1), 1500, youth)))
    assert ahead.missing_from(date(2026, 12, 3)) == date(2026, 7, 1)
    assert ahead.missing_from(date(2026, 6, 30)) is None


def test_without_the_amounts_in_force_the_newest_go_on_being_applied():
    # As on 3 December 2026 with amounts up to 1 January 2026: those of 1 July are missing.
    known = MinimumWage(((date(2026, 1, 1), 1471, {20: 1177, 19: 883, 18: 736, 17: 581,
                                                   16: 507, 15: 441}),))
    today = date(2026, 12, 3)
    assert known.missing_from(date(2026, 6, 30)) is None
    assert known.missing_from(today) == date(2026, 7, 1)
    assert (known.on(today), known.on(today, 19)) == (1471, 883)
    with pytest.raises(Invalid, match="8.83 an hour"):
        planned().start("paid-temporary", 32, 882, "coach", today, age_on_start=19, today=today,
                        minimum_wage=known)


# --- corrections --------------------------------------------------------------------------------

def test_a_corrected_start_keeps_the_day_recorded_before_and_why():
    placement = started(on=date(2027, 2, 10))
    assert placement.correct_start(date(2027, 2, 3), "entry-error", "coach-1",
                                   **RECORDED) == []
    assert placement.started_on == date(2027, 2, 3)
    [correction] = placement.corrections
    assert (correction.field, correction.previous, correction.corrected, correction.reason,
            correction.corrected_by, correction.corrected_on) == (
        "started_on", date(2027, 2, 10), date(2027, 2, 3), "entry-error",
        "coach-1", LATER)


def test_a_later_start_withdraws_the_milestones_it_no_longer_reaches():
    placement = started(on=date(2027, 1, 31))
    assert placement.reach_milestones(date(2027, 8, 1)) == [1, 3, 6] and placement.sustained
    today = date(2027, 8, 1)
    withdrawn = placement.correct_start(date(2027, 4, 15), "entry-error", "c",
                                        today=today, minimum_wage=WML)
    assert withdrawn == [6] and placement.milestones == (1, 3) and not placement.sustained
    assert placement.reach_milestones(date(2027, 10, 14)) == []
    assert placement.reach_milestones(date(2027, 10, 15)) == [6] and placement.sustained


def test_an_earlier_end_withdraws_what_the_placement_no_longer_reached():
    placement = started(on=date(2027, 2, 1))
    placement.end("dismissed", date(2027, 6, 1), today=LATER)
    assert placement.reach_milestones(LATER) == [1, 3]
    assert placement.correct_end(date(2027, 4, 15), "entry-error", "c",
                                 today=LATER) == [3]
    assert placement.milestones == (1,) and placement.ended_on == date(2027, 4, 15)
    assert placement.corrections[0].previous == date(2027, 6, 1)


@pytest.mark.parametrize("started_on, today", [
    (date(2027, 7, 11), date(2027, 7, 10)),  # still to come
    (date(2027, 7, 1), LATER),               # after the end, on 30 June
    (date(2027, 2, 16), LATER),              # after the check-in of 15 February
    (date(2027, 2, 1), LATER),               # the day recorded already
])
def test_a_start_correction_follows_the_rules_of_a_start(started_on, today):
    placement = started(on=date(2027, 2, 1))
    check_in(placement, date(2027, 2, 15), "", "none")
    placement.end("resigned", date(2027, 6, 30), today=LATER)
    with pytest.raises(Invalid) as refused:
        placement.correct_start(started_on, "entry-error", "c", today=today, minimum_wage=WML)
    assert refused.value.field == "started_on" and placement.started_on == date(2027, 2, 1)
    assert placement.corrections == []


def test_a_start_correction_onto_a_higher_minimum_wage_is_refused_naming_the_wage():
    placement = planned()
    placement.start("paid-temporary", 32, 1420, "coach", date(2027, 6, 20), **RECORDED)
    with pytest.raises(Invalid) as refused:
        placement.correct_start(date(2027, 7, 1), "entry-error", "c", **RECORDED)
    assert refused.value.field == "hourly_wage" and placement.started_on == date(2027, 6, 20)


@pytest.mark.parametrize("ended_on, today", [
    (date(2027, 7, 11), date(2027, 7, 10)),  # still to come
    (date(2027, 1, 31), LATER),              # before the start
    (date(2027, 6, 30), LATER),              # the day recorded already
])
def test_an_end_correction_follows_the_rules_of_an_end(ended_on, today):
    placement = started(on=date(2027, 2, 1))
    placement.end("resigned", date(2027, 6, 30), today=LATER)
    with pytest.raises(Invalid) as refused:
        placement.correct_end(ended_on, "entry-error", "c", today=today)
    assert refused.value.field == "ended_on" and placement.ended_on == date(2027, 6, 30)


def test_only_a_recorded_start_or_end_can_be_corrected():
    with pytest.raises(Conflict):
        planned().correct_start(date(2027, 2, 1), "entry-error", "c", **RECORDED)
    with pytest.raises(Conflict):
        started().correct_end(date(2027, 3, 1), "entry-error", "c", today=LATER)


def test_a_correction_of_a_day_corrected_meanwhile_is_refused():
    """Two coaches correct the same start: the second, who saw the day the first put right,
    is told to look again, and nothing changes."""
    placement = started(on=date(2027, 2, 10))
    placement.correct_start(date(2027, 2, 3), "entry-error", "coach-1",
                            seen=date(2027, 2, 10), **RECORDED)
    with pytest.raises(Conflict, match="is now 2027-02-03"):
        placement.correct_start(date(2027, 2, 5), "entry-error", "coach-2",
                                seen=date(2027, 2, 10), **RECORDED)
    assert placement.started_on == date(2027, 2, 3) and len(placement.corrections) == 1
    placement.end("resigned", date(2027, 6, 30), today=LATER)
    with pytest.raises(Conflict):
        placement.correct_end(date(2027, 6, 1), "entry-error", "c", seen=date(2027, 6, 29),
                              today=LATER)
    assert placement.ended_on == date(2027, 6, 30)


def test_anonymising_forgets_the_reasons_of_corrections():
    placement = started(on=date(2027, 2, 10))
    placement.correct_start(date(2027, 2, 3), "entry-error", "c", **RECORDED)
    placement.anonymise()
    assert placement.corrections == [] and placement.started_on == date(2027, 2, 3)


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
    placement.end("dismissed", date(2027, 4, 15), today=LATER)
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
    b.end("contract-ended", date(2027, 5, 10), today=LATER)
    # C: permanent job with wage-cost subsidy: counted apart, at another employer
    c = planned(employer="E2", participant="c")
    c.start("paid-permanent", 20, 1450, "coach", date(2027, 6, 1),
            subsidy=WageCostSubsidy(40, date(2027, 6, 1), date(2028, 6, 1)), **RECORDED)
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
    b.end("dismissed", date(2027, 3, 1), today=LATER)
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
    check_in(placement, date(2027, 2, 10), "talked about debts", "attention")
    placement.anonymise()
    assert placement.participant_id != "p" and placement.check_ins == []
    assert placement.match_id != match and placement.id != known_as
    assert placement.counted_months(date(2027, 1, 1), date(2028, 1, 1), date(2027, 4, 1)) == 2


def test_anonymising_forgets_the_age_on_start():
    placement = planned()
    placement.start("paid-temporary", 32, 900, "coach", date(2027, 2, 1), age_on_start=19,
                    **RECORDED)
    placement.anonymise()
    assert placement.age_on_start is None and placement.hourly_wage_cents == 900


def test_a_target_group_of_a_newer_release_earns_no_bonus():
    """docs/events.md#versioning: social return counts it, unweighted."""
    assert DEFAULT_RULES.value("paid-permanent", "ex-service-personnel") == 2500
