"""Placements from accepted match to a job that lasts, job coaching, and the social-return
ledger and outcomes they add up to."""
import calendar
import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from shared.aggregate import Aggregate
from shared.clock import happened
from shared.contracts.placement import (EndCorrected, MilestoneReached, PlacementEnded,
                                        PlacementPlanned, PlacementStarted, PlacementSustained,
                                        RiskRaised, StartCorrected, TermsAgreed)
from shared.contracts.vocabulary import CORRECTION_REASONS, PLACEMENT_END_REASONS, RISK_LEVELS
from shared.errors import Conflict, Invalid

MILESTONES = (1, 3, 6)
SUSTAINED_AFTER_MONTHS = 6
# A placement counts towards social return for at most this many months.
SOCIAL_RETURN_MONTHS = 24
# Jobs that exist because of a programme, counted apart from regular jobs.
PROGRAMME_CONTRACTS = frozenset({"work-trial", "learn-work-job", "sheltered-work"})
# Employment the statutory minimum wage holds for, with or without a wage-cost subsidy (the
# subsidy pays the employer, not the employee).
PAID_CONTRACTS = frozenset({"paid-temporary", "paid-permanent"})
# The statutory minimum wage holds in full from this age; below it, from 15, a youth amount.
ADULT_AGE = 21
YOUTH_AGES = range(15, ADULT_AGE)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day where it is shorter (31 January + 1
    month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Status(str, Enum):
    PLANNED = "planned"
    STARTED = "started"
    ENDED = "ended"


@dataclass(frozen=True)
class WageCostSubsidy:
    percentage: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class MinimumWage:
    """The statutory minimum hourly wage by the day it took effect, oldest first, in euro
    cents: the amount for employees of 21 and over and the youth amounts (wettelijk
    minimumjeugdloon) by age."""
    amounts: tuple  # ((effective from, cents at 21 and over, {age 15 to 20: cents}), ...)

    def on(self, day, age=None):
        """The amount in force on `day` for an employee of `age` (None: 21 and over); None
        before the first one known."""
        in_force = [(adult, youth) for since, adult, youth in self.amounts if since <= day]
        if not in_force:
            return None
        adult, youth = in_force[-1]
        return adult if age is None else youth[age]

    def require_paid(self, contract_type, hourly_wage_cents, day, age_on_start=None):
        """Refuse a paid contract starting on `day` below the amount for 21 and over, unless
        `age_on_start` (whole years on `day`) is given and the wage meets that age's amount.
        Returns the age the wage relies on, the one thing of the employee to keep: None where
        the amount for 21 and over is met, or the contract is not paid."""
        if age_on_start is not None and age_on_start not in YOUTH_AGES:
            raise Invalid("age_on_start", f"the youth minimum wage holds from "
                                          f"{YOUTH_AGES[0]} to {YOUTH_AGES[-1]} years of age; "
                                          f"from {ADULT_AGE} leave it out")
        adult = self.on(day)
        if contract_type not in PAID_CONTRACTS or adult is None or hourly_wage_cents >= adult:
            return None
        if age_on_start is None:
            raise Invalid("hourly_wage", f"below the statutory minimum wage of "
                                         f"{adult / 100:.2f} an hour in force on {day} for "
                                         f"{ADULT_AGE} and over; for a younger employee give "
                                         f"age_on_start")
        youth = self.on(day, age_on_start)
        if hourly_wage_cents < youth:
            # Not the age itself: the message reaches the service's log.
            raise Invalid("hourly_wage", f"below the statutory minimum youth wage of "
                                         f"{youth / 100:.2f} an hour in force on {day} at the "
                                         f"age given")
        return age_on_start

    @property
    def newest_from(self):
        return self.amounts[-1][0]

    def missing_from(self, today):
        """The first 1 January or 1 July up to `today` whose amounts are not here, None when
        each has its own: the amounts change on both, and until the new ones are added the
        ones before go on being applied. Amounts added ahead of their day hide none missing
        before them (test_amounts_added_ahead_hide_no_missing_1_july)."""
        known = {since for since, _, _ in self.amounts}
        due = self.amounts[0][0]
        while due <= today:
            if due not in known:
                return due
            due = date(due.year, 7, 1) if due.month < 7 else date(due.year + 1, 1, 1)
        return None


@dataclass(frozen=True)
class Correction:
    """A recorded date put right: which one, what it was, what it is, why, by whom and when."""
    field: str
    previous: date
    corrected: date
    reason: str
    corrected_by: str
    corrected_on: date


@dataclass(frozen=True)
class CheckIn:
    held_on: date
    coach: str
    notes: str
    risk: str


@dataclass
class Placement(Aggregate):
    id: str
    match_id: str
    participant_id: str
    employer_id: str
    vacancy_id: str
    occupation: str
    start_date: date
    hours_per_week: int
    status: Status = Status.PLANNED
    contract_type: str | None = None
    hourly_wage_cents: int | None = None
    # Only where the wage is a youth wage below the amount for 21 and over, to check it again
    # when the start is corrected; on no fact
    # (test_a_youth_wage_starts_with_the_age_on_the_first_day_which_no_fact_carries).
    age_on_start: int | None = None
    job_coach: str | None = None
    subsidy: WageCostSubsidy | None = None
    no_risk_policy: bool = False
    started_on: date | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    milestones: tuple = ()
    sustained: bool = False
    risk: str = "none"
    check_ins: list = field(default_factory=list)
    corrections: list = field(default_factory=list)
    anonymised: bool = False

    @classmethod
    def plan(cls, match_id, participant_id, employer_id, vacancy_id, occupation, start_date,
             hours_per_week):
        placement = cls(str(uuid.uuid4()), match_id, participant_id, employer_id, vacancy_id,
                        occupation, start_date, hours_per_week)
        placement._record(PlacementPlanned, match_id=match_id, vacancy_id=vacancy_id,
                          occupation=occupation, start_date=start_date,
                          hours_per_week=hours_per_week)
        return placement

    def start(self, contract_type, hours_per_week, hourly_wage_cents, job_coach, started_on,
              subsidy=None, no_risk_policy=False, age_on_start=None, *, today, minimum_wage):
        """Record that the participant started work: a fact, so not on a day still to come."""
        self._require(Status.PLANNED, action="start")
        happened("started_on", started_on, today)
        if subsidy is not None and subsidy.ends_on < subsidy.starts_on:
            raise Invalid("subsidy", "a subsidy cannot end before it starts")
        age_on_start = minimum_wage.require_paid(contract_type, hourly_wage_cents, started_on,
                                                 age_on_start)
        self.contract_type = contract_type
        self.hours_per_week = hours_per_week or self.hours_per_week
        self.hourly_wage_cents = hourly_wage_cents
        self.age_on_start = age_on_start
        self.job_coach = job_coach
        self.started_on = started_on
        self.subsidy = subsidy
        self.no_risk_policy = no_risk_policy
        self.status = Status.STARTED
        terms = dict(contract_type=contract_type, hours_per_week=self.hours_per_week,
                     started_on=started_on, wage_cost_subsidy=subsidy is not None)
        self._record(PlacementStarted, **terms)
        # The wage is for the municipality's benefit alone, so it is a fact of its own.
        self._record(TermsAgreed, hourly_wage_cents=hourly_wage_cents, **terms)

    def end(self, reason, ended_on, *, today):
        """End the placement; one that never started ends as well (e.g. on withdrawal)."""
        self._require(Status.PLANNED, Status.STARTED, action="end")
        if reason not in PLACEMENT_END_REASONS:
            raise Invalid("reason", f"unknown end reason {reason!r}")
        self._may_end_on(ended_on, today)
        self.end_reason = reason
        self.ended_on = ended_on
        self.status = Status.ENDED
        # An ended placement makes the candidate matchable again.
        self._record(PlacementEnded, reason=reason, ended_on=ended_on,
                     months_in_work=self.months_in_work(ended_on))

    def correct_start(self, started_on, reason, corrected_by, age_on_start=None, seen=None, *,
                      today, minimum_wage):
        """Put a recorded start right, under the rules of a start; returns the milestones that
        no longer hold (they are reached again from the corrected day), and those the
        corrected day reaches by `today` are reached (test_a_corrected_start_reckons_the_
        milestones_again). The wage is checked at `age_on_start` on the corrected day, by
        default the age the start was checked at. `seen` is the start the corrector saw, if
        they say (test_a_correction_of_a_day_corrected_meanwhile_is_refused)."""
        if self.started_on is None:
            raise Conflict("cannot correct the start of a placement that never started")
        self._as_seen("started_on", seen)
        happened("started_on", started_on, today)
        if self.ended_on is not None and self.ended_on < started_on:
            raise Invalid("started_on", "a placement cannot start after it ended")
        if any(c.held_on < started_on for c in self.check_ins):
            raise Invalid("started_on", "a check-in was held before that day")
        age_on_start = minimum_wage.require_paid(
            self.contract_type, self.hourly_wage_cents, started_on,
            self.age_on_start if age_on_start is None else age_on_start)
        previous = self._correct("started_on", started_on, reason, corrected_by, today)
        self.age_on_start = age_on_start
        withdrawn = self._withdraw_milestones_not_reached(today)
        self._record(StartCorrected, started_on=started_on, previous_started_on=previous,
                     reason=reason, milestones_withdrawn=withdrawn)
        self.reach_milestones(today)
        return withdrawn

    def correct_end(self, ended_on, reason, corrected_by, seen=None, *, today):
        """Put a recorded end right, under the rules of an end; returns the milestones that
        no longer hold. `seen` is the end the corrector saw, if they say."""
        if self.ended_on is None:
            raise Conflict("cannot correct the end of a placement that has not ended")
        self._as_seen("ended_on", seen)
        self._may_end_on(ended_on, today)
        previous = self._correct("ended_on", ended_on, reason, corrected_by, today)
        withdrawn = self._withdraw_milestones_not_reached(today)
        self._record(EndCorrected, ended_on=ended_on, previous_ended_on=previous, reason=reason,
                     months_in_work=self.months_in_work(ended_on), milestones_withdrawn=withdrawn)
        self.reach_milestones(today)
        return withdrawn

    def _may_end_on(self, ended_on, today):
        happened("ended_on", ended_on, today)
        if self.started_on and ended_on < self.started_on:
            raise Invalid("ended_on", "a placement cannot end before it started")

    def _as_seen(self, name, seen):
        """A correction is of the day its corrector saw: one corrected meanwhile is looked at
        again first."""
        if seen is not None and seen != getattr(self, name):
            raise Conflict(f"the placement's {name} is now {getattr(self, name)}: look at it "
                           "again before correcting it")

    def _correct(self, name, corrected, reason, corrected_by, today):
        if reason not in CORRECTION_REASONS:
            raise Invalid("reason", f"unknown correction reason {reason!r}")
        previous = getattr(self, name)
        if corrected == previous:
            raise Invalid(name, f"the placement's {name} is {previous} already")
        setattr(self, name, corrected)
        self.corrections = [*self.corrections,
                            Correction(name, previous, corrected, reason, corrected_by, today)]
        return previous

    def _withdraw_milestones_not_reached(self, today):
        withdrawn = [m for m in self.milestones if self.months_in_work(today) < m]
        self.milestones = tuple(m for m in self.milestones if m not in withdrawn)
        if SUSTAINED_AFTER_MONTHS in withdrawn:
            self.sustained = False
        return withdrawn

    def months_in_work(self, today):
        """Whole months in work up to `today` (or the end of the placement)."""
        if self.started_on is None:
            return 0
        until = min(today, self.ended_on) if self.ended_on else today
        months = 0
        while add_months(self.started_on, months + 1) <= until:
            months += 1
        return months

    def reach_milestones(self, today):
        """The milestones reached by `today` and not recorded before; each counts once."""
        reached = [m for m in MILESTONES
                   if m not in self.milestones and self.months_in_work(today) >= m]
        self.milestones = tuple(sorted(tuple(self.milestones) + tuple(reached)))
        for months in reached:
            reached_on = add_months(self.started_on, months)
            self._record(MilestoneReached, months=months, reached_on=reached_on)
            if months == SUSTAINED_AFTER_MONTHS:
                self.sustained = True
                self._record(PlacementSustained, sustained_on=reached_on)
        return reached

    def check_in(self, check_in: CheckIn, *, today):
        """Record a coach's check-in; returns True when it raises the risk."""
        self._require(Status.STARTED, action="check in on")
        if check_in.risk not in RISK_LEVELS:
            raise Invalid("risk", f"unknown risk level {check_in.risk!r}")
        happened("held_on", check_in.held_on, today)
        if self.started_on and check_in.held_on < self.started_on:
            raise Invalid("held_on", "a check-in before the start of the placement")
        raised = RISK_LEVELS.index(check_in.risk) > RISK_LEVELS.index(self.risk)
        self.check_ins = [*self.check_ins, check_in]
        self.risk = check_in.risk
        if raised:
            self._record(RiskRaised, risk=check_in.risk, raised_on=check_in.held_on)
        return raised

    def anonymise(self):
        """Consent for follow-up is gone: the job still counts, the person is no longer known,
        nor their age, and neither is the match, which matching's facts tie to them, nor the
        placement itself, which the PI, the municipality and probation still hold facts about
        under its id (all made new random ids, unique as the columns ask)."""
        self.id = str(uuid.uuid4())
        self.participant_id = str(uuid.uuid4())
        self.match_id = str(uuid.uuid4())
        self.age_on_start = None
        self.check_ins = []
        # Their reasons are the coach's words, which may say more of the person than a date.
        self.corrections = []
        self.anonymised = True

    @property
    def programme_job(self):
        return self.subsidy is not None or self.contract_type in PROGRAMME_CONTRACTS

    def counted_months(self, period_start, period_end, today):
        """Months of work counted for social return in [period_start, period_end): each whole
        month of work by `today` counts in the period it began in, at most 24 per placement."""
        whole = min(self.months_in_work(today), SOCIAL_RETURN_MONTHS)
        return sum(1 for m in range(whole)
                   if period_start <= add_months(self.started_on, m) < period_end)

    def _record(self, fact, **data):
        self.record(fact(placement_id=self.id, participant_id=self.participant_id,
                         employer_id=self.employer_id, **data))

    def _require(self, *allowed, action):
        if self.status not in allowed:
            raise Conflict(f"cannot {action} a placement that is {self.status.value}")


@dataclass(frozen=True)
class SocialReturnRules:
    """Euros a counted month is worth, by contract type, weighed by the participant's target
    group (the distance to the labour market it bridged)."""
    monthly_value: dict
    target_group_weight: dict

    def value(self, contract_type, target_group):
        return round(self.monthly_value.get(contract_type, 0)
                     * self.target_group_weight.get(target_group, 1.0))


DEFAULT_RULES = SocialReturnRules(
    monthly_value={"paid-permanent": 2500, "paid-temporary": 2000, "learn-work-job": 1500,
                   "sheltered-work": 1250, "work-trial": 750},
    target_group_weight={"detainee-last-phase": 1.2, "penitentiary-programme": 1.2,
                         "community-service": 1.1, "disability": 1.2, "long-term-unemployed": 1.0,
                         "refugee-with-permit": 1.0})
WEEKS_PER_MONTH = 52 / 12


def social_return_ledger(placements, target_groups, rules, period_start, period_end, today):
    """Per employer: placements, hours, months and value counted in the period, regular jobs
    apart from subsidised or programme jobs."""
    ledger = {}
    for placement in placements:
        months = placement.counted_months(period_start, period_end, today)
        if months == 0:
            continue
        kind = "programme" if placement.programme_job else "regular"
        entry = ledger.setdefault(placement.employer_id, {
            kind_: {"placements": 0, "months": 0, "hours": 0, "value": 0}
            for kind_ in ("regular", "programme")})[kind]
        entry["placements"] += 1
        entry["months"] += months
        entry["hours"] += round(months * placement.hours_per_week * WEEKS_PER_MONTH)
        entry["value"] += months * rules.value(placement.contract_type,
                                               target_groups.get(placement.participant_id))
    return ledger


def outcomes(placements, participants, today, group_by):
    """Per target group or municipality: started placements, days from release to work
    (median), and the share of placements old enough to tell that lasted six months."""
    groups = {}
    for placement in placements:
        if placement.started_on is None:
            continue
        person = participants.get(placement.participant_id)
        key = getattr(person, group_by, None) or "unknown"
        group = groups.setdefault(key, {"started": 0, "sustained": 0, "decided": 0, "waits": []})
        group["started"] += 1
        if placement.sustained:
            group["sustained"] += 1
        if placement.sustained or placement.status is Status.ENDED or \
                add_months(placement.started_on, SUSTAINED_AFTER_MONTHS) <= today:
            group["decided"] += 1
        if person is not None and person.released_on is not None:
            group["waits"].append((placement.started_on - person.released_on).days)
    return [{"group": key, "started": g["started"], "sustained": g["sustained"],
             "sustainable_rate": round(g["sustained"] / g["decided"], 3) if g["decided"] else None,
             "median_days_release_to_work": _median(g["waits"])}
            for key, g in sorted(groups.items())]


def _median(values):
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


@dataclass
class ParticipantRecord:
    """What placement needs to know of a participant for outcomes: codes and a date."""
    participant_id: str
    target_group: str
    municipality: str
    released_on: date | None = None
