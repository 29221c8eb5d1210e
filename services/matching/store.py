"""Matching's own database: employers, vacancies, candidate profiles and proposals."""
from sqlalchemy import (JSON, Boolean, Column, Date, Enum, Float, Integer, MetaData, String, Table,
                        UniqueConstraint)
from sqlalchemy.orm import registry

from services.matching.domain import (Candidate, CandidateStatus, Employer, Proposal,
                                      ProposalStatus, Vacancy, VacancyStatus)
from shared.store import Repository, UnitOfWork, reliability_tables

metadata = MetaData()


def _status(enum):
    return Column("status", Enum(enum, native_enum=False, length=20), nullable=False, index=True)


employers = Table(
    "employers", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("sector", String(40), nullable=False),
    Column("municipality", String(80), nullable=False),
    Column("social_return", Boolean, nullable=False),
)

vacancies = Table(
    "vacancies", metadata,
    Column("id", String(36), primary_key=True),
    Column("employer_id", String(36), nullable=False, index=True),
    Column("occupation", String(120), nullable=False),
    Column("sector", String(40), nullable=False),
    Column("required_certificates", JSON, nullable=False),
    Column("municipality", String(80), nullable=False),
    Column("hours_per_week", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("positions", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    _status(VacancyStatus),
)

candidates = Table(
    "candidates", metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("municipality", String(80), nullable=False),
    Column("expected_release_date", Date, nullable=False),
    Column("language_level", String(2), nullable=False),
    Column("preferred_sectors", JSON, nullable=False),
    Column("restrictions", JSON, nullable=False),
    Column("banned_municipalities", JSON, nullable=False),
    Column("certificates", JSON, nullable=False),
    _status(CandidateStatus),
    Column("released_on", Date),
)

proposals = Table(
    "proposals", metadata,
    Column("id", String(36), primary_key=True),
    Column("vacancy_id", String(36), nullable=False, index=True),
    Column("employer_id", String(36), nullable=False, index=True),
    Column("participant_id", String(36), nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    _status(ProposalStatus),
    Column("employer_accepted", Boolean, nullable=False),
    Column("candidate_accepted", Boolean, nullable=False),
    Column("declined_by", String(20)),
    Column("decline_reason", String(200)),
    # Never the same candidate twice for the same vacancy.
    UniqueConstraint("vacancy_id", "participant_id", name="uq_proposal_vacancy_candidate"),
)

outbox, inbox = reliability_tables(metadata)

mappers = registry(metadata=metadata)
for entity, table in ((Employer, employers), (Vacancy, vacancies), (Candidate, candidates),
                      (Proposal, proposals)):
    mappers.map_imperatively(entity, table)


class Employers(Repository):
    entity = Employer


class Vacancies(Repository):
    entity = Vacancy

    def open(self):
        return self.where(Vacancy.status == VacancyStatus.OPEN, order_by=(Vacancy.start_date,))


class Candidates(Repository):
    entity = Candidate

    def ready(self):
        return self.where(Candidate.status == CandidateStatus.READY)


class Proposals(Repository):
    entity = Proposal

    def exists(self, vacancy_id, participant_id):
        return bool(self.where(Proposal.vacancy_id == vacancy_id,
                               Proposal.participant_id == participant_id))

    def involving(self, participant_id=None, vacancy_id=None, status=None):
        conditions = [column == value for column, value in (
            (Proposal.participant_id, participant_id), (Proposal.vacancy_id, vacancy_id),
            (Proposal.status, status)) if value is not None]
        return self.where(*conditions, order_by=(Proposal.id,))


class MatchingUnitOfWork(UnitOfWork):
    service = "matching"
    metadata = metadata
    outbox = outbox
    inbox = inbox

    def _open(self, session):
        self.employers = Employers(session)
        self.vacancies = Vacancies(session)
        self.candidates = Candidates(session)
        self.proposals = Proposals(session)
