"""Intake's own database: participants, their screening and consents, outbox and inbox."""
from sqlalchemy import Column, Date, Enum, MetaData, String, Table
from sqlalchemy.orm import registry

from services.intake.domain import Consent, Participant, Screening, Status
from shared.store import Repository, UnitOfWork, ValueObjects, reliability_tables

metadata = MetaData()

participants = Table(
    "participants", metadata,
    Column("id", String(36), primary_key=True),
    Column("target_group", String(40), nullable=False),
    Column("institution", String(120), nullable=False),
    Column("municipality", String(80), nullable=False),
    Column("expected_release_date", Date, nullable=False),
    Column("status", Enum(Status, native_enum=False, length=20), nullable=False, index=True),
    Column("screening", ValueObjects(Screening)),
    Column("consents", ValueObjects(Consent, many=True), nullable=False),
    Column("rejection_reason", String(40)),
    Column("released_on", Date),
)

outbox, inbox = reliability_tables(metadata)

mapper_registry = registry(metadata=metadata)
mapper_registry.map_imperatively(Participant, participants)


class ParticipantRepository(Repository):
    entity = Participant

    def list(self, status=None, offset=0, limit=50):
        return self.where(*([Participant.status == status] if status is not None else []),
                          order_by=(Participant.expected_release_date, Participant.id),
                          offset=offset, limit=limit)


class IntakeUnitOfWork(UnitOfWork):
    service = "intake"
    metadata = metadata
    outbox = outbox
    inbox = inbox

    def _open(self, session):
        self.participants = ParticipantRepository(session)
