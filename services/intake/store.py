"""Intake's own database: participants, their sealed identities, the audit log of reads of
personal data, and the outbox and inbox."""
from sqlalchemy import (JSON, Column, Date, Enum, ForeignKey, LargeBinary, MetaData, String,
                        Table, delete, exists, inspect, insert, select, update)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import registry

from services.intake.domain import BasicCondition, Consent, Participant, Screening, Status
from services.intake.vault import IdentityVault
from shared.errors import Conflict, Invalid, NotFound
from shared.retention import JOURNEYS
from shared.store import (AuditLog, Repository, UnitOfWork, UtcDateTime, ValueObjects,
                          audit_entry, audit_tables, reliability_tables)
from shared.web.store import web_tables

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

# The keyed hash of each word of a participant's name (services/intake/vault.py name_index), by
# which a case manager finds them.
name_index = Table(
    "name_index", metadata,
    Column("participant_id", String(36), ForeignKey("identities.participant_id"),
           primary_key=True),
    Column("word", String(64), primary_key=True, index=True),
)

# The audit log of reads of personal data (shared/store.py audit_tables).
audit_entries, audit_head = audit_tables(metadata)

reliability_tables(metadata)
# Who is signed in to the pages (shared/web/store.py).
web_tables(metadata)

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


# What the other services told the PI of its participants, as the policy lets the PI hear it
# (shared/contracts/policy.py): each fact once, with its data as it came.
journeys = Table(
    "journeys", metadata,
    Column("fact_id", String(64), primary_key=True),
    Column("source", String(120), primary_key=True),
    Column("participant_id", String(36), ForeignKey("participants.id"), nullable=False,
           index=True),
    Column("type", String(80), nullable=False),
    Column("happened_at", UtcDateTime, nullable=False, index=True),
    Column("data", JSON, nullable=False),
)


class Journeys:
    def __init__(self, session):
        self.session = session

    def add(self, fact, happened_at):
        """Note `fact` in its participant's journey, if the participant is one of ours."""
        participant_id = fact.data["participant_id"]
        if self.session.scalar(select(exists().where(participants.c.id == participant_id))):
            self.session.execute(insert(journeys).values(
                fact_id=fact.id, source=fact.source, participant_id=participant_id,
                type=fact.type, happened_at=happened_at, data=fact.to_json()["data"]))

    def of(self, participant_id):
        """The participant's facts from elsewhere, oldest first."""
        return list(self.session.execute(
            select(journeys.c.type, journeys.c.source, journeys.c.happened_at, journeys.c.data)
            .where(journeys.c.participant_id == participant_id)
            .order_by(journeys.c.happened_at, journeys.c.fact_id)))

    def forget_before(self, moment):
        return self.session.execute(
            delete(journeys).where(journeys.c.happened_at < moment)).rowcount


class ParticipantRepository(Repository):
    entity = Participant

    def list(self, offset=0, limit=50, order="release-date", **query):
        """A page of the participants that match `query` (_matching), by expected release
        date: soonest first, or with `order` "-release-date" latest first."""
        by_date = Participant.expected_release_date
        return self.page(*_matching(**query), order_by=(
            by_date.desc() if order == "-release-date" else by_date, Participant.id),
            offset=offset, limit=limit)

    def ids(self, **query):
        """The ids of all the participants that match `query`, on every page."""
        return list(self.session.scalars(select(Participant.id).where(*_matching(**query))))


def _matching(status=None, target_group=None, municipality=None, institution=None,
              released_after=None, released_before=None, among=None):
    """The conditions of a participant query; `among` is a query of the ids to choose from
    (IdentityRepository.search)."""
    conditions = [column == value for column, value in (
        (Participant.status, status), (Participant.target_group, target_group),
        (Participant.municipality, municipality), (Participant.institution, institution))
        if value is not None]
    if among is not None:
        conditions.append(Participant.id.in_(among))
    if released_after is not None:
        conditions.append(Participant.expected_release_date >= released_after)
    if released_before is not None:
        conditions.append(Participant.expected_release_date <= released_before)
    return conditions


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
        # The identity's row names the participant's, which the session has not written yet.
        self.session.flush()
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
        self._index_name(participant_id, identity.name)

    def search(self, name=None, bsn=None):
        """A query of the ids of the participants with every word of `name` in their name
        and, while they are in the chain, this BSN."""
        query = select(identities.c.participant_id)
        if bsn is not None:
            query = query.where(identities.c.active_bsn_index == self.vault.index(bsn))
        words = self.vault.name_index(name or "")
        if name is not None and not words:
            raise Invalid("name", "give at least one word of the name, in letters or digits")
        for word in words:
            query = query.where(exists().where(
                name_index.c.participant_id == identities.c.participant_id,
                name_index.c.word == word))
        return query

    def index_names(self):
        """Index the names of identities sealed before names were indexed."""
        for participant_id, sealed in self.session.execute(
                select(identities.c.participant_id, identities.c.sealed).where(~exists().where(
                    name_index.c.participant_id == identities.c.participant_id))):
            self._index_name(participant_id, self.vault.open(sealed).name)

    def _index_name(self, participant_id, name):
        words = self.vault.name_index(name)
        if words:
            self.session.execute(insert(name_index), [
                {"participant_id": participant_id, "word": word} for word in words])

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


def chain_reads_from_before(session, audit):
    """Reads logged before the log was a chain (in a database the first revision adopted,
    shared/migrations/baseline.py) join it at the end, oldest first, as the allowed reads they
    were, and their table goes (test_reads_logged_before_the_chain_join_it)."""
    if not inspect(session.connection()).has_table(_unchained_reads.name):
        return
    audit.append(*[audit_entry(row) for row in session.execute(
        select(_unchained_reads).order_by(_unchained_reads.c.read_at, _unchained_reads.c.id))])
    _unchained_reads.drop(session.connection())


# The audit log's table before it was a chain.
_unchained_reads = Table(
    "personal_data_reads", MetaData(),
    Column("id", String(36)), Column("participant_id", String(36)),
    Column("reader", String(120)), Column("role", String(40)),
    Column("organisation", String(160)), Column("fields", JSON),
    Column("read_at", UtcDateTime),
)


class IntakeUnitOfWork(UnitOfWork):
    service = "intake"
    metadata = metadata
    # Intake is where participants are known; its log names them by their id.
    audit_pseudonymous = False

    vault = None

    @classmethod
    def prepare(cls, sessions, **resources):
        super().prepare(sessions, **resources)
        with sessions() as session:
            chain_reads_from_before(session, AuditLog(session, audit_entries, audit_head,
                                                      cls.audit_pseudonymous))
            IdentityRepository(session, resources["vault"]).index_names()
            session.commit()

    def _open(self, session):
        self.participants = ParticipantRepository(session)
        self.identities = IdentityRepository(session, self.vault)
        self.erasures = ErasureReceipts(session)
        self.journeys = Journeys(session)

    def forget_own_past_retention(self, cutoffs):
        return {JOURNEYS: self.journeys.forget_before(cutoffs[JOURNEYS])}
