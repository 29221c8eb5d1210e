"""Intake's own database: participants, their sealed identities, the audit log of reads of
personal data, and the outbox and inbox."""
from sqlalchemy import (JSON, Column, Date, Enum, ForeignKey, LargeBinary, MetaData,
                        String, Table, insert, select, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry

from services.intake.domain import (BasicCondition, Consent, Participant, PersonalDataRead,
                                    Screening, Status)
from services.intake.vault import IdentityVault
from shared.errors import Conflict, NotFound
from shared.store import (Repository, UnitOfWork, UtcDateTime, ValueObjects,
                          reliability_tables)

metadata = MetaData()

participants = Table(
    "participants", metadata,
    Column("id", String(36), primary_key=True),
    Column("target_group", String(40), nullable=False, index=True),
    Column("institution", String(120), nullable=False),
    Column("municipality", String(80), nullable=False),
    Column("expected_release_date", Date, nullable=False, index=True),
    Column("status", Enum(Status, native_enum=False, length=20), nullable=False, index=True),
    Column("screening", ValueObjects(Screening)),
    Column("consents", ValueObjects(Consent, many=True), nullable=False),
    Column("basic_conditions", ValueObjects(BasicCondition, many=True), nullable=False),
    Column("rejection_reason", String(40)),
    Column("released_on", Date),
    Column("withdrawal_reason", String(40)),
    Column("withdrawn_on", Date),
)

identities = Table(
    "identities", metadata,
    Column("participant_id", String(36), ForeignKey("participants.id"), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
    # The keyed hash of the BSN while the participant is in the chain, NULL once they have
    # left it: the unique constraint then allows one active participant per BSN.
    Column("active_bsn_index", String(64), unique=True),
)

personal_data_reads = Table(
    "personal_data_reads", metadata,
    Column("id", String(36), primary_key=True),
    Column("participant_id", String(36), nullable=False, index=True),
    Column("reader", String(120), nullable=False, index=True),
    Column("role", String(40), nullable=False),
    Column("organisation", String(160), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("read_at", UtcDateTime, nullable=False, index=True),
)

reliability_tables(metadata)

mapper_registry = registry(metadata=metadata)
mapper_registry.map_imperatively(Participant, participants)


class ParticipantRepository(Repository):
    entity = Participant

    def list(self, status=None, target_group=None, released_after=None, released_before=None,
             offset=0, limit=50):
        conditions = []
        if status is not None:
            conditions.append(Participant.status == status)
        if target_group is not None:
            conditions.append(Participant.target_group == target_group)
        if released_after is not None:
            conditions.append(Participant.expected_release_date >= released_after)
        if released_before is not None:
            conditions.append(Participant.expected_release_date <= released_before)
        return self.where(*conditions, order_by=(Participant.expected_release_date, Participant.id),
                          offset=offset, limit=limit)


class DuplicateParticipant(Conflict):
    def __init__(self, participant_id):
        super().__init__("a participant with this BSN is already in the chain",
                         details={"participant_id": participant_id} if participant_id else None)


class IdentityRepository:
    """Identities go in sealed and come out only through `reveal`, which callers audit."""

    def __init__(self, session, vault: IdentityVault):
        self.session = session
        self.vault = vault

    def add(self, participant_id, identity):
        index = self.vault.index(identity.bsn)
        existing = self._active_participant(index)
        if existing:
            raise DuplicateParticipant(existing)
        try:
            self.session.execute(insert(identities).values(
                participant_id=participant_id, sealed=self.vault.seal(identity),
                active_bsn_index=index))
        except IntegrityError:
            # Registered at this very moment by someone else, whose id this transaction
            # cannot see yet.
            raise DuplicateParticipant(None) from None

    def reveal(self, participant_id):
        sealed = self.session.scalar(
            select(identities.c.sealed).where(identities.c.participant_id == participant_id))
        if sealed is None:
            raise NotFound(f"no identity for participant {participant_id}")
        return self.vault.open(sealed)

    def retire(self, participant_id):
        """The participant left the chain: the BSN may be registered again."""
        self.session.execute(update(identities)
                             .where(identities.c.participant_id == participant_id)
                             .values(active_bsn_index=None))

    def _active_participant(self, index):
        return self.session.scalar(select(identities.c.participant_id)
                                   .where(identities.c.active_bsn_index == index))


class AuditLog:
    def __init__(self, session):
        self.session = session

    def add(self, read: PersonalDataRead):
        self.session.execute(insert(personal_data_reads).values(
            id=read.id, participant_id=read.participant_id, reader=read.reader, role=read.role,
            organisation=read.organisation, fields=list(read.fields), read_at=read.read_at))

    def reads(self, participant_id=None, reader=None, since=None, until=None, offset=0, limit=50):
        table = personal_data_reads
        query = select(table).order_by(table.c.read_at, table.c.id).offset(offset).limit(limit)
        for column, value in ((table.c.participant_id, participant_id), (table.c.reader, reader)):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(table.c.read_at >= since)
        if until is not None:
            query = query.where(table.c.read_at < until)
        return [PersonalDataRead(**{**row._mapping, "fields": tuple(row.fields)})
                for row in self.session.execute(query)]


class IntakeUnitOfWork(UnitOfWork):
    service = "intake"
    metadata = metadata

    vault = None

    @classmethod
    def resources(cls, config):
        return {"vault": IdentityVault.from_file(config["IDENTITY_KEYS_FILE"])}

    def _open(self, session):
        self.participants = ParticipantRepository(session)
        self.identities = IdentityRepository(session, self.vault)
        self.audit = AuditLog(session)
