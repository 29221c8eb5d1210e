"""Training's own database: programmes with their results and certificates."""
from sqlalchemy import JSON, Column, Date, Enum, MetaData, String, Table, select
from sqlalchemy.orm import registry

from services.training.domain import Certificate, ModuleResult, Programme, Status
from shared.errors import NotFound
from shared.store import UnitOfWork, ValueObjects, reliability_tables

metadata = MetaData()

programmes = Table(
    "programmes", metadata,
    Column("id", String(36), primary_key=True),
    Column("participant_id", String(36), nullable=False, unique=True),
    Column("modules", JSON, nullable=False),
    Column("enrolled_on", Date, nullable=False),
    Column("planned_end", Date, nullable=False),
    Column("status", Enum(Status, native_enum=False, length=20), nullable=False),
    Column("results", ValueObjects(ModuleResult, many=True), nullable=False),
    Column("certificates", ValueObjects(Certificate, many=True), nullable=False),
    Column("drop_out_reason", String(40)),
)

outbox, inbox = reliability_tables(metadata)

registry(metadata=metadata).map_imperatively(Programme, programmes)


class ProgrammeRepository:
    def __init__(self, session):
        self.session = session

    def add(self, programme):
        self.session.add(programme)

    def find(self, participant_id):
        return self.session.scalars(
            select(Programme).where(Programme.participant_id == participant_id)).first()

    def get(self, participant_id):
        programme = self.find(participant_id)
        if programme is None:
            raise NotFound(f"no programme for participant {participant_id}")
        return programme


class TrainingUnitOfWork(UnitOfWork):
    service = "training"
    metadata = metadata
    outbox = outbox
    inbox = inbox

    def _open(self, session):
        self.programmes = ProgrammeRepository(session)
