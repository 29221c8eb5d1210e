"""The work company's training: a catalogue of modules, cohorts with limited places and a
waiting list, and each participant's programme from employee skills to certificates."""
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import Enum

from shared.aggregate import Aggregate
from shared.clock import happened
from shared.contracts.training import (CertificateAwarded, DroppedOut, Enrolled, ModuleAdded,
                                       ModuleChanged, ModuleCompleted, ProgrammeCompleted,
                                       ResultCorrected, Waitlisted)
from shared.contracts.vocabulary import CORRECTION_REASONS, language_rank
from shared.errors import Conflict, Invalid

FIRST_MODULE = "employee-skills"
LANGUAGE_MODULE = "dutch-for-work"
# Passing Dutch for work is taken as reaching this level, whatever the participant started at.
LANGUAGE_MODULE_LEVEL = "B1"


@dataclass
class Module(Aggregate):
    """An entry of the catalogue. Trainers add and change modules; codes never change."""
    code: str
    name: str
    weeks: int
    places: int
    certificate: str
    issuer: str
    valid_years: int | None = None
    sectors: tuple = ()
    required_modules: tuple = ()
    min_language_level: str | None = None
    # As the chain knows it (training.module_added, module_changed): 0 until it is told.
    revision: int = 0

    def announce(self):
        """The chain hears of the module for the first time."""
        self._revise(ModuleAdded)

    def change(self, **details):
        for name, value in details.items():
            setattr(self, name, value)
        self._revise(ModuleChanged)

    def _revise(self, fact):
        """The module's next revision, as the chain hears of it: no more than matching's
        advice and an integrator's catalogue need (places per cohort are training's own)."""
        self.revision += 1
        self.record(fact(module=self.code, name=self.name, certificate=self.certificate,
                         min_language_level=self.min_language_level, weeks=self.weeks,
                         required_modules=list(self.required_modules),
                         sectors=list(self.sectors), revision=self.revision))


ISSUER = "Leerwerkbedrijf Drechtsteden"


def default_catalogue():
    """The standard modules, as new entities (a trainer's changes are their own)."""
    return {m.code: m for m in (
    Module(FIRST_MODULE, "Employee skills", 4, 12, "employee-skills", ISSUER),
    Module("vca-basic", "VCA basic safety", 2, 16, "vca-basic", ISSUER, 10,
           ("construction", "logistics"), (FIRST_MODULE,), "A2"),
    Module("bhv", "BHV emergency response", 1, 12, "bhv", ISSUER, 1, ("facility",),
           (FIRST_MODULE,), "A2"),
    Module("forklift", "Forklift", 2, 8, "forklift", ISSUER, 5, ("logistics",),
           (FIRST_MODULE,), "A2"),
    Module("code-95", "Code 95 professional driver", 5, 10, "code-95", ISSUER, 5,
           ("transport",), (FIRST_MODULE,), "B1"),
    Module("cleaning", "Cleaning (sector diploma)", 6, 12, "cleaning-diploma", ISSUER, None,
           ("cleaning", "facility"), (FIRST_MODULE,)),
    Module("hospitality", "Hospitality", 4, 10, "hospitality-basic", ISSUER, None,
           ("hospitality",), (FIRST_MODULE,), "A2"),
    Module(LANGUAGE_MODULE, "Dutch for work", 8, 10, "dutch-for-work", ISSUER),
    )}


@dataclass(frozen=True)
class Session:
    held_on: date
    present: tuple
    absent: tuple


@dataclass
class Cohort:
    id: str
    module: str
    starts_on: date
    ends_on: date
    places: int
    trainer: str
    members: list = field(default_factory=list)
    sessions: list = field(default_factory=list)

    @classmethod
    def plan(cls, module, starts_on, ends_on, places, trainer):
        if ends_on < starts_on:
            raise Invalid("ends_on", "a cohort cannot end before it starts")
        return cls(str(uuid.uuid4()), module, starts_on, ends_on, places, trainer)

    def open_on(self, today):
        """Whether someone may still join: places free and the cohort not started yet."""
        return len(self.members) < self.places and self.starts_on >= today

    def take(self, participant_id, today):
        if participant_id in self.members:
            raise Conflict("already in this cohort")
        if not self.open_on(today):
            raise Conflict("the cohort is full or has started")
        self.members = [*self.members, participant_id]

    def release(self, participant_id):
        self.members = [m for m in self.members if m != participant_id]

    def rename(self, participant_id, new_id):
        """The participant's programme was anonymised: the cohort counts them as before, under
        the programme's new id."""
        def renamed(ids):
            return tuple(new_id if member == participant_id else member for member in ids)
        self.members = list(renamed(self.members))
        self.sessions = [Session(s.held_on, renamed(s.present), renamed(s.absent))
                         for s in self.sessions]

    def knows(self, participant_id):
        return participant_id in self.members or any(
            participant_id in s.present + s.absent for s in self.sessions)

    def forget(self, participant_id):
        """Leave no trace of the participant: not as a member, not in any attendance list."""
        self.release(participant_id)
        self.sessions = [Session(s.held_on, tuple(p for p in s.present if p != participant_id),
                                 tuple(p for p in s.absent if p != participant_id))
                         for s in self.sessions]

    def record_session(self, held_on, present, absent, today):
        happened("held_on", held_on, today)
        if not self.starts_on <= held_on <= self.ends_on:
            raise Invalid("held_on", "the session is outside the cohort's dates")
        if any(s.held_on == held_on for s in self.sessions):
            raise Conflict(f"attendance for {held_on} is already recorded")
        strangers = (set(present) | set(absent)) - set(self.members)
        if strangers:
            raise Invalid("present", f"not in this cohort: {', '.join(sorted(strangers))}")
        if set(present) & set(absent):
            raise Invalid("absent", "a participant is either present or absent")
        self.sessions = [*self.sessions, Session(held_on, tuple(present), tuple(absent))]

    def attendance_of(self, participant_id):
        return (sum(participant_id in s.present for s in self.sessions),
                sum(participant_id in s.present + s.absent for s in self.sessions))


def first_open_cohort(cohorts, today):
    """The earliest cohort a participant can still join, or None: then they wait."""
    open_ = sorted((c for c in cohorts if c.open_on(today)), key=lambda c: (c.starts_on, c.id))
    return open_[0] if open_ else None


class StepStatus(str, Enum):
    PLANNED = "planned"
    WAITLISTED = "waitlisted"
    ENROLLED = "enrolled"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class Step:
    module: str
    status: StepStatus = StepStatus.PLANNED
    cohort_id: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class ModuleResult:
    module: str
    passed: bool
    completed_on: date


@dataclass(frozen=True)
class ResultCorrection:
    """A recorded result put right: what it was, what it is, why, by whom and when."""
    module: str
    previous_passed: bool
    previous_completed_on: date
    passed: bool
    completed_on: date
    reason: str
    corrected_by: str
    corrected_on: date


@dataclass(frozen=True)
class Certificate:
    id: str
    number: str
    certificate: str
    module: str
    issuer: str
    issued_on: date
    expires_on: date | None


class Status(str, Enum):
    ACTIVE = "active"
    COMPLETED = "completed"
    DROPPED_OUT = "dropped-out"
    ENDED = "ended"


def propose_route(catalogue, language_level, preferred_sectors, demand):
    """Employee skills first, then the vocational module that fits the participant's preferred
    sectors and whose certificate employers in those sectors ask for most; Dutch for work
    before it when the participant's language is below what it needs.

    `demand` counts open vacancies by (sector, certificate); a sector of None counts for every
    sector."""
    vocational = [m for m in catalogue.values()
                  if m.code not in (FIRST_MODULE, LANGUAGE_MODULE) and m.sectors]
    preferred = [m for m in vocational if set(m.sectors) & set(preferred_sectors)] or vocational

    def asked_for(module):
        return sum(count for (sector, certificate), count in demand.items()
                   if certificate == module.certificate
                   and (sector is None or not preferred_sectors or sector in preferred_sectors))

    route = [FIRST_MODULE]
    if preferred:
        best = max(preferred, key=lambda m: (asked_for(m), -m.weeks, m.code))
        if not _language_suffices(language_level, best.min_language_level):
            route.append(LANGUAGE_MODULE)
        route.append(best.code)
    return route


def _language_suffices(level, minimum):
    return minimum is None or language_rank(level) >= language_rank(minimum)


@dataclass
class Programme(Aggregate):
    id: str
    participant_id: str
    language_level: str
    release_date: date
    enrolled_on: date
    steps: list
    status: Status = Status.ACTIVE
    results: list = field(default_factory=list)
    certificates: list = field(default_factory=list)
    drop_out_reason: str | None = None
    corrections: list = field(default_factory=list)
    # When it stopped (completed, dropped out, ended): what its retention counts from.
    ended_on: date | None = None
    anonymised: bool = False

    @classmethod
    def propose(cls, participant_id, language_level, preferred_sectors, release_date, catalogue,
                demand, today):
        route = propose_route(catalogue, language_level, preferred_sectors, demand)
        return cls(str(uuid.uuid4()), participant_id, language_level, release_date, today,
                   [Step(code) for code in route])

    @property
    def modules(self):
        return [s.module for s in self.steps]

    def step(self, module):
        for s in self.steps:
            if s.module == module:
                return s
        raise Invalid("module", f"{module!r} is not in this programme")

    def passed(self, module):
        return any(r.module == module and r.passed for r in self.results)

    @property
    def complete(self):
        return all(s.status is StepStatus.PASSED for s in self.steps)

    def next_module(self):
        """The module to join a cohort for now, or None while one is under way or awaited."""
        if self.status is not Status.ACTIVE:
            return None
        for s in self.steps:
            if s.status is StepStatus.PASSED:
                continue
            return s.module if s.status is StepStatus.PLANNED else None
        return None

    def check_prerequisites(self, module: Module):
        missing = [m for m in module.required_modules if not self.passed(m)]
        if missing:
            raise Conflict(f"{module.code!r} needs {', '.join(missing)} passed first")
        if not _language_suffices(self.effective_language_level, module.min_language_level):
            raise Conflict(f"{module.code!r} needs Dutch at {module.min_language_level} or "
                           f"{LANGUAGE_MODULE} passed")

    @property
    def effective_language_level(self):
        if self.passed(LANGUAGE_MODULE) and not _language_suffices(self.language_level,
                                                                   LANGUAGE_MODULE_LEVEL):
            return LANGUAGE_MODULE_LEVEL
        return self.language_level

    def join(self, module: Module, cohort: Cohort, catalogue, today):
        """Take a place in `cohort` for `module`: planned, waiting, or retaking after a fail."""
        self._require_active()
        step = self._joinable(module)
        if cohort.module != module.code:
            raise Invalid("cohort", f"the cohort is for {cohort.module!r}")
        cohort.take(self.participant_id, today)
        self._replace(replace(step, status=StepStatus.ENROLLED, cohort_id=cohort.id,
                              starts_on=cohort.starts_on, ends_on=cohort.ends_on))
        self._record(Enrolled, **self.plan(catalogue, today), module=module.code,
                     cohort_id=cohort.id, starts_on=cohort.starts_on, ends_on=cohort.ends_on)

    def wait_for(self, module: Module, position, catalogue, today):
        """Wait for a place in `module`, at `position` on its waiting list."""
        self._require_active()
        step = self._joinable(module)
        self._replace(replace(step, status=StepStatus.WAITLISTED, cohort_id=None,
                              starts_on=None, ends_on=None))
        self._record(Waitlisted, **self.plan(catalogue, today), module=module.code,
                     position=position)

    def _joinable(self, module):
        step = self.step(module.code)
        if step.status in (StepStatus.ENROLLED, StepStatus.PASSED):
            raise Conflict(f"{module.code!r} is already {step.status.value}")
        self.check_prerequisites(module)
        return step

    def record_result(self, module: Module, passed, completed_on, certificate_number, today):
        """Record a cohort's result; a pass returns the certificate it earns."""
        self._require_active()
        happened("completed_on", completed_on, today)
        step = self.step(module.code)
        if step.status is not StepStatus.ENROLLED:
            raise Conflict(f"{module.code!r} is {step.status.value}, not followed in a cohort")
        self.results = [*self.results, ModuleResult(module.code, passed, completed_on)]
        self._replace(replace(step, status=StepStatus.PASSED if passed else StepStatus.FAILED))
        self._record(ModuleCompleted, module=module.code, passed=passed,
                     completed_on=completed_on)
        return self._earn(module, completed_on, certificate_number) if passed else None

    def correct_result(self, module: Module, passed, completed_on, reason, corrected_by, *,
                       corrects, certificate_number, today):
        """Put the module's latest result right: `corrects` is the result (passed, completed
        on) the trainer saw, refused when another was recorded meanwhile. A fail that becomes
        a pass earns the certificate (returned as awarded) and frees the retake's place; a pass
        that becomes a fail takes the certificate back (returned as revoked) and the places
        waited for after it, while no module after it has been taken and the programme is not
        completed. Returns (awarded, revoked)."""
        if reason not in CORRECTION_REASONS:
            raise Invalid("reason", f"unknown correction reason {reason!r}")
        happened("completed_on", completed_on, today)
        recorded = self.latest_result(module.code)
        if corrects != (recorded.passed, recorded.completed_on):
            raise Conflict(f"the latest result of {module.code!r} is now "
                           f"{'a pass' if recorded.passed else 'a fail'} on "
                           f"{recorded.completed_on}: look at it again before correcting it")
        if (passed, completed_on) == (recorded.passed, recorded.completed_on):
            raise Invalid("passed", f"the result of {module.code!r} is recorded so already")
        if passed != recorded.passed:
            self._require_active()
        if recorded.passed and not passed:
            self._refuse_if_built_on(module.code)
        corrected = replace(recorded, passed=passed, completed_on=completed_on)
        self.results = [corrected if r is recorded else r for r in self.results]
        self.corrections = [*self.corrections, ResultCorrection(
            module.code, recorded.passed, recorded.completed_on, passed, completed_on, reason,
            corrected_by, today)]
        revoked = (next(c for c in self.certificates if c.module == module.code)
                   if recorded.passed and not passed else None)
        self._record(ResultCorrected, module=module.code, passed=passed,
                     completed_on=completed_on, previous_passed=recorded.passed,
                     previous_completed_on=recorded.completed_on, reason=reason,
                     certificate_revoked=revoked and revoked.certificate,
                     revoked_certificate_id=revoked and revoked.id)
        if passed and recorded.passed:
            self._redate_certificate(module, completed_on)
            return None, None
        if passed:
            step = self.step(module.code)
            if step.status is StepStatus.FAILED:  # passed in the cohort it was followed in
                self._replace(replace(step, status=StepStatus.PASSED))
            else:  # a retake's place or wait is given up
                self._replace(replace(step, status=StepStatus.PASSED, cohort_id=None,
                                      starts_on=None, ends_on=None))
            return self._earn(module, completed_on, certificate_number), None
        self._replace(replace(self.step(module.code), status=StepStatus.FAILED))
        for later in self.steps:
            if later.status is StepStatus.WAITLISTED:
                self._replace(replace(later, status=StepStatus.PLANNED))
        self.certificates = [c for c in self.certificates if c is not revoked]
        return None, revoked

    def latest_result(self, module):
        recorded = [r for r in self.results if r.module == module]
        if not recorded:
            raise Invalid("module", f"no result of {module!r} is recorded")
        return recorded[-1]

    def _earn(self, module, completed_on, certificate_number):
        certificate = self.award_certificate(module, completed_on, certificate_number)
        self._record(CertificateAwarded, certificate_id=certificate.id,
                     number=certificate.number, certificate=certificate.certificate,
                     module=certificate.module, issuer=certificate.issuer,
                     issued_on=certificate.issued_on, expires_on=certificate.expires_on)
        if self.complete:
            self.status = Status.COMPLETED
            self.ended_on = self._last_pass()
            self._record(ProgrammeCompleted, completed_on=self.ended_on,
                         certificates=[c.certificate for c in self.certificates])
        return certificate

    def _redate_certificate(self, module, issued_on):
        self.certificates = [
            replace(c, issued_on=issued_on, expires_on=_expiry(module, issued_on))
            if c.module == module.code else c for c in self.certificates]
        if self.status is Status.COMPLETED:
            self.ended_on = self._last_pass()

    def _last_pass(self):
        return max(r.completed_on for r in self.results if r.passed)

    def _refuse_if_built_on(self, module):
        """The route went on from the pass: later modules were joined on its strength."""
        later = self.modules[self.modules.index(module) + 1:]
        taken = [s.module for s in self.steps if s.module in later
                 and s.status in (StepStatus.ENROLLED, StepStatus.PASSED, StepStatus.FAILED)]
        if taken:
            raise Conflict(f"{', '.join(taken)} was taken after the pass of {module!r}: "
                           f"correct what came after it first")

    def award_certificate(self, module: Module, issued_on, number):
        if not self.passed(module.code):
            raise Conflict(f"no certificate for {module.code!r}: it is not passed")
        if any(c.module == module.code for c in self.certificates):
            raise Conflict(f"the certificate for {module.code!r} is already awarded")
        certificate = Certificate(str(uuid.uuid4()), number, module.certificate, module.code,
                                  module.issuer, issued_on, _expiry(module, issued_on))
        self.certificates = [*self.certificates, certificate]
        return certificate

    def drop_out(self, reason, today):
        self._require_active()
        self.status = Status.DROPPED_OUT
        self.drop_out_reason = reason
        self.ended_on = today
        self._record(DroppedOut, reason=reason)

    def end(self, today):
        """The participant left the chain: the programme stops where it is."""
        self._require_active()
        self.status = Status.ENDED
        self.ended_on = today
        self._record(DroppedOut, reason="left-the-chain")

    def anonymise(self):
        """Past its retention: the programme still counts (modules, results, how it ended),
        but no longer names the participant, nor the certificates' numbers, which the
        participant's facts elsewhere carry."""
        self.participant_id = str(uuid.uuid4())
        self.certificates = [replace(certificate, number="") for certificate in self.certificates]
        self.anonymised = True

    def cohorts_held(self):
        """Cohorts this programme holds a place in that it gives up when it stops."""
        return [s.cohort_id for s in self.steps
                if s.status is StepStatus.ENROLLED and s.cohort_id]

    def replan(self, release_date):
        self.release_date = release_date

    def planned_end(self, catalogue, today):
        """When the last module ends: known cohorts' dates, estimated weeks for the rest."""
        end = max([self.enrolled_on, today] + [s.ends_on for s in self.steps if s.ends_on])
        for s in self.steps:
            if s.status in (StepStatus.PLANNED, StepStatus.WAITLISTED, StepStatus.FAILED):
                end += timedelta(weeks=catalogue[s.module].weeks)
        return end

    def finishes_before_release(self, catalogue, today):
        return self.planned_end(catalogue, today) <= self.release_date

    def plan(self, catalogue, today):
        """The route and when it ends, as trainers and the chain hear of it."""
        return {"modules": self.modules, "planned_end": self.planned_end(catalogue, today),
                "finishes_before_release": self.finishes_before_release(catalogue, today)}

    def _record(self, fact, **data):
        self.record(fact(participant_id=self.participant_id, programme_id=self.id, **data))

    def _replace(self, step):
        self.steps = [step if s.module == step.module else s for s in self.steps]

    def _require_active(self):
        if self.status is not Status.ACTIVE:
            raise Conflict(f"the programme is {self.status.value}")


def _expiry(module, issued_on):
    return _add_years(issued_on, module.valid_years) if module.valid_years else None


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
