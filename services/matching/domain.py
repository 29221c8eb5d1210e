"""Candidates, vacancies and the rules that decide which of them may meet.

Hard constraints exclude; a score ranks what is left; every assessment says why.
"""
import uuid
from dataclasses import dataclass
from datetime import date
from enum import Enum

from shared.errors import Conflict, Invalid


@dataclass
class Employer:
    id: str
    name: str
    sector: str
    municipality: str
    social_return: bool

    @classmethod
    def register(cls, name, sector, municipality, social_return):
        return cls(str(uuid.uuid4()), name, sector, municipality, social_return)


class VacancyStatus(str, Enum):
    OPEN = "open"
    FILLED = "filled"


@dataclass
class Vacancy:
    id: str
    employer_id: str
    occupation: str
    sector: str
    required_certificates: tuple
    municipality: str
    hours_per_week: int
    start_date: date
    positions: int
    accepted: int = 0
    status: VacancyStatus = VacancyStatus.OPEN

    @classmethod
    def publish(cls, employer_id, occupation, sector, required_certificates, municipality,
                hours_per_week, start_date, positions):
        return cls(str(uuid.uuid4()), employer_id, occupation, sector,
                   tuple(required_certificates), municipality, hours_per_week, start_date,
                   positions)

    @property
    def open_positions(self):
        return self.positions - self.accepted

    def take_position(self):
        if self.status is not VacancyStatus.OPEN:
            raise Conflict("the vacancy is already filled")
        self.accepted += 1
        if self.accepted >= self.positions:
            self.status = VacancyStatus.FILLED


class CandidateStatus(str, Enum):
    IN_TRAINING = "in-training"
    READY = "ready"
    DROPPED_OUT = "dropped-out"
    PLACED = "placed"


@dataclass
class Candidate:
    """What the chain's facts say about a participant: codes and dates, no identity."""
    participant_id: str
    municipality: str
    expected_release_date: date
    language_level: str
    preferred_sectors: tuple = ()
    restrictions: tuple = ()
    banned_municipalities: tuple = ()
    certificates: tuple = ()
    status: CandidateStatus = CandidateStatus.IN_TRAINING
    released_on: date | None = None

    def add_certificates(self, certificates):
        self.certificates = tuple(sorted(set(self.certificates) | set(certificates)))

    def become_ready(self):
        if self.status is CandidateStatus.IN_TRAINING:
            self.status = CandidateStatus.READY

    def drop_out(self):
        if self.status is not CandidateStatus.PLACED:
            self.status = CandidateStatus.DROPPED_OUT

    def release(self, released_on):
        self.released_on = released_on

    def place(self):
        self.status = CandidateStatus.PLACED

    @property
    def available_from(self):
        return self.released_on or self.expected_release_date


@dataclass(frozen=True)
class Assessment:
    eligible: bool
    score: float
    met: tuple
    missed: tuple

    @property
    def reasons(self):
        return [f"met: {m}" for m in self.met] + [f"missed: {m}" for m in self.missed]


def assess(candidate: Candidate, vacancy: Vacancy) -> Assessment:
    met, missed, exclusions = [], [], []
    lacking = sorted(set(vacancy.required_certificates) - set(candidate.certificates))
    if lacking:
        exclusions.append(f"lacks required certificate {', '.join(lacking)}")
    else:
        met.append("holds every required certificate")
    if vacancy.municipality in candidate.banned_municipalities:
        exclusions.append("cannot work in the vacancy's municipality")
    if candidate.available_from > vacancy.start_date:
        exclusions.append("not available by the start date")
    else:
        met.append("available by the start date")
    if candidate.status is not CandidateStatus.READY:
        exclusions.append(f"candidate is {candidate.status.value}")

    score = 50.0
    if vacancy.sector in candidate.preferred_sectors:
        score += 30
        met.append(f"prefers the {vacancy.sector} sector")
    else:
        missed.append(f"prefers another sector than {vacancy.sector}")
    if vacancy.municipality == candidate.municipality:
        score += 20
        met.append("returns to the vacancy's municipality")
    else:
        missed.append("returns to another municipality")
    return Assessment(not exclusions, score if not exclusions else 0.0,
                      tuple(met), tuple(exclusions or missed))


def rank(candidate, vacancies):
    """The eligible vacancies for a candidate, best first."""
    assessed = [(assess(candidate, v), v) for v in vacancies]
    return sorted(((a, v) for a, v in assessed if a.eligible),
                  key=lambda pair: (-pair[0].score, pair[1].start_date, pair[1].id))


class ProposalStatus(str, Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"


PARTIES = ("employer", "candidate")


@dataclass
class Proposal:
    id: str
    vacancy_id: str
    employer_id: str
    participant_id: str
    score: float
    reasons: tuple
    status: ProposalStatus = ProposalStatus.PROPOSED
    employer_accepted: bool = False
    candidate_accepted: bool = False
    declined_by: str | None = None
    decline_reason: str | None = None

    @classmethod
    def make(cls, candidate, vacancy, assessment):
        return cls(str(uuid.uuid4()), vacancy.id, vacancy.employer_id, candidate.participant_id,
                   assessment.score, tuple(assessment.reasons))

    def accept(self, party):
        """Record one side's acceptance; True once both sides have accepted."""
        self._require_open()
        if party not in PARTIES:
            raise Invalid("party", f"unknown party {party!r}")
        setattr(self, f"{party}_accepted", True)
        if self.employer_accepted and self.candidate_accepted:
            self.status = ProposalStatus.ACCEPTED
            return True
        return False

    def decline(self, party, reason):
        self._require_open()
        self.status = ProposalStatus.DECLINED
        self.declined_by = party
        self.decline_reason = reason

    def _require_open(self):
        if self.status is not ProposalStatus.PROPOSED:
            raise Conflict(f"the proposal is already {self.status.value}")
