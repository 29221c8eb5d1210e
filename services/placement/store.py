"""Placement's own database."""
from sqlalchemy import Column, Date, Enum, Integer, MetaData, String, Table, select
from sqlalchemy.orm import registry

from services.placement.domain import Placement, Status
from shared.errors import NotFound
from shared.store import UnitOfWork, reliability_tables

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


class PlacementRepository:
    def __init__(self, session):
        self.session = session

    def add(self, placement):
        self.session.add(placement)

    def get(self, placement_id):
        placement = self.session.get(Placement, placement_id)
        if placement is None:
            raise NotFound(f"no placement {placement_id}")
        return placement

    def for_match(self, match_id):
        return self.session.scalars(select(Placement).where(Placement.match_id == match_id)).first()

    def list(self, participant_id=None, status=None):
        query = select(Placement).order_by(Placement.start_date, Placement.id)
        if participant_id is not None:
            query = query.where(Placement.participant_id == participant_id)
        if status is not None:
            query = query.where(Placement.status == status)
        return list(self.session.scalars(query))


class PlacementUnitOfWork(UnitOfWork):
    service = "placement"
    metadata = metadata
    outbox = outbox
    inbox = inbox

    def _open(self, session):
        self.placements = PlacementRepository(session)
