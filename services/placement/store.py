"""Placement's own database."""
from sqlalchemy import Column, Date, Enum, Integer, MetaData, String, Table
from sqlalchemy.orm import registry

from services.placement.domain import Placement, Status
from shared.store import Repository, UnitOfWork, reliability_tables

metadata = MetaData()

placements = Table(
    "placements", metadata,
    Column("id", String(36), primary_key=True),
    Column("match_id", String(36), nullable=False, unique=True),
    Column("participant_id", String(36), nullable=False, index=True),
    Column("employer_id", String(36), nullable=False, index=True),
    Column("vacancy_id", String(36), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("hours_per_week", Integer, nullable=False),
    Column("status", Enum(Status, native_enum=False, length=20), nullable=False, index=True),
    Column("contract_type", String(40)),
    Column("job_coach", String(120)),
    Column("started_on", Date),
)

outbox, inbox = reliability_tables(metadata)

registry(metadata=metadata).map_imperatively(Placement, placements)


class PlacementRepository(Repository):
    entity = Placement

    def for_match(self, match_id):
        found = self.where(Placement.match_id == match_id)
        return found[0] if found else None

    def list(self, participant_id=None, status=None):
        conditions = [column == value for column, value in (
            (Placement.participant_id, participant_id), (Placement.status, status))
            if value is not None]
        return self.where(*conditions, order_by=(Placement.start_date, Placement.id))


class PlacementUnitOfWork(UnitOfWork):
    service = "placement"
    metadata = metadata
    outbox = outbox
    inbox = inbox

    def _open(self, session):
        self.placements = PlacementRepository(session)
