"""Intake's own database: participants, their sealed identities, the audit log of reads of
personal data, and the outbox and inbox."""
from sqlalchemy import (JSON, BigInteger, Column, Date, Enum, ForeignKey, Integer, LargeBinary,
                        MetaData, String, Table, inspect, insert, select, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry

from services.intake.domain import (GENESIS, BasicCondition, Consent, Outcome, Participant,
                                    PersonalDataRead, Screening, Status, check_chain)
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

# The audit log of reads of personal data, a hash chain in order of position
# (domain.PersonalDataRead). It is a legal record: no erasure touches it.
audit_entries = Table(
    "audit_entries", metadata,
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=False),
    Column("id", String(36), nullable=False, unique=True),
    Column("participant_id", String(36), index=True),
    Column("reader", String(120), nullable=False, index=True),
    Column("role", String(40), nullable=False),
    Column("organisation", String(160), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("outcome", Enum(Outcome, native_enum=False, length=20,
                           values_callable=lambda kinds: [kind.value for kind in kinds]),
           nullable=False),
    Column("read_at", UtcDateTime, nullable=False, index=True),
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# The log's head: how many entries it has had and the hash of the last. Each append locks this
# row until its transaction ends, so appends go one after another and each follows the last
# committed; and a check finds entries missing at the end.
audit_head = Table(
    "audit_head", metadata,
    Column("log", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
AUDIT_LOG = "personal-data-reads"

reliability_tables(metadata)

mapper_registry = registry(metadata=metadata)
mapper_registry.map_imperatively(Participant, participants)


# Which services confirmed honouring a withdrawal of consent (their
# `<service>.participant_erased`), by the withdrawal's fact id.
erasure_receipts = Table(
    "erasure_receipts", metadata,
    Column("withdrawal_id", String(36), primary_key=True),
    Column("service", String(40), primary_key=True),
    Column("confirmed_at", UtcDateTime, nullable=False),
)


class ErasureReceipts:
    def __init__(self, session):
        self.session = session

    def add(self, withdrawal_id, service, confirmed_at):
        self.session.execute(insert(erasure_receipts).values(
            withdrawal_id=withdrawal_id, service=service, confirmed_at=confirmed_at))

    def of(self, withdrawal_id):
        """{service: confirmed at}."""
        return {row.service: row.confirmed_at for row in self.session.execute(
            select(erasure_receipts).where(erasure_receipts.c.withdrawal_id == withdrawal_id))}


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

    def append(self, *reads):
        """Add `reads` at the end of the chain, in this transaction.

        The head's row is updated first, and read as updated: on PostgreSQL its row lock makes
        a concurrent append wait until this transaction ends and then read the head as this
        one left it; on SQLite the update takes the database's only write lock
        (test_concurrent_reads_leave_one_unbroken_chain). Without a head, nothing is read."""
        if not reads:
            return
        head = audit_head
        last, previous = self.session.execute(
            update(head).where(head.c.log == AUDIT_LOG)
            .values(position=head.c.position + len(reads))
            .returning(head.c.position, head.c.hash)).one()
        entries = []
        for position, read in enumerate(reads, start=last - len(reads) + 1):
            entries.append(read.chained(position, previous))
            previous = entries[-1].hash
        self.session.execute(insert(audit_entries), [
            {**vars(entry), "fields": list(entry.fields)} for entry in entries])
        self.session.execute(update(head).where(head.c.log == AUDIT_LOG).values(hash=previous))

    def reads(self, participant_id=None, reader=None, since=None, until=None, offset=0, limit=50):
        table = audit_entries
        query = select(table).order_by(table.c.position).offset(offset).limit(limit)
        for column, value in ((table.c.participant_id, participant_id), (table.c.reader, reader)):
            if value is not None:
                query = query.where(column == value)
        if since is not None:
            query = query.where(table.c.read_at >= since)
        if until is not None:
            query = query.where(table.c.read_at < until)
        return [_entry(row) for row in self.session.execute(query)]

    def check(self):
        """The log checked from its first entry (domain.check_chain). The head is read first:
        what is appended after that is checked as far as it has come."""
        written = self._written()
        query = select(audit_entries).order_by(audit_entries.c.position)
        return check_chain((_entry(row) for row in self.session.execute(
            query.execution_options(yield_per=1000))), written)

    def start(self):
        """Give the log its head where it has none: at its last entry, or before the first;
        and chain in the reads logged before the log was a chain."""
        if self._written() is None:
            last = self.session.execute(
                select(audit_entries.c.position, audit_entries.c.hash)
                .order_by(audit_entries.c.position.desc()).limit(1)).first()
            position, hash = last or (0, GENESIS)
            self.session.execute(insert(audit_head).values(log=AUDIT_LOG, position=position,
                                                           hash=hash))
        self._chain_reads_from_before()

    def _written(self):
        return self.session.scalar(select(audit_head.c.position)
                                   .where(audit_head.c.log == AUDIT_LOG))

    def _chain_reads_from_before(self):
        """Reads logged before the log was a chain (in a database the first revision adopted,
        shared/migrations/baseline.py) join it at the end, oldest first, as the allowed reads
        they were, and their table goes (test_reads_logged_before_the_chain_join_it)."""
        if not inspect(self.session.connection()).has_table(_unchained_reads.name):
            return
        self.append(*[_entry(row) for row in self.session.execute(
            select(_unchained_reads).order_by(_unchained_reads.c.read_at,
                                              _unchained_reads.c.id))])
        _unchained_reads.drop(self.session.connection())


# The audit log's table before it was a chain.
_unchained_reads = Table(
    "personal_data_reads", MetaData(),
    Column("id", String(36)), Column("participant_id", String(36)),
    Column("reader", String(120)), Column("role", String(40)),
    Column("organisation", String(160)), Column("fields", JSON),
    Column("read_at", UtcDateTime),
)


def _entry(row):
    return PersonalDataRead(**{**row._mapping, "fields": tuple(row.fields)})


class IntakeUnitOfWork(UnitOfWork):
    service = "intake"
    metadata = metadata

    vault = None

    @classmethod
    def resources(cls, config):
        return {"vault": IdentityVault.from_file(config["IDENTITY_KEYS_FILE"])}

    @classmethod
    def prepare(cls, sessions, **resources):
        with sessions() as session:
            AuditLog(session).start()
            session.commit()

    def _open(self, session):
        self.participants = ParticipantRepository(session)
        self.identities = IdentityRepository(session, self.vault)
        self.audit = AuditLog(session)
        self.erasures = ErasureReceipts(session)
