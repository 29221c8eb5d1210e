"""Training's own database: programmes with their results and certificates."""
from sqlalchemy import JSON, Column, Date, Enum, MetaData, String, Table
from sqlalchemy.orm import registry

from services.training.domain import Certificate, ModuleResult, Programme, Status
from shared.store import Repository, UnitOfWork, ValueObjects, reliability_tables

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


class ProgrammeRepository(Repository):
    """Programmes by participant: each participant has at most one."""
    entity = Programme

    def find(self, participant_id):
        found = self.where(Programme.participant_id == participant_id)
        return found[0] if found else None



class TrainingUnitOfWork(UnitOfWork):
    service = "training"
    metadata = metadata
    outbox = outbox
    inbox = inbox

    def _open(self, session):
        self.programmes = ProgrammeRepository(session)
