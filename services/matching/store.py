"""Matching's own database: employers, vacancies, candidate profiles and proposals.

Ranking one vacancy over every candidate of a region must stay fast, so each candidate row also
carries its codes as bit sets and its dates as day numbers. The SQL that uses them is an index
of the domain's rules, not a second set of rules: it picks and orders, and `assess` has the last
word on everything proposed.
"""
import hashlib
import json
from datetime import date

from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, Enum, Index, Integer, MetaData,
                        String, Table, UniqueConstraint, and_, case, delete, event, insert,
                        literal, not_, or_, select, text, update)
from sqlalchemy.orm import registry

from services.matching.domain import (DRIVING_OCCUPATIONS, WAIT_STEPS, WEIGHTS, Candidate,
                                      CandidateStatus, Employer, Proposal, ProposalStatus,
                                      Vacancy, VacancyStatus, distance_km, distance_points,
                                      timing_points)
from shared.contracts import vocabulary
from shared.store import (Repository, UnitOfWork, UtcDateTime, audit_tables,
                          reliability_tables)
from shared.web.store import web_tables

metadata = MetaData()


def _status(enum):
    return Column("status", Enum(enum, native_enum=False, length=20), nullable=False, index=True)


employers = Table(
    "employers", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("sector", String(40), nullable=False),
    Column("municipality", String(80), nullable=False),
    Column("contact_name", String(120), nullable=False),
    Column("contact_email", String(200), nullable=False),
    Column("social_return", Boolean, nullable=False),
)

vacancies = Table(
    "vacancies", metadata,
    Column("id", String(36), primary_key=True),
    Column("employer_id", String(36), nullable=False, index=True),
    Column("occupation", String(60), nullable=False),
    Column("title", String(120), nullable=False),
    Column("description", String(2000)),
    Column("sector", String(40), nullable=False),
    Column("municipality", String(80), nullable=False),
    Column("postcode", String(7)),
    Column("hours_per_week", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("positions", Integer, nullable=False),
    Column("required_certificates", JSON, nullable=False),
    Column("desired_certificates", JSON, nullable=False),
    Column("skills", JSON, nullable=False),
    Column("min_language_level", String(2)),
    Column("vog_required", Boolean, nullable=False),
    Column("vog_risk_areas", JSON, nullable=False),
    Column("works_with_minors", Boolean, nullable=False),
    Column("works_with_vulnerable_people", Boolean, nullable=False),
    Column("shift_starts_at", String(5)),
    Column("shift_ends_at", String(5)),
    Column("accepted", Integer, nullable=False),
    _status(VacancyStatus),
    # Derived from the columns above on every write.
    Column("start_day", Integer, nullable=False, index=True),
    Column("required_certificate_bits", BigInteger, nullable=False),
    Column("desired_certificate_bits", BigInteger, nullable=False),
    Column("desired_certificate_count", Integer, nullable=False),
    Column("skill_bits", BigInteger, nullable=False),
    Column("skill_count", Integer, nullable=False),
    Column("vog_bits", BigInteger, nullable=False),
    Column("min_language_rank", Integer, nullable=False),
    Column("vocabulary_version", String(16), nullable=False),
)

# A bit set is a signed 64-bit column: the 63 bits below its sign.
BIT_SET_SIZE = 63


def bit_positions(kind, codes):
    """The codes' bits, in the codes' order; the bit after theirs is for codes this release
    does not know (`unknown_bit`). A kind with more codes than a bit set holds is refused here,
    when matching is imported, rather than ranked wrongly
    (test_a_kind_with_more_codes_than_a_bit_set_holds_is_refused)."""
    if len(codes) + 1 > BIT_SET_SIZE:
        raise ValueError(f"{len(codes)} {kind} and the bit for unknown ones need "
                         f"{len(codes) + 1} bits; a bit set has {BIT_SET_SIZE}")
    return {code: 1 << i for i, code in enumerate(sorted(codes))}


# Codes as bit positions. The JSON columns stay the truth; when the vocabulary changes the bit
# columns are recomputed at start-up (see MatchingUnitOfWork.prepare).
BITS = {name: bit_positions(name, codes) for name, codes in (
    ("certificates", vocabulary.CERTIFICATES), ("skills", vocabulary.SKILLS),
    ("occupations", vocabulary.OCCUPATIONS), ("sectors", vocabulary.SECTORS),
    ("vog_risk_areas", vocabulary.VOG_RISK_AREAS), ("restrictions", vocabulary.RESTRICTIONS))}
VOCABULARY_VERSION = hashlib.sha256(json.dumps(BITS, sort_keys=True).encode()).hexdigest()[:16]


def unknown_bit(kind):
    """The bit after the known codes' bits, set by a code a newer release sent: the JSON
    columns keep it as it came, and once this release's vocabulary knows it, reindexing gives
    it a bit of its own."""
    return 1 << len(BITS[kind])


def bits(kind, codes):
    unknown = unknown_bit(kind) if set(codes) - set(BITS[kind]) else 0
    return sum(BITS[kind].get(code, 0) for code in set(codes)) | unknown


def _distance_points(column, municipality):
    """The domain's distance points from `municipality` to the one in `column`, as SQL."""
    places = set(vocabulary.MUNICIPALITY_LOCATIONS) | {municipality}
    return case({place: distance_points(distance_km(place, municipality)) for place in places},
                value=column, else_=distance_points(None))


def _timing_points(gap):
    """The domain's timing points for a wait of `gap` days, as SQL."""
    *bounded, (longer, _) = WAIT_STEPS
    return case(*((gap <= within, timing_points(within)) for within, _ in bounded),
                else_=timing_points(longer))


candidates = Table(
    "candidates", metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("municipality", String(80), nullable=False),
    Column("expected_release_date", Date, nullable=False),
    Column("released_on", Date),
    Column("may_work_outside_from", Date),
    Column("language_level", String(2), nullable=False),
    Column("occupations", JSON, nullable=False),
    Column("skills", JSON, nullable=False),
    Column("preferred_sectors", JSON, nullable=False),
    Column("hours_per_week", Integer),
    Column("restrictions", JSON, nullable=False),
    Column("banned_municipalities", JSON, nullable=False),
    Column("vog_risk_areas", JSON, nullable=False),
    Column("curfew_starts_at", String(5)),
    Column("curfew_ends_at", String(5)),
    Column("certificates", JSON, nullable=False),
    Column("certificate_awards", JSON, nullable=False, server_default=text("'{}'")),
    _status(CandidateStatus),
    Column("ranked_on", Date),
    # Derived from the columns above on every write.
    Column("available_day", Integer, nullable=False, index=True),
    Column("language_rank", Integer, nullable=False),
    Column("certificate_bits", BigInteger, nullable=False),
    Column("skill_bits", BigInteger, nullable=False),
    Column("occupation_bits", BigInteger, nullable=False),
    Column("sector_bits", BigInteger, nullable=False),
    Column("vog_bits", BigInteger, nullable=False),
    Column("restriction_bits", BigInteger, nullable=False),
    Column("vocabulary_version", String(16), nullable=False),
)

proposals = Table(
    "proposals", metadata,
    Column("id", String(36), primary_key=True),
    Column("vacancy_id", String(36), nullable=False, index=True),
    Column("employer_id", String(36), nullable=False, index=True),
    Column("participant_id", String(36), nullable=False, index=True),
    Column("score", Integer, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("employer_view", JSON, nullable=False),
    Column("candidate_summary", JSON, nullable=False),
    Column("proposed_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    _status(ProposalStatus),
    Column("employer_accepted", Boolean, nullable=False),
    Column("candidate_accepted", Boolean, nullable=False),
    Column("declined_by", String(20)),
    Column("decline_reason", String(200)),
    Column("expiry_reason", String(40)),
    # Never the same candidate twice for the same vacancy.
    UniqueConstraint("vacancy_id", "participant_id", name="uq_proposal_vacancy_candidate"),
)
# A candidate has one proposal pending at a time: of two workers proposing the same candidate
# at once, one loses on this index and runs again (test_concurrent_rankings_keep_one_pending).
Index("uq_proposal_pending_candidate", proposals.c.participant_id, unique=True,
      postgresql_where=proposals.c.status == ProposalStatus.PROPOSED,
      sqlite_where=proposals.c.status == ProposalStatus.PROPOSED)

# Who left matching (withdrawn, or erased on consent withdrawal), as a hash of the participant
# id: facts about them that other services recorded before they heard are ignored, not retried
# and parked.
departures = Table(
    "departures", metadata,
    Column("participant", String(64), primary_key=True),
)

# The modules of training's catalogue, as far as its facts told (training.module_added,
# module_changed): what the advice to a near miss names.
training_modules = Table(
    "training_modules", metadata,
    Column("code", String(60), primary_key=True),
    Column("certificate", String(60), nullable=False),
    Column("weeks", Integer, nullable=False),
    Column("revision", Integer, nullable=False),
)

reliability_tables(metadata)
# Who is signed in to the pages (shared/web/store.py).
web_tables(metadata)
# Who read which participant's data here (GET /events, GET /candidates).
audit_tables(metadata)

mappers = registry(metadata=metadata)
for entity, table in ((Employer, employers), (Vacancy, vacancies), (Candidate, candidates),
                      (Proposal, proposals)):
    mappers.map_imperatively(entity, table)


def day_number(day: date):
    return day.toordinal()


def index_candidate(candidate):
    candidate.available_day = day_number(candidate.available_from)
    candidate.language_rank = vocabulary.language_rank(candidate.language_level)
    candidate.certificate_bits = bits("certificates", candidate.certificates)
    candidate.skill_bits = bits("skills", candidate.skills)
    candidate.occupation_bits = bits("occupations", candidate.occupations)
    candidate.sector_bits = bits("sectors", candidate.preferred_sectors)
    candidate.vog_bits = bits("vog_risk_areas", candidate.vog_risk_areas)
    candidate.restriction_bits = bits("restrictions", candidate.restrictions)
    candidate.vocabulary_version = VOCABULARY_VERSION


def index_vacancy(vacancy):
    vacancy.start_day = day_number(vacancy.start_date)
    vacancy.required_certificate_bits = bits("certificates", vacancy.required_certificates)
    vacancy.desired_certificate_bits = bits("certificates", vacancy.desired_certificates)
    vacancy.desired_certificate_count = len(set(vacancy.desired_certificates))
    vacancy.skill_bits = bits("skills", vacancy.skills)
    vacancy.skill_count = len(set(vacancy.skills))
    vacancy.vog_bits = bits("vog_risk_areas", vacancy.vog_risk_areas) if vacancy.vog_required else 0
    vacancy.min_language_rank = (vocabulary.language_rank(vacancy.min_language_level)
                                 if vacancy.min_language_level else 0)
    vacancy.vocabulary_version = VOCABULARY_VERSION


for entity, index in ((Candidate, index_candidate), (Vacancy, index_vacancy)):
    for moment in ("before_insert", "before_update"):
        event.listen(entity, moment, lambda _mapper, _connection, target, index=index: index(target))


def _reindex(repository, table, index):
    stale = repository.where(table.c.vocabulary_version != VOCABULARY_VERSION)
    for entity in stale:
        index(entity)
    return len(stale)


def _current(session, query):
    """The rows of a query of the tables themselves, counting what this transaction added or
    changed (a vacancy just published, a proposal just declined): the session flushes by itself
    only before queries of the mapped entities."""
    session.flush()
    return session.scalars(query)


def _matchable(today, window_days):
    """`Candidate.matchable_on` as SQL."""
    c = candidates.c
    return or_(c.status == CandidateStatus.READY,
               and_(c.status == CandidateStatus.IN_TRAINING,
                    c.available_day <= day_number(today) + window_days))


class Employers(Repository):
    entity = Employer

    def list(self, offset=0, limit=50):
        return self.page(order_by=(Employer.name, Employer.id), offset=offset, limit=limit)


class Vacancies(Repository):
    entity = Vacancy

    def reindex(self):
        """Recompute the derived columns of rows written with another vocabulary."""
        return _reindex(self, vacancies, index_vacancy)

    def list(self, employer_id=None, status=None, municipality=None, q=None, offset=0,
             limit=50):
        """Vacancies by start date; `q` finds the text in the title or description, whatever
        its case."""
        conditions = [column == value for column, value in (
            (Vacancy.employer_id, employer_id), (Vacancy.status, status),
            (Vacancy.municipality, municipality)) if value is not None]
        if q is not None:
            conditions.append(or_(Vacancy.title.icontains(q, autoescape=True),
                                  Vacancy.description.icontains(q, autoescape=True)))
        return self.page(*conditions, order_by=(Vacancy.start_date, Vacancy.id), offset=offset,
                         limit=limit)

    def best_for(self, candidate, limit, offset=0):
        """Ids of open vacancies the candidate may take, best first, a page at a time. Curfews
        need the hours: `assess` checks them on the rows returned."""
        if candidate.unknown_restrictions:
            return []  # no vacancy is safe (`assess`, _unknown_restriction)
        v = vacancies.c
        missing = bits("certificates", BITS["certificates"].keys() - set(candidate.certificates))
        conditions = [v.status == VacancyStatus.OPEN,
                      v.required_certificate_bits.op("&")(missing) == 0,
                      v.min_language_rank <= vocabulary.language_rank(candidate.language_level),
                      v.start_day >= day_number(candidate.available_from)]
        if candidate.unknown_vog_risk_areas:
            conditions.append(v.vog_required.is_(False))
        elif candidate.vog_risk_areas:
            conditions.append(v.vog_bits.op("&")(bits("vog_risk_areas",
                                                      candidate.vog_risk_areas)) == 0)
        if "no-work-with-minors" in candidate.restrictions:
            conditions.append(v.works_with_minors.is_(False))
        if "no-work-with-vulnerable-people" in candidate.restrictions:
            conditions.append(v.works_with_vulnerable_people.is_(False))
        if "driving-ban" in candidate.restrictions:
            conditions.append(v.occupation.not_in(sorted(DRIVING_OCCUPATIONS)))
        if candidate.banned_municipalities:
            conditions.append(v.municipality.not_in(sorted(candidate.banned_municipalities)))

        def share(part, column, count, kind, held):
            points = WEIGHTS[part]
            matched = sum((case((column.op("&")(BITS[kind][code]) != 0, 1), else_=0)
                           for code in sorted(set(held)) if code in BITS[kind]), literal(0))
            return case((count == 0, points), else_=(matched * points) // count)

        def one_of(part, column, codes):
            return (case((column.in_(sorted(codes)), WEIGHTS[part]), else_=0) if codes
                    else literal(0))

        score = (share("desired_certificates", v.desired_certificate_bits,
                       v.desired_certificate_count, "certificates", candidate.certificates)
                 + share("skills", v.skill_bits, v.skill_count, "skills", candidate.skills)
                 + one_of("occupation", v.occupation, candidate.occupations)
                 + one_of("sector", v.sector, candidate.preferred_sectors)
                 + _distance_points(v.municipality, candidate.municipality)
                 + _timing_points(v.start_day - day_number(candidate.available_from)))
        query = (select(v.id).where(*conditions)
                 .order_by(score.desc(), v.start_day, v.id).offset(offset).limit(limit))
        return list(_current(self.session, query))


class Candidates(Repository):
    entity = Candidate

    def list(self, status=None, offset=0, limit=50):
        return self.page(*([Candidate.status == status] if status else []),
                         order_by=(Candidate.participant_id,), offset=offset, limit=limit)

    def matchable(self, today, window_days, limit, offset=0):
        """The candidates matched today (`Candidate.matchable_on`), by id, a page at a time."""
        return self.where(_matchable(today, window_days), order_by=(Candidate.participant_id,),
                          offset=offset, limit=limit)

    def near_release_unranked(self, today, window_days):
        """Candidates still in training whose release came near enough to be matched, and
        for whom no vacancies were sought today."""
        return self.where(Candidate.status == CandidateStatus.IN_TRAINING,
                          candidates.c.available_day <= day_number(today) + window_days,
                          or_(candidates.c.ranked_on.is_(None), candidates.c.ranked_on < today),
                          order_by=(Candidate.participant_id,))

    def best_for(self, vacancy, today, window_days, limit, offset=0, trainable_gaps=False):
        """Ids of matchable candidates for `vacancy`, best first, a page at a time. With
        `trainable_gaps`: those that lack certificates or language, for near misses."""
        c = candidates.c
        required = bits("certificates", vacancy.required_certificates)
        meets_training = and_(c.certificate_bits.op("&")(required) == required,
                              c.language_rank >= (vocabulary.language_rank(vacancy.min_language_level)
                                                  if vacancy.min_language_level else 0))
        conditions = [
            _matchable(today, window_days),
            c.available_day <= day_number(vacancy.start_date),
            not_(meets_training) if trainable_gaps else meets_training,
        ]
        if vacancy.vog_required:
            conditions.append(c.vog_bits.op("&")(bits("vog_risk_areas", vacancy.vog_risk_areas)
                                                 | unknown_bit("vog_risk_areas")) == 0)
        barred = (bits("restrictions", ["no-work-with-minors"] if vacancy.works_with_minors else [])
                  | bits("restrictions", ["no-work-with-vulnerable-people"]
                         if vacancy.works_with_vulnerable_people else [])
                  | bits("restrictions", ["driving-ban"] if vacancy.requires_driving else [])
                  | unknown_bit("restrictions"))
        conditions.append(c.restriction_bits.op("&")(barred) == 0)
        # Area bans and curfews need the lists: `assess` checks them on the rows returned.
        query = (select(c.participant_id).where(*conditions)
                 .order_by(self._score(vacancy).desc(), c.participant_id)
                 .offset(offset).limit(limit))
        return list(_current(self.session, query))

    def _score(self, vacancy):
        """The domain's score, as SQL over the bit columns (see `assess`)."""
        c = candidates.c

        def share(part, column, kind, wanted):
            wanted = sorted(set(wanted))
            if not wanted:
                return literal(WEIGHTS[part])
            held = sum((case((column.op("&")(BITS[kind][code]) != 0, 1), else_=0)
                        for code in wanted), literal(0))
            return (held * WEIGHTS[part]) // len(wanted)

        def flag(part, column, kind, code):
            return case((column.op("&")(BITS[kind][code]) != 0, WEIGHTS[part]), else_=0)

        return (share("desired_certificates", c.certificate_bits, "certificates",
                      vacancy.desired_certificates)
                + share("skills", c.skill_bits, "skills", vacancy.skills)
                + flag("occupation", c.occupation_bits, "occupations", vacancy.occupation)
                + flag("sector", c.sector_bits, "sectors", vacancy.sector)
                + _distance_points(c.municipality, vacancy.municipality)
                + _timing_points(day_number(vacancy.start_date) - c.available_day))

    def reindex(self):
        """Recompute the derived columns of rows written with another vocabulary."""
        return _reindex(self, candidates, index_candidate)

    def erase(self, candidate):
        self.session.delete(candidate)


class Proposals(Repository):
    entity = Proposal

    ORDER = (Proposal.proposed_at, Proposal.id)

    def involving(self, **filters):
        return self.where(*_proposals_involving(**filters), order_by=self.ORDER)

    def list(self, offset=0, limit=50, **filters):
        return self.page(*_proposals_involving(**filters), order_by=self.ORDER, offset=offset,
                         limit=limit)

    def participants_for(self, vacancy_id):
        """Everyone ever proposed for the vacancy: nobody is proposed twice."""
        return set(_current(self.session, select(proposals.c.participant_id)
                            .where(proposals.c.vacancy_id == vacancy_id)))

    def participants_pending(self):
        return set(_current(self.session, select(proposals.c.participant_id)
                            .where(proposals.c.status == ProposalStatus.PROPOSED)))

    def due(self, now):
        """Pending proposals past their time, locked: one accepted meanwhile is no longer due."""
        return self.where(Proposal.status == ProposalStatus.PROPOSED, Proposal.expires_at <= now,
                          order_by=(Proposal.expires_at, Proposal.id), lock=True)

    def erase_all_of(self, participant_id):
        self.session.execute(delete(proposals).where(proposals.c.participant_id == participant_id))


def _proposals_involving(participant_id=None, vacancy_id=None, employer_id=None, status=None):
    return [column == value for column, value in (
        (Proposal.participant_id, participant_id), (Proposal.vacancy_id, vacancy_id),
        (Proposal.employer_id, employer_id), (Proposal.status, status)) if value is not None]


class Departures:
    def __init__(self, session):
        self.session = session

    def note(self, participant_id):
        if not self.include(participant_id):
            self.session.execute(departures.insert().values(participant=_hashed(participant_id)))

    def include(self, participant_id):
        return self.session.execute(select(departures.c.participant).where(
            departures.c.participant == _hashed(participant_id))).first() is not None


class TrainingModules:
    def __init__(self, session):
        self.session = session

    def heard(self, code, certificate, weeks, revision):
        """Keep a module's revision unless a later one is kept already: training's facts of
        one module may come in any order."""
        table, values = training_modules, {"certificate": certificate, "weeks": weeks,
                                           "revision": revision}
        kept = self.session.scalar(select(table.c.revision).where(table.c.code == code)
                                   .with_for_update())
        if kept is None:
            # Of two facts of a new module at once, one insert loses on the key and its
            # transaction runs again (retry_transaction in shared/store.py).
            self.session.execute(insert(table).values(code=code, **values))
        elif kept < revision:
            self.session.execute(update(table).where(table.c.code == code).values(**values))

    def leading_to(self):
        """{certificate: the module that leads to it}, the shortest of those training told of
        (then by code). A module of the catalogue training starts with that it has not told
        of stays as this release knows it: its facts at its first start may have gone out
        before matching's queue was there
        (test_modules_not_heard_of_stay_as_the_catalogue_training_starts_with)."""
        heard, leading = set(), {}
        for row in self.session.execute(select(training_modules).order_by(
                training_modules.c.weeks, training_modules.c.code)):
            heard.add(row.code)
            leading.setdefault(row.certificate, row.code)
        for certificate, code in vocabulary.MODULE_FOR_CERTIFICATE.items():
            if code not in heard:
                leading.setdefault(certificate, code)
        return leading


def _hashed(participant_id):
    return hashlib.sha256(participant_id.encode()).hexdigest()


class MatchingUnitOfWork(UnitOfWork):
    service = "matching"
    metadata = metadata

    settings = None

    @classmethod
    def resources(cls, config):
        return {"settings": MatchingSettings.from_config(config)}

    @classmethod
    def prepare(cls, sessions, **resources):
        super().prepare(sessions, **resources)
        with sessions() as session:
            if Candidates(session).reindex() + Vacancies(session).reindex():
                session.commit()

    def _open(self, session):
        self.employers = Employers(session)
        self.vacancies = Vacancies(session)
        self.candidates = Candidates(session)
        self.proposals = Proposals(session)
        self.departures = Departures(session)
        self.training_modules = TrainingModules(session)


class MatchingSettings:
    def __init__(self, proposal_valid_days=14, release_window_days=42):
        self.proposal_valid_days = proposal_valid_days
        self.release_window_days = release_window_days

    @classmethod
    def from_config(cls, config):
        return cls(int(config.get("PROPOSAL_VALID_DAYS", 14)),
                   int(config.get("MATCH_BEFORE_RELEASE_DAYS", 42)))
