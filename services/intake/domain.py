"""Participants as the PI's case managers see them, and the rules for moving them on."""
import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum

from shared.aggregate import Aggregate
from shared.clock import expected, happened
from shared.contracts.intake import (BasicConditionsUpdated, ConsentGiven, ConsentWithdrawn,
                                     ParticipantAdmitted, ParticipantRegistered,
                                     ParticipantRejected, ParticipantReleased,
                                     ParticipantScreened, ParticipantWithdrawn,
                                     ReleaseCorrected, ReleaseDateChanged)
from shared.contracts.vocabulary import (BASIC_CONDITIONS, CONDITION_STATUSES, CONSENT_PURPOSES,
                                         CORRECTION_REASONS, WITHDRAWAL_REASONS)
from shared.errors import Conflict, Invalid, NotFound

MIN_MOTIVATION = 3
# Without these purposes the chain cannot train or match a participant.
PURPOSES_REQUIRED_FOR_ADMISSION = frozenset({"training", "matching"})


class Status(str, Enum):
    REGISTERED = "registered"
    SCREENED = "screened"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    RELEASED = "released"
    WITHDRAWN = "withdrawn"


# A participant in one of these statuses is in the chain; the others have left it for good.
ACTIVE = frozenset({Status.REGISTERED, Status.SCREENED, Status.ADMITTED, Status.RELEASED})
BEFORE_RELEASE = (Status.REGISTERED, Status.SCREENED, Status.ADMITTED)


def bsn_is_valid(bsn):
    """The eleven-test every burgerservicenummer passes: nine digits d1..d9 with
    9*d1 + 8*d2 + ... + 2*d8 - d9 divisible by 11."""
    if not re.fullmatch(r"[0-9]{9}", bsn) or bsn == "000000000":
        return False
    weighted = sum(int(digit) * weight for digit, weight in zip(bsn, range(9, 1, -1)))
    return (weighted - int(bsn[8])) % 11 == 0


@dataclass(frozen=True)
class Identity:
    """Who the participant is. Only intake holds it, sealed at rest."""
    name: str
    bsn: str
    date_of_birth: date

    def __post_init__(self):
        if not self.name.strip():
            raise Invalid("name", "a name is required")
        if not bsn_is_valid(self.bsn):
            raise Invalid("bsn", "not a valid BSN: it must be nine digits that pass the eleven-test")


@dataclass(frozen=True)
class SafetyClearance:
    cleared: bool
    assessed_by: str
    assessed_on: date


@dataclass(frozen=True)
class Curfew:
    """Hours the participant must be at home, e.g. 22:00 to 06:00, with or without an ankle monitor."""
    starts_at: str
    ends_at: str
    electronic_monitoring: bool = False


@dataclass(frozen=True)
class Restrictions:
    no_work_with_minors: bool = False
    no_work_with_vulnerable_people: bool = False
    banned_municipalities: tuple = ()
    vog_risk_areas: tuple = ()
    driving_ban: bool = False
    curfew: Curfew | None = None

    def codes(self):
        """The restriction categories as the chain's codes: what, never why."""
        flags = {
            "no-work-with-minors": self.no_work_with_minors,
            "no-work-with-vulnerable-people": self.no_work_with_vulnerable_people,
            "area-ban": bool(self.banned_municipalities),
            "vog-risk-area": bool(self.vog_risk_areas),
            "driving-ban": self.driving_ban,
            "curfew": self.curfew is not None,
            "electronic-monitoring": self.curfew is not None and self.curfew.electronic_monitoring,
        }
        return [code for code, applies in flags.items() if applies]


@dataclass(frozen=True)
class Screening:
    motivation: int
    safety: SafetyClearance
    language_level: str
    occupations: tuple = ()
    skills: tuple = ()
    drivers_and_ambitions: str = ""
    preferred_sectors: tuple = ()
    hours_per_week: int | None = None
    restrictions: Restrictions = Restrictions()
    may_work_outside_from: date | None = None


@dataclass(frozen=True)
class Consent:
    purpose: str
    legal_basis: str
    version: str
    given_at: datetime
    withdrawn_at: datetime | None = None
    # The id of the participant.consent_withdrawn fact: what receipts of erasure answer.
    withdrawal_id: str | None = None

    @property
    def active(self):
        return self.withdrawn_at is None


@dataclass(frozen=True)
class BasicCondition:
    """One of the five basic conditions for a return to society, as arranged so far."""
    condition: str
    status: str
    since: date

    def __post_init__(self):
        if self.condition not in BASIC_CONDITIONS:
            raise Invalid("condition", f"unknown basic condition {self.condition!r}")
        if self.status not in CONDITION_STATUSES:
            raise Invalid("status", f"unknown status {self.status!r}")


@dataclass
class Participant(Aggregate):
    id: str
    target_group: str
    institution: str
    municipality: str
    expected_release_date: date
    status: Status = Status.REGISTERED
    screening: Screening | None = None
    consents: list = field(default_factory=list)
    basic_conditions: list = field(default_factory=list)
    rejection_reason: str | None = None
    released_on: date | None = None
    withdrawal_reason: str | None = None
    withdrawn_on: date | None = None

    @classmethod
    def register(cls, target_group, institution, municipality, expected_release_date, today):
        expected("expected_release_date", expected_release_date, today)
        # A random id: never derived from anything that identifies the person.
        participant = cls(str(uuid.uuid4()), target_group, institution, municipality,
                          expected_release_date)
        participant.record(ParticipantRegistered(
            participant_id=participant.id, target_group=target_group, institution=institution,
            municipality=municipality, expected_release_date=expected_release_date))
        return participant

    @property
    def active(self):
        return self.status in ACTIVE

    def screen(self, screening: Screening):
        self._require(Status.REGISTERED, Status.SCREENED, action="screen")
        self.screening = screening
        self.status = Status.SCREENED
        self.record(ParticipantScreened(participant_id=self.id, motivation=screening.motivation,
                                        safety_cleared=screening.safety.cleared,
                                        **_profile(screening)))

    def give_consent(self, consent: Consent):
        self._require(*ACTIVE, action="record consent for")
        if consent.purpose not in CONSENT_PURPOSES:
            raise Invalid("purpose", f"unknown purpose {consent.purpose!r}")
        self.consents = [c for c in self.consents if c.purpose != consent.purpose] + [consent]
        self.record(ConsentGiven(participant_id=self.id, purpose=consent.purpose,
                                 legal_basis=consent.legal_basis, given_at=consent.given_at))

    def withdraw_consent(self, purpose, at: datetime):
        """Withdraw consent for one purpose; the consent keeps the id of the fact that
        announces it, by which the services' receipts of erasure name it. Returns the withdrawn
        consent."""
        current = self.consent_for(purpose)
        if current is None:
            raise NotFound(f"no active consent for {purpose!r}")
        if current.legal_basis != "consent":
            raise Conflict(f"sharing for {purpose!r} rests on a {current.legal_basis}, "
                           "not on consent: it cannot be withdrawn")
        announced = ConsentWithdrawn(participant_id=self.id, purpose=purpose, withdrawn_at=at)
        withdrawn = replace(current, withdrawn_at=at, withdrawal_id=announced.fact_id)
        self.consents = [withdrawn if c is current else c for c in self.consents]
        self.record(announced)
        return withdrawn

    def consent_for(self, purpose):
        """The active legal basis for sharing for `purpose`, or None."""
        return next((c for c in self.consents if c.purpose == purpose and c.active), None)

    def admit(self):
        self._require(Status.SCREENED, action="admit")
        missing = PURPOSES_REQUIRED_FOR_ADMISSION - {c.purpose for c in self.consents if c.active}
        if missing:
            raise Conflict(f"cannot admit without consent for {', '.join(sorted(missing))}")
        if not self.screening.safety.cleared:
            raise Conflict("cannot admit a participant without safety clearance")
        if self.screening.motivation < MIN_MOTIVATION:
            raise Conflict(f"cannot admit with motivation below {MIN_MOTIVATION}")
        self.status = Status.ADMITTED
        self.record(ParticipantAdmitted(
            participant_id=self.id, target_group=self.target_group,
            municipality=self.municipality, expected_release_date=self.expected_release_date,
            **_profile(self.screening)))

    def reject(self, reason):
        self._require(Status.REGISTERED, Status.SCREENED, action="reject")
        self.rejection_reason = reason
        self.status = Status.REJECTED
        self.record(ParticipantRejected(participant_id=self.id, reason=reason))

    def change_release_date(self, new_date: date, today: date):
        """Move the expected release date; returns the previous one."""
        self._require(*BEFORE_RELEASE, action="change the release date of")
        # Still detained: the release is yet to come.
        expected("expected_release_date", new_date, today)
        if new_date == self.expected_release_date:
            raise Conflict(f"the expected release date is already {new_date}")
        previous, self.expected_release_date = self.expected_release_date, new_date
        self.record(ReleaseDateChanged(participant_id=self.id, expected_release_date=new_date,
                                       previous_release_date=previous))
        return previous

    def update_basic_conditions(self, updates):
        self._require(*ACTIVE, action="update the basic conditions of")
        changed = {u.condition: u for u in updates}
        if len(changed) != len(updates):
            raise Invalid("conditions", "each basic condition at most once per update")
        kept = [c for c in self.basic_conditions if c.condition not in changed]
        self.basic_conditions = sorted(kept + list(changed.values()),
                                       key=lambda c: BASIC_CONDITIONS.index(c.condition))
        # The municipality arranges these conditions, but hears of them only on a legal basis
        # for informing it; without one the update stays inside the PI.
        if self.consent_for("inform-municipality"):
            self.record(BasicConditionsUpdated(
                participant_id=self.id, municipality=self.municipality,
                conditions=[{"condition": c.condition, "status": c.status, "since": c.since}
                            for c in self.basic_conditions]))

    def release(self, released_on: date, today: date):
        self._require(Status.ADMITTED, action="release")
        happened("released_on", released_on, today)
        self.released_on = released_on
        self.status = Status.RELEASED
        self.record(ParticipantReleased(participant_id=self.id, released_on=released_on,
                                        municipality=self.municipality))

    def correct_release(self, released_on: date, reason, today: date):
        """Put right the date of a recorded release; returns the date it replaces."""
        self._require(Status.RELEASED, action="correct the release of")
        if reason not in CORRECTION_REASONS:
            raise Invalid("reason", f"unknown reason for correcting a release {reason!r}")
        happened("released_on", released_on, today)
        if released_on == self.released_on:
            raise Conflict(f"the release is already recorded on {released_on}")
        previous, self.released_on = self.released_on, released_on
        self.record(ReleaseCorrected(participant_id=self.id, released_on=released_on,
                                     previous_released_on=previous, reason=reason))
        return previous

    def withdraw(self, reason, withdrawn_on: date, today: date):
        self._require(*ACTIVE, action="withdraw")
        if reason not in WITHDRAWAL_REASONS:
            raise Invalid("reason", f"unknown withdrawal reason {reason!r}")
        happened("withdrawn_on", withdrawn_on, today)
        self.withdrawal_reason = reason
        self.withdrawn_on = withdrawn_on
        self.status = Status.WITHDRAWN
        self.record(ParticipantWithdrawn(participant_id=self.id, reason=reason,
                                         withdrawn_on=withdrawn_on))

    def _require(self, *allowed, action):
        if self.status not in allowed:
            raise Conflict(f"cannot {action} a participant who is {self.status.value}")


def _profile(screening):
    """What the chain needs to know of a screening: codes and levels, never the reasons."""
    restrictions = screening.restrictions
    curfew = restrictions.curfew
    return {
        "language_level": screening.language_level,
        "occupations": list(screening.occupations),
        "skills": list(screening.skills),
        "preferred_sectors": list(screening.preferred_sectors),
        "hours_per_week": screening.hours_per_week,
        "restrictions": restrictions.codes(),
        "banned_municipalities": list(restrictions.banned_municipalities),
        "vog_risk_areas": list(restrictions.vog_risk_areas),
        "curfew": curfew and {"starts_at": curfew.starts_at, "ends_at": curfew.ends_at},
        "may_work_outside_from": screening.may_work_outside_from,
    }
