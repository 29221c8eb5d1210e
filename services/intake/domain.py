"""Participants as the PI's case managers see them, and the rules for moving them on."""
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from shared.errors import Conflict, Invalid

MIN_MOTIVATION = 3
# Without these purposes the chain cannot train or match a participant.
PURPOSES_REQUIRED_FOR_ADMISSION = frozenset({"training", "matching"})
PURPOSES = frozenset({"training", "matching", "placement-follow-up", "inform-municipality"})


class Status(str, Enum):
    REGISTERED = "registered"
    SCREENED = "screened"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    RELEASED = "released"


@dataclass(frozen=True)
class Screening:
    motivation: int
    safety_cleared: bool
    language_level: str
    skills: tuple = ()
    preferred_sectors: tuple = ()
    restrictions: tuple = ()
    banned_municipalities: tuple = ()


@dataclass(frozen=True)
class Consent:
    purpose: str
    legal_basis: str
    version: str
    given_at: datetime


@dataclass
class Participant:
    id: str
    target_group: str
    institution: str
    municipality: str
    expected_release_date: date
    status: Status = Status.REGISTERED
    screening: Screening | None = None
    consents: list = field(default_factory=list)
    rejection_reason: str | None = None
    released_on: date | None = None

    @classmethod
    def register(cls, target_group, institution, municipality, expected_release_date):
        # A random id: never derived from anything that identifies the person.
        return cls(str(uuid.uuid4()), target_group, institution, municipality, expected_release_date)

    def screen(self, screening: Screening):
        self._require(Status.REGISTERED, Status.SCREENED, action="screen")
        self.screening = screening
        self.status = Status.SCREENED

    def give_consent(self, consent: Consent):
        self._require(Status.REGISTERED, Status.SCREENED, Status.ADMITTED, action="record consent for")
        if consent.purpose not in PURPOSES:
            raise Invalid("purpose", f"unknown purpose {consent.purpose!r}")
        self.consents = [c for c in self.consents if c.purpose != consent.purpose] + [consent]

    def admit(self):
        self._require(Status.SCREENED, action="admit")
        missing = PURPOSES_REQUIRED_FOR_ADMISSION - {c.purpose for c in self.consents}
        if missing:
            raise Conflict(f"cannot admit without consent for {', '.join(sorted(missing))}")
        if not self.screening.safety_cleared:
            raise Conflict("cannot admit a participant without safety clearance")
        if self.screening.motivation < MIN_MOTIVATION:
            raise Conflict(f"cannot admit with motivation below {MIN_MOTIVATION}")
        self.status = Status.ADMITTED

    def reject(self, reason):
        self._require(Status.REGISTERED, Status.SCREENED, action="reject")
        self.rejection_reason = reason
        self.status = Status.REJECTED

    def release(self, released_on: date):
        self._require(Status.ADMITTED, action="release")
        self.released_on = released_on
        self.status = Status.RELEASED

    def _require(self, *allowed, action):
        if self.status not in allowed:
            raise Conflict(f"cannot {action} a participant who is {self.status.value}")
