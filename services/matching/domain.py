"""Employers, vacancies, candidates and the rules that decide which of them may meet.

Hard constraints exclude; a score ranks what is left; every assessment says why. The employer
sees only what speaks for the candidate, never a restriction or a reason for exclusion.

A profile from a newer intake may hold codes this release does not know (docs/events.md#
versioning). They fail safe: an unknown occupation, skill, sector or certificate meets nothing a
vacancy asks for; an unknown restriction excludes from every vacancy; an unknown VOG risk area
from every vacancy that requires a VOG (test_unknown_codes_fail_safe, and on the real broker
tests/test_rolling_upgrades.py).
"""
import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum

from shared.aggregate import Aggregate
from shared.clock import expected
from shared.contracts.matching import (EmployerRegistered, MatchAccepted, MatchDeclined,
                                       MatchExpired, MatchProposed, VacancyChanged, VacancyClosed,
                                       VacancyPublished)
from shared.contracts.municipalities import named
from shared.contracts.vocabulary import (LANGUAGE_CERTIFICATE, MATCH_EXPIRY_REASONS,
                                         MATCH_PARTIES, MODULE_FOR_CERTIFICATE,
                                         MUNICIPALITY_LOCATIONS, OCCUPATIONS, RESTRICTIONS,
                                         VOG_RISK_AREAS, language_rank)
from shared.errors import Conflict, Invalid

DRIVING_OCCUPATIONS = frozenset({"van-driver", "truck-driver", "forklift-driver"})


@dataclass
class Employer(Aggregate):
    id: str
    name: str
    sector: str
    municipality: str
    contact_name: str
    contact_email: str
    social_return: bool

    @classmethod
    def register(cls, name, sector, municipality, contact_name, contact_email, social_return):
        employer = cls(str(uuid.uuid4()), name, sector, municipality, contact_name,
                       contact_email, social_return)
        employer.record(EmployerRegistered(employer_id=employer.id, name=name, sector=sector,
                                           municipality=municipality,
                                           social_return=social_return))
        return employer


class VacancyStatus(str, Enum):
    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


@dataclass
class Vacancy(Aggregate):
    id: str
    employer_id: str
    occupation: str
    sector: str
    municipality: str
    postcode: str | None
    hours_per_week: int
    start_date: date
    positions: int
    required_certificates: tuple = ()
    desired_certificates: tuple = ()
    skills: tuple = ()
    min_language_level: str | None = None
    vog_required: bool = False
    vog_risk_areas: tuple = ()
    works_with_minors: bool = False
    works_with_vulnerable_people: bool = False
    shift_starts_at: str | None = None
    shift_ends_at: str | None = None
    accepted: int = 0
    status: VacancyStatus = VacancyStatus.OPEN
    # What the employer calls the job; a vacancy published without one is called after its
    # occupation, as vacancies were before they had titles.
    title: str | None = None
    description: str | None = None

    @classmethod
    def publish(cls, employer_id, today, **details):
        vacancy = cls(str(uuid.uuid4()), employer_id, **details)
        vacancy._check()
        expected("start_date", vacancy.start_date, today)
        if vacancy.title is None:
            vacancy.title = OCCUPATIONS[vacancy.occupation][1]
        vacancy._record_whole(VacancyPublished)
        return vacancy

    @property
    def open_positions(self):
        return self.positions - self.accepted

    @property
    def requires_driving(self):
        return self.occupation in DRIVING_OCCUPATIONS

    def change(self, today, **details):
        """Change the details given. A start date that is moved must not be in the past; one
        that is kept may have passed (a vacancy that started still changes its positions)."""
        self._require_open("change")
        if details.get("start_date", self.start_date) != self.start_date:
            expected("start_date", details["start_date"], today)
        for name, value in details.items():
            setattr(self, name, value)
        self._check()
        if self.positions < self.accepted:
            raise Conflict(f"{self.accepted} positions are already taken")
        if self.positions == self.accepted:
            self.status = VacancyStatus.FILLED
        self._record_whole(VacancyChanged)

    def close(self, reason):
        self._require_open("close")
        self.status = VacancyStatus.CLOSED
        self.record(VacancyClosed(vacancy_id=self.id, employer_id=self.employer_id,
                                  reason=reason))

    def take_position(self):
        self._require_open("fill")
        self.accepted += 1
        if self.accepted >= self.positions:
            self.status = VacancyStatus.FILLED

    def _check(self):
        if self.occupation not in OCCUPATIONS:
            raise Invalid("occupation", f"unknown occupation {self.occupation!r}")
        if self.vog_risk_areas and not self.vog_required:
            raise Invalid("vog_risk_areas", "risk areas are screened only when a VOG is required")
        if (self.shift_starts_at is None) != (self.shift_ends_at is None):
            raise Invalid("shift_ends_at", "a shift has a start and an end")

    def _require_open(self, action):
        if self.status is not VacancyStatus.OPEN:
            raise Conflict(f"cannot {action} a vacancy that is {self.status.value}")

    def _record_whole(self, fact):
        """Record the vacancy as the chain may know it (shared/contracts/matching.py
        VacancyFact)."""
        self.record(fact(
            vacancy_id=self.id, employer_id=self.employer_id,
            **{name: getattr(self, name) for name in (
                "title", "description", "occupation", "sector", "municipality",
                "hours_per_week", "start_date", "positions", "vog_required", "works_with_minors",
                "works_with_vulnerable_people", "min_language_level")},
            required_certificates=list(self.required_certificates),
            desired_certificates=list(self.desired_certificates), status=self.status.value))


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
    occupations: tuple = ()
    skills: tuple = ()
    preferred_sectors: tuple = ()
    hours_per_week: int | None = None
    restrictions: tuple = ()
    banned_municipalities: tuple = ()
    vog_risk_areas: tuple = ()
    curfew_starts_at: str | None = None
    curfew_ends_at: str | None = None
    may_work_outside_from: date | None = None
    certificates: tuple = ()
    # The certificates training awarded, by the award's id: what a correction takes back.
    certificate_awards: dict = field(default_factory=dict)
    status: CandidateStatus = CandidateStatus.IN_TRAINING
    released_on: date | None = None
    # The day vacancies were last sought for the candidate.
    ranked_on: date | None = None

    def add_certificates(self, certificates):
        self.certificates = tuple(sorted(set(self.certificates) | set(certificates)))

    def award_certificate(self, award_id, certificate):
        self.certificate_awards = {**self.certificate_awards, award_id: certificate}
        self.add_certificates([certificate])

    def holds_award(self, award_id, certificate):
        """Whether the award is applied here. An award applied before awards were kept by
        their id holds its certificate under none."""
        return award_id in self.certificate_awards or (
            certificate in self.certificates
            and certificate not in self.certificate_awards.values())

    def revoke_award(self, award_id, certificate):
        """Take back one award; the certificate stays held while another award holds it
        (test_a_certificate_earned_again_stays_when_the_first_award_is_taken_back)."""
        awards = {k: v for k, v in self.certificate_awards.items() if k != award_id}
        self.certificate_awards = awards
        if certificate not in awards.values():
            self.certificates = tuple(c for c in self.certificates if c != certificate)

    def complete_training(self, certificates):
        self.add_certificates(certificates)
        if self.status is CandidateStatus.IN_TRAINING:
            self.status = CandidateStatus.READY

    def drop_out(self):
        if self.status is not CandidateStatus.PLACED:
            self.status = CandidateStatus.DROPPED_OUT

    def release(self, released_on):
        self.released_on = released_on

    def move_release_date(self, expected_release_date):
        self.expected_release_date = expected_release_date

    def place(self):
        self.status = CandidateStatus.PLACED

    def leave_job(self):
        """The placement ended: the candidate may be matched again."""
        if self.status is CandidateStatus.PLACED:
            self.status = CandidateStatus.READY

    @property
    def unknown_restrictions(self):
        """Restrictions a newer intake records that no rule here enforces: they exclude the
        candidate from every vacancy until matching knows what they exclude."""
        return sorted(set(self.restrictions) - RESTRICTIONS)

    @property
    def unknown_vog_risk_areas(self):
        """Risk areas a newer intake screens on, which any vacancy's work may touch: they
        exclude the candidate from every vacancy that requires a VOG until matching knows
        them."""
        return sorted(set(self.vog_risk_areas) - VOG_RISK_AREAS)

    @property
    def available_from(self):
        """From when the candidate may work: release, or earlier work outside (e.g. in a
        penitentiary programme)."""
        release = self.released_on or self.expected_release_date
        if self.may_work_outside_from is not None:
            return min(release, self.may_work_outside_from)
        return release

    def matchable_on(self, today, release_window_days):
        """Ready: training completed, or still training with release near enough."""
        if self.status is CandidateStatus.READY:
            return True
        return (self.status is CandidateStatus.IN_TRAINING
                and self.available_from <= today + timedelta(days=release_window_days))


# --- hard constraints: each says, for the caseworker, why it excludes ---------------------------

def _lacking_certificates(c, v):
    lacking = sorted(set(v.required_certificates) - set(c.certificates))
    return f"lacks required certificate {', '.join(lacking)}" if lacking else None


def _language_below_minimum(c, v):
    if v.min_language_level and language_rank(c.language_level) < language_rank(v.min_language_level):
        return f"Dutch at {c.language_level}, the vacancy needs {v.min_language_level}"
    return None


def _area_ban(c, v):
    if v.municipality in c.banned_municipalities:
        return f"area ban covers {named(v.municipality)}"
    return None


def _vog_risk(c, v):
    if not v.vog_required:
        return None
    blocked = sorted(set(v.vog_risk_areas) & set(c.vog_risk_areas))
    if blocked:
        return f"no VOG possible for risk area {', '.join(blocked)}"
    unknown = c.unknown_vog_risk_areas
    return f"no VOG possible for risk area {', '.join(unknown)}, unknown here" if unknown else None


def _minors(c, v):
    if v.works_with_minors and "no-work-with-minors" in c.restrictions:
        return "may not work with minors"
    return None


def _vulnerable_people(c, v):
    if v.works_with_vulnerable_people and "no-work-with-vulnerable-people" in c.restrictions:
        return "may not work with vulnerable people"
    return None


def _driving_ban(c, v):
    if v.requires_driving and "driving-ban" in c.restrictions:
        return "has a driving ban"
    return None


def _unknown_restriction(c, v):
    unknown = c.unknown_restrictions
    return f"restriction {', '.join(unknown)} is not known here" if unknown else None


def _curfew(c, v):
    if c.curfew_starts_at and v.shift_starts_at and _overlap(
            (c.curfew_starts_at, c.curfew_ends_at), (v.shift_starts_at, v.shift_ends_at)):
        return f"the shift falls in curfew hours ({c.curfew_starts_at}-{c.curfew_ends_at})"
    return None


def _not_available(c, v):
    if c.available_from > v.start_date:
        return f"available from {c.available_from}, after the start date"
    return None


def _placed(c, v):
    return "already placed" if c.status is CandidateStatus.PLACED else None


# Each by the code that names it to the API, in the order the reasons are listed.
HARD_CONSTRAINTS = {
    "lacks-required-certificate": _lacking_certificates,
    "language-below-minimum": _language_below_minimum,
    "area-ban": _area_ban,
    "vog-risk-area": _vog_risk,
    "no-work-with-minors": _minors,
    "no-work-with-vulnerable-people": _vulnerable_people,
    "driving-ban": _driving_ban,
    "unknown-restriction": _unknown_restriction,
    "curfew": _curfew,
    "not-available": _not_available,
    "already-placed": _placed,
}
# Gaps that training can close: a near miss is excluded by these and nothing else.
TRAINABLE = (_lacking_certificates, _language_below_minimum)


def _minutes(hh_mm):
    hours, minutes = hh_mm.split(":")
    return int(hours) * 60 + int(minutes)


def _segments(span):
    """A daily time span as minute ranges within one day; a span past midnight gives two."""
    start, end = (_minutes(t) for t in span)
    return [(start, end)] if start < end else [(start, 24 * 60), (0, end)]


def _overlap(first, second):
    return any(a < d and c < b for a, b in _segments(first) for c, d in _segments(second))


# --- score: 100 points at most, integers so that every ranking is exact -------------------------

# The most points each part of the score gives, 100 in all
# (test_the_weights_are_the_parts_of_the_score_and_add_up_to_100). `assess` scores with them
# and both ranking queries are built from them (store.py), so a weight changed here changes all
# three (test_a_changed_weight_changes_the_queries_with_assess).
WEIGHTS = {
    "desired_certificates": 15,  # shared out over the certificates the vacancy desires
    "skills": 25,                # shared out over the skills it asks for
    "occupation": 15,
    "sector": 15,
    "distance": 20,
    "timing": 10,
}
# The percentage of its weight that the distance gives, within so many km; the last is for
# one farther away.
DISTANCE_STEPS = ((0, 100), (10, 80), (20, 60), (35, 30), (math.inf, 0))
# A distance not known counts as far but not out of reach.
UNKNOWN_DISTANCE = 30
# The percentage of its weight that the timing gives, for a wait of at most so many days
# between release and start; the last is for a longer one. Work should follow release closely.
WAIT_STEPS = ((30, 100), (90, 50), (math.inf, 20))


def points(part, percent):
    """`percent` of the part's weight, in whole points."""
    return WEIGHTS[part] * percent // 100


def distance_km(municipality, other):
    """Straight-line distance between two municipalities' main towns, or None if unknown."""
    if municipality == other:
        return 0.0
    if municipality not in MUNICIPALITY_LOCATIONS or other not in MUNICIPALITY_LOCATIONS:
        return None
    (lat1, lon1), (lat2, lon2) = MUNICIPALITY_LOCATIONS[municipality], MUNICIPALITY_LOCATIONS[other]
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371 * math.hypot(x, y)


def distance_points(distance):
    if distance is None:
        return points("distance", UNKNOWN_DISTANCE)
    return next(points("distance", percent) for within, percent in DISTANCE_STEPS
                if distance <= within)


def timing_points(gap_days):
    return next(points("timing", percent) for within, percent in WAIT_STEPS if gap_days <= within)


def _share(part, wanted, held):
    if not wanted:
        return WEIGHTS[part]
    return WEIGHTS[part] * len(set(wanted) & set(held)) // len(set(wanted))


@dataclass(frozen=True)
class Assessment:
    eligible: bool
    score: int
    met: tuple
    missed: tuple
    exclusions: tuple
    closing_modules: tuple = ()
    shareable: tuple = ()
    # The codes of the hard constraints that exclude (HARD_CONSTRAINTS), one per exclusion.
    exclusion_codes: tuple = ()
    # What the score is made of, as (part, points) pairs; none for one excluded.
    score_parts: tuple = ()

    @property
    def near_miss(self):
        return bool(self.closing_modules)

    @property
    def reasons(self):
        """The full reasoning, for the social service's caseworkers."""
        return ([f"excluded: {e}" for e in self.exclusions] + [f"met: {m}" for m in self.met]
                + [f"missed: {m}" for m in self.missed]
                + [f"training would close the gap: {m}" for m in self.closing_modules])


def assess(candidate: Candidate, vacancy: Vacancy,
           modules=MODULE_FOR_CERTIFICATE) -> Assessment:
    """`modules`: the training module that leads to each certificate, which only the advice to
    a near miss needs. A gap is closed by the module that leads to the certificate lacked (for
    Dutch, to LANGUAGE_CERTIFICATE); a gap no module closes makes no near miss."""
    excluded = {code: why for code, rule in HARD_CONSTRAINTS.items()
                if (why := rule(candidate, vacancy))}
    exclusions = list(excluded.values())
    trainable = [rule for rule in TRAINABLE if rule(candidate, vacancy)]
    closing = ()
    if exclusions and len(trainable) == len(exclusions):
        gaps = (([LANGUAGE_CERTIFICATE] if _language_below_minimum in trainable else [])
                + sorted(set(vacancy.required_certificates) - set(candidate.certificates)))
        if all(gap in modules for gap in gaps):
            closing = tuple(dict.fromkeys(modules[gap] for gap in gaps))

    met, missed = [], []
    # What speaks for the candidate and may be told to the employer.
    shareable = []
    if vacancy.required_certificates and not _lacking_certificates(candidate, vacancy):
        shareable.append("holds every required certificate")
    if vacancy.min_language_level and not _language_below_minimum(candidate, vacancy):
        shareable.append(f"Dutch at {candidate.language_level} (asked: {vacancy.min_language_level})")
    if not _not_available(candidate, vacancy):
        shareable.append(f"available from {candidate.available_from}")

    def note(held, text):
        (met if held else missed).append(text)
        if held:
            shareable.append(text)

    parts = {"desired_certificates": _share("desired_certificates", vacancy.desired_certificates,
                                            candidate.certificates)}
    if vacancy.desired_certificates:
        held = sorted(set(vacancy.desired_certificates) & set(candidate.certificates))
        note(held, f"holds desired certificates {', '.join(held)}" if held
             else "holds none of the desired certificates")
    parts["skills"] = _share("skills", vacancy.skills, candidate.skills)
    if vacancy.skills:
        held = sorted(set(vacancy.skills) & set(candidate.skills))
        note(held, f"has the skills {', '.join(held)}" if held
             else "has none of the skills asked for")
    wanted = vacancy.occupation in candidate.occupations
    parts["occupation"] = WEIGHTS["occupation"] if wanted else 0
    note(wanted, f"wants to work as {OCCUPATIONS[vacancy.occupation][1].lower()}" if wanted
         else "prefers another occupation")
    prefers = vacancy.sector in candidate.preferred_sectors
    parts["sector"] = WEIGHTS["sector"] if prefers else 0
    note(prefers, f"prefers the {vacancy.sector} sector" if prefers
         else f"prefers another sector than {vacancy.sector}")
    distance = distance_km(candidate.municipality, vacancy.municipality)
    parts["distance"] = distance_points(distance)
    note(distance is not None and distance <= 20,
         "lives in the vacancy's municipality" if distance == 0 else
         f"lives about {distance:.0f} km away" if distance is not None else
         "travel distance unknown")
    gap = (vacancy.start_date - candidate.available_from).days
    parts["timing"] = timing_points(gap)
    note(gap <= 30, "starts work soon after release" if gap <= 30
         else f"waits {gap} days between release and start")
    eligible = not exclusions
    return Assessment(eligible, sum(parts.values()) if eligible else 0, tuple(met),
                      tuple(missed), tuple(exclusions), closing,
                      tuple(shareable) if eligible else (), tuple(excluded),
                      tuple(parts.items()) if eligible else ())


def rank(candidate, vacancies):
    """The eligible vacancies for a candidate, best first."""
    assessed = [(assess(candidate, v), v) for v in vacancies]
    return sorted(((a, v) for a, v in assessed if a.eligible),
                  key=lambda pair: (-pair[0].score, pair[1].start_date, pair[1].id))


class ProposalStatus(str, Enum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


@dataclass
class Proposal(Aggregate):
    id: str
    vacancy_id: str
    employer_id: str
    participant_id: str
    score: int
    reasons: tuple
    employer_view: tuple
    proposed_at: datetime
    expires_at: datetime
    status: ProposalStatus = ProposalStatus.PROPOSED
    employer_accepted: bool = False
    candidate_accepted: bool = False
    declined_by: str | None = None
    decline_reason: str | None = None
    expiry_reason: str | None = None
    candidate_summary: dict = field(default_factory=dict)

    @classmethod
    def make(cls, candidate, vacancy, assessment, now, valid_for: timedelta):
        if not assessment.eligible:
            raise Conflict("only an eligible candidate is proposed")
        summary = {"certificates": list(candidate.certificates), "skills": list(candidate.skills),
                   "language_level": candidate.language_level,
                   "available_from": candidate.available_from.isoformat()}
        proposal = cls(str(uuid.uuid4()), vacancy.id, vacancy.employer_id,
                       candidate.participant_id, assessment.score, tuple(assessment.reasons),
                       assessment.shareable, now, now + valid_for, candidate_summary=summary)
        # Facts on the broker carry what the employer may read, never the exclusions.
        proposal._record(MatchProposed, score=proposal.score,
                         reasons=list(proposal.employer_view), expires_at=proposal.expires_at)
        return proposal

    @property
    def candidate_alias(self):
        """How the employer knows the candidate until the match: no chain-wide id."""
        return f"candidate-{self.id[:8]}"

    def accept(self, party, vacancy):
        """Record one side's acceptance; True once both sides have accepted, on the
        vacancy's terms."""
        self._require_open(party)
        setattr(self, f"{party}_accepted", True)
        if self.employer_accepted and self.candidate_accepted:
            self.status = ProposalStatus.ACCEPTED
            self._record(MatchAccepted, occupation=vacancy.occupation,
                         hours_per_week=vacancy.hours_per_week, start_date=vacancy.start_date)
            return True
        return False

    def decline(self, party, reason):
        self._require_open(party)
        self.status = ProposalStatus.DECLINED
        self.declined_by = party
        self.decline_reason = reason
        self._record(MatchDeclined, declined_by=party, reason=reason)

    def expire(self, reason):
        if self.status is not ProposalStatus.PROPOSED:
            raise Conflict(f"the proposal is already {self.status.value}")
        if reason not in MATCH_EXPIRY_REASONS:
            raise Invalid("reason", f"unknown expiry reason {reason!r}")
        self.status = ProposalStatus.EXPIRED
        self.expiry_reason = reason
        self._record(MatchExpired, reason=reason)

    def _require_open(self, party):
        if party not in MATCH_PARTIES:
            raise Invalid("party", f"unknown party {party!r}")
        if self.status is not ProposalStatus.PROPOSED:
            raise Conflict(f"the proposal is already {self.status.value}")

    def _record(self, fact, **data):
        self.record(fact(match_id=self.id, vacancy_id=self.vacancy_id,
                         employer_id=self.employer_id, participant_id=self.participant_id,
                         **data))
