"""SQLAlchemy plumbing each service's store builds on: engine, unit of work, outbox and inbox.

The outbox and inbox live in the service's own database, so that a state change, the facts it
produces and the record of the fact that caused it commit in one transaction. So do the
per-subject sequences a producer hands out and the place each consumer has reached in every
producer's sequence (docs/ordering.md); and the audit log of reads of personal data.
"""
import dataclasses
import enum
import hashlib
import json
import logging
import random
import time
import typing
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import (JSON, BigInteger, Column, DateTime, Enum, Integer, MetaData, String,
                        Table, Text, TypeDecorator, UniqueConstraint, create_engine, delete, event,
                        exists, func, insert, or_, select, text, update)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (DBAPIError, DisconnectionError, InterfaceError, OperationalError,
                            TimeoutError as PoolTimeout)
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from shared import clock
from shared.aggregate import Aggregate
from shared.audit import GENESIS, Outcome, PersonalDataRead, check_chain, pseudonym
from shared.contracts import contract_for
from shared.contracts.fields import passing_on
from shared.errors import NotFound
from shared.events import Event, new_event, source_for
from shared.retention import AUDIT_ENTRIES, HANDLED_FACT_IDS, PUBLISHED_FACTS, REQUEST_ANSWERS

log = logging.getLogger(__name__)


def reliability_tables(metadata: MetaData):
    """Declare the outbox and inbox tables in a service's metadata."""
    outbox = outbox_table(metadata, "outbox")
    inbox = Table(
        "inbox", metadata,
        Column("source", String(200), primary_key=True),
        Column("event_id", String(200), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    # Streams are named by a hash of source and subject, so that an erased participant's id
    # does not survive in them.
    Table(
        "subject_sequences", metadata,
        Column("stream", String(64), primary_key=True),
        Column("last", BigInteger, nullable=False),
    )
    Table(
        "subject_order", metadata,
        Column("stream", String(64), primary_key=True),
        Column("applied", BigInteger, nullable=False),
    )
    # What a write request with an Idempotency-Key did and answered, per caller and key.
    Table(
        "keyed_requests", metadata,
        Column("caller", String(200), primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("status", Integer),
        Column("answer", Text),
        Column("received_at", UtcDateTime, nullable=False, index=True),
    )
    return outbox, inbox


def outbox_table(metadata: MetaData, name, *route):
    """A table of facts to publish after commit (shared/relay.py), in the order recorded.
    `route`: columns that say where else each fact goes; without them, to the service's own
    exchange."""
    return Table(
        name, metadata,
        # An integer key keeps publishing in the order the facts were recorded.
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=not route),
        *route,
        Column("event_type", String(200), nullable=False),
        Column("subject", String(200), index=True),
        Column("envelope", JSON, nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), index=True),
        # A fact the broker refuses (a type its account may not publish yet, say) is tried
        # again after a pause, and set aside after OUTBOX_MAX_ATTEMPTS, so that it holds up
        # only the later facts about its own subject (shared/relay.py). A database made
        # before them gets them from the first revision (shared/migrations/baseline.py).
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", String(300)),
        Column("next_attempt_at", UtcDateTime),
        Column("set_aside_at", UtcDateTime),
        # A fact goes once to each destination.
        *([UniqueConstraint("event_id", *(column.name for column in route))] if route else []),
    )


def audit_tables(metadata: MetaData):
    """Declare the audit log of reads of personal data in a service's metadata: its entries,
    a hash chain in order of position (shared/audit.py PersonalDataRead), and its head. It is
    a legal record: no erasure touches it."""
    entries = Table(
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
    # The log's head: how many entries it has had and the hash of the last. Each append locks
    # this row until its transaction ends, so appends go one after another and each follows
    # the last committed; and a check finds entries missing at the end.
    head = Table(
        "audit_head", metadata,
        Column("log", String(40), primary_key=True),
        Column("position", BigInteger, nullable=False),
        Column("hash", String(64), nullable=False),
    )
    return entries, head


def make_engine(url):
    if url.startswith("postgresql"):
        # psycopg2 blocks every greenthread unless its wait callback is patched.
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()
        # A connection found dead is replaced before use; one that cannot be made in a few
        # seconds counts as the database being away (database_unavailable).
        return create_engine(url, pool_pre_ping=True, json_serializer=json.dumps,
                             connect_args={"connect_timeout": 5})
    engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record):
    # WAL lets readers go on while one writer commits; a lock wait inside sqlite3 would
    # block every greenthread, so transactions stay short and writers few.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Erased personal data must not linger in free pages of the file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class AlreadyHandled(Exception):
    """The inbox already holds this fact: handling it again must change nothing."""


class EarlyFact(Exception):
    """An ordered fact whose predecessor about the same subject is not applied yet: the
    consumer holds it back and offers it again (shared/consumer.py)."""


def stream_key(source, subject):
    return hashlib.sha256(f"{source}\n{subject}".encode()).hexdigest()


def dialect_insert(session, table):
    """An INSERT that can say what to do on a conflict, in the session's own dialect."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class UnitOfWork:
    """One business transaction: the repositories, the facts it records, the facts it handled.

    A service's subclass names its `service` and its `metadata` (which holds the `outbox` and
    `inbox` tables), and opens its repositories in `_open(session)`. What else it needs from the
    configuration (settings) it reads in `resources(config)`, and what it takes from the
    service's own providers (keys, senders: shared/database.py UnitsOfWork `uses`); those
    arrive here by keyword and become attributes, with class attributes as their defaults.
    """
    service: str
    metadata: MetaData
    outbox: Table
    inbox: Table
    # An operator's replay may move a consumer's place past numbers that never came.
    skip_gaps = False
    # Whether the audit log names participants by pseudonym: where their data is erased.
    audit_pseudonymous = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.outbox = cls.metadata.tables["outbox"]
        cls.inbox = cls.metadata.tables["inbox"]
        cls.sequences = cls.metadata.tables["subject_sequences"]
        cls.order = cls.metadata.tables["subject_order"]
        cls.keyed_requests = cls.metadata.tables["keyed_requests"]
        cls.audit_entries = cls.metadata.tables["audit_entries"]
        cls.audit_head = cls.metadata.tables["audit_head"]

    def __init__(self, sessions, on_commit=None, request=None, **resources):
        self._sessions = sessions
        self._on_commit = on_commit
        # A write request with an Idempotency-Key commits the key, its effects and its answer
        # together, so that the request sent again finds them done and gets the answer.
        self._request = request
        self._held = None  # the transaction of such a request, waiting for its answer
        self.session = None
        for name, value in resources.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} takes no resource {name!r}")
            setattr(self, name, value)

    def __enter__(self):
        if self._held is not None:  # a keyed request after its commit: still its transaction
            self.session = self._held
            return self
        self.session = self._sessions()
        self._recorded = False
        # Every aggregate the transaction loads or adds (new, or loaded by an earlier one),
        # whose facts go to the outbox when it commits. The session holds an entity without
        # unflushed changes only weakly: one a flush left unchanged and its caller let go of
        # would be lost before commit, and the facts it recorded with it
        # (test_facts_of_an_aggregate_let_go_of_are_published,
        # test_facts_of_an_aggregate_added_again_are_published).
        self._aggregates = []
        for moment in ("loaded_as_persistent", "transient_to_pending", "detached_to_persistent"):
            event.listen(self.session, moment, self._hold)
        self.audit = AuditLog(self.session, self.audit_entries, self.audit_head,
                              self.audit_pseudonymous)
        self._open(self.session)
        if self._request is not None:
            # The key first: a copy of the request sent meanwhile waits here until this one
            # ends, and then finds its answer (test_concurrent_requests_with_one_key_*).
            try:
                self.session.execute(insert(self.keyed_requests).values(
                    caller=self._request.caller, key=self._request.key,
                    fingerprint=self._request.fingerprint,
                    received_at=clock.now()))
            except Exception:  # no __exit__ follows a failed __enter__
                self.session.close()
                self.session = None
                raise
        return self

    def __exit__(self, *exc):
        # close() discards uncommitted work without expiring the loaded objects, which the
        # API still dumps after the unit of work ends.
        if self._held is None:
            self.session.close()
        self.session = None

    @classmethod
    def resources(cls, config):
        """What else the unit of work needs from the service's configuration, by keyword."""
        return {}

    @classmethod
    def warnings(cls, today):
        """What an operator should mend that does not stop the service working: logged at
        start and shown by GET /health, which stays healthy (placement's
        test_a_minimum_wage_missing_the_amounts_in_force_is_a_warning_not_a_fault)."""
        return []

    def _open(self, session):
        pass

    def commit(self):
        self._record_what_aggregates_recorded()
        # What fails before COMMIT certainly did not commit; only a connection lost during
        # COMMIT leaves the outcome unknown.
        self.session.flush()
        if self._request is not None:
            self._held = self.session  # commits with its answer: commit_with_answer
            return
        self._commit(self.session)

    @property
    def holds_commit(self):
        return self._held is not None

    def commit_with_answer(self, status, answer):
        """Commit a keyed request's effects with its answer, and forget expired keys; facts
        recorded since `commit` go with them
        (test_facts_recorded_before_a_keyed_answer_commits_are_published)."""
        session, self._held = self._held, None
        try:
            self.session = session
            self._record_what_aggregates_recorded()
            table = self.keyed_requests
            session.execute(update(table).where(
                table.c.caller == self._request.caller, table.c.key == self._request.key)
                .values(status=status, answer=answer))
            session.execute(delete(table).where(table.c.received_at < _keys_expire_before()))
            self._commit(session)
        finally:
            self.session = None
            session.close()

    def abandon(self):
        """A keyed request failed after its commit: none of it stays."""
        if self._held is not None:
            self._held.close()
            self._held = None

    def _commit(self, session):
        try:
            session.commit()
        except DBAPIError as exc:
            if database_unavailable(exc):
                raise OutcomeUnknown(f"connection lost while committing: {exc}") from exc
            raise
        if self._on_commit:
            self._on_commit(recorded=self._recorded)

    @classmethod
    def prepare(cls, sessions, **resources):
        """Bring derived data up to date when the service starts; `resources` are those of
        `resources(config)`. A subclass that does more calls this first: it gives the audit
        log its head."""
        with sessions() as session:
            AuditLog(session, cls.audit_entries, cls.audit_head).start()
            session.commit()

    def forget_facts_about(self, subject):
        """Erase the facts this service recorded about `subject`, published or not, and the
        answers to keyed requests that name it.

        The places in the subject's sequences stay: they hold a hash and a number, not the id,
        and without them the next fact about the subject (intake goes on publishing about a
        participant who withdrew one consent) would wait for numbers applied long ago, and the
        next one this service records would start again at 1, which its consumers would take
        for one they had applied."""
        self.session.execute(delete(self.outbox).where(self.outbox.c.subject == subject))
        self.session.execute(delete(self.keyed_requests).where(
            self.keyed_requests.c.answer.contains(subject, autoescape=True)))

    def forget_past_retention(self, cutoffs):
        """Delete what has passed its period (shared/retention.py, `cutoffs` by period):
        handled facts' ids, published facts, answers to keyed requests, and what the service's
        own `forget_own_past_retention` says; returns how many of each."""
        purged = {
            HANDLED_FACT_IDS: self.session.execute(delete(self.inbox).where(
                self.inbox.c.handled_at < cutoffs[HANDLED_FACT_IDS])).rowcount,
            PUBLISHED_FACTS: self.session.execute(delete(self.outbox).where(
                self.outbox.c.published_at < cutoffs[PUBLISHED_FACTS])).rowcount,
            REQUEST_ANSWERS: self.session.execute(delete(self.keyed_requests).where(
                self.keyed_requests.c.received_at < cutoffs[REQUEST_ANSWERS])).rowcount,
            AUDIT_ENTRIES: self.audit.forget_before(cutoffs[AUDIT_ENTRIES]),
        }
        own = self.forget_own_past_retention(cutoffs)
        return {period: purged.get(period, 0) + own.get(period, 0) for period in {**purged, **own}}

    def forget_own_past_retention(self, cutoffs):
        """A service's own data past its period, as {period: how many}."""
        return {}

    def confirm_erasure(self, withdrawal):
        """After honouring `withdrawal` (a participant.consent_withdrawn) by erasing what the
        service held for its purpose: erase the service's facts about the participant too, and
        record the receipt that says so (`<service>.participant_erased`, which intake
        collects); it names the withdrawal, not the participant."""
        self.forget_facts_about(withdrawal.data["participant_id"])
        self.record(f"{self.service}.participant_erased",
                    {"withdrawal_id": withdrawal.id, "purpose": withdrawal.data["purpose"]})

    def scrub(self):
        """After an erasure: make deleted rows unreadable on disk as well. SQLite keeps old
        pages in its write-ahead log until a checkpoint, PostgreSQL keeps dead rows until a
        vacuum."""
        with self._sessions() as session:
            engine = session.get_bind()
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            elif engine.dialect.name == "postgresql":
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
                for table in self.metadata.sorted_tables:
                    connection.exec_driver_sql(f'VACUUM "{table.name}"')

    def record(self, event_type, data, subject=None, event_id=None):
        """Record a fact to be published after commit; returns the minted event.

        An ordered fact takes the next number of its subject's sequence. The upsert locks the
        subject's counter until commit, so of two transactions about one subject the one that
        takes the lower number also commits first (test_sequence_numbers_follow_commit_order).
        """
        sequence = None
        if contract_for(event_type).ordered:
            if subject is None:
                raise ValueError(f"{event_type} is ordered per subject: it needs a subject")
            table = self.sequences
            sequence = self.session.execute(
                dialect_insert(self.session, table)
                .values(stream=stream_key(source_for(self.service), subject), last=1)
                .on_conflict_do_update(index_elements=[table.c.stream],
                                       set_={"last": table.c.last + 1})
                .returning(table.c.last)).scalar_one()
        fact = new_event(self.service, event_type, data, subject=subject, sequence=sequence,
                         event_id=event_id)
        self.session.execute(insert(self.outbox).values(
            event_id=fact.id, event_type=fact.type, subject=fact.subject, envelope=fact.to_json()))
        self._recorded = True
        return fact

    def _hold(self, session, entity):
        if isinstance(entity, Aggregate):
            self._aggregates.append(entity)

    def _record_what_aggregates_recorded(self):
        """The facts the transaction's aggregates recorded, into the outbox, in the order they
        were recorded (test_facts_aggregates_record_are_published_in_the_order_recorded)."""
        facts = sorted((fact for entity in self._aggregates for fact in entity.take_facts()),
                       key=lambda fact: fact._order)
        for fact in facts:
            self.record(fact.type, fact.data(), subject=fact.subject, event_id=fact.fact_id)

    def handle_once(self, fact: Event):
        """Note in this transaction that `fact` is handled; raises AlreadyHandled if it was."""
        seen = self.session.execute(select(self.inbox.c.event_id).where(
            self.inbox.c.source == fact.source, self.inbox.c.event_id == fact.id)).first()
        if seen:
            raise AlreadyHandled(fact.key)
        self.session.execute(insert(self.inbox).values(
            source=fact.source, event_id=fact.id, event_type=fact.type))

    def take_turn(self, fact: Event):
        """In this transaction: is `fact` the next of its producer's sequence about its
        subject? Locks the consumer's place in that sequence until commit, so that facts about
        one subject are applied one at a time, in order, by any number of workers and
        instances. Raises AlreadyHandled for a fact at or before that place (a redelivery or a
        replay), EarlyFact for one that must wait for its predecessor."""
        if fact.sequence is None or fact.subject is None:
            return
        table, stream = self.order, stream_key(fact.source, fact.subject)
        self.session.execute(dialect_insert(self.session, table).values(stream=stream, applied=0)
                             .on_conflict_do_nothing(index_elements=[table.c.stream]))
        applied = self.session.scalar(select(table.c.applied).where(table.c.stream == stream)
                                      .with_for_update())
        if fact.sequence <= applied:
            raise AlreadyHandled(fact.key)
        if fact.sequence > applied + 1:
            if not self.skip_gaps:
                raise EarlyFact(f"{fact.type} is number {fact.sequence} of its subject's facts "
                                f"from {fact.source}; number {applied + 1} is not applied yet")
            log.warning("%s: skipping numbers %d to %d of a stream from %s, as the operator's "
                        "replay asks", fact.id, applied + 1, fact.sequence - 1, fact.source)
        self.session.execute(update(table).where(table.c.stream == stream)
                             .values(applied=fact.sequence))

    @contextmanager
    def lease(self, name):
        """Whether this instance holds the lease `name` (a timer's, say) while the block runs.
        On PostgreSQL a session advisory lock: one holder across every instance on the
        database, given up when the block ends or its connection dies. SQLite serves a single
        instance, which always holds it."""
        with self._sessions() as session:
            engine = session.get_bind()
        if engine.dialect.name != "postgresql":
            yield True
            return
        key = _lock_key(self.service, name)
        with engine.connect() as connection:
            held = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield held
            finally:
                if held:
                    _unlock(connection, key)

    def outbox_state(self, outbox=None):
        """How many facts wait to be published, when the last one was recorded, and how many
        were set aside because they could not be published, with the oldest of those: of the
        service's outbox, or of another `outbox` table of its own."""
        outbox = self.outbox if outbox is None else outbox
        backlog = self.session.scalar(select(func.count()).select_from(outbox)
                                      .where(outbox.c.published_at.is_(None)))
        last = self.session.scalar(select(func.max(outbox.c.recorded_at)))
        set_aside = outbox.c.set_aside_at.is_not(None)
        count = self.session.scalar(select(func.count()).select_from(outbox).where(set_aside))
        oldest = self.session.execute(
            select(outbox.c.event_type, outbox.c.recorded_at, outbox.c.set_aside_at,
                   outbox.c.attempts, outbox.c.last_error)
            .where(set_aside).order_by(outbox.c.seq).limit(1)).first()
        return {"outbox_backlog": backlog, "last_event_recorded_at": last,
                "outbox_set_aside": count, "oldest_set_aside": oldest and oldest._asdict()}

    def schema_revision(self):
        """The revision `doorstroom migrate` brought the database to (shared/migrations)."""
        return self.session.scalar(text("SELECT version_num FROM alembic_version"))

    def retry_set_aside(self):
        """Give the facts that could not be published fresh attempts, due now (after the
        operator mended the cause); returns how many. The relay is woken on commit."""
        retried = retry_failed(self.session, self.outbox)
        self._recorded = bool(retried)
        return retried

    def published_facts(self, subject=None, limit=500):
        query = select(self.outbox.c.envelope).order_by(self.outbox.c.seq).limit(limit)
        if subject is not None:
            query = query.where(self.outbox.c.subject == subject)
        return [row.envelope for row in self.session.execute(query)]


# The worker context's keys for the KeyedRequest being served, the unit of work serving it,
# and whether the worker committed anything yet.
KEYED_REQUEST = "keyed_request"
KEYED_WORK = "keyed_work"
COMMITTED = "committed"


@dataclass(frozen=True)
class KeyedRequest:
    """A write request that carries an Idempotency-Key: who sent it, the key, and a keyed
    hash of what it asked (method, path and body)."""
    caller: str
    key: str
    fingerprint: str


# How long a keyed request's answer is kept: the draft standard's window in which a client may
# send the request again.
KEYED_ANSWERS_KEPT_FOR = timedelta(days=REQUEST_ANSWERS.days)


def _keys_expire_before():
    return clock.now() - KEYED_ANSWERS_KEPT_FOR


class KeyedRequests:
    """The keyed requests a service carried out, with their answers."""

    def __init__(self, sessions, table):
        self.sessions = sessions
        self.table = table

    def earlier(self, request):
        """The row of an earlier request with this caller and key, kept for a day, or None."""
        with self.sessions() as session:
            return session.execute(select(self.table).where(
                self.table.c.caller == request.caller, self.table.c.key == request.key,
                self.table.c.received_at >= _keys_expire_before())).first()


def _lock_key(service, name):
    return int.from_bytes(hashlib.sha256(f"{service}:{name}".encode()).digest()[:8], "big",
                          signed=True)


def _unlock(connection, key):
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        connection.commit()
    except DBAPIError:
        # The connection is gone and the lock with it; should it live on, it must not go back
        # to the pool still holding the lock.
        log.warning("advisory lock %s lost with its connection", key)
        connection.invalidate()


@contextmanager
def one_instance_at_a_time(engine, service, name):
    """Instances of a service that start together do `name` (create the tables, say) one
    after another: a blocking advisory lock on PostgreSQL; SQLite has one instance."""
    if engine.dialect.name != "postgresql":
        yield
        return
    key = _lock_key(service, name)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield
        finally:
            _unlock(connection, key)


class Page(list):
    """One page of a list endpoint's answer, knowing how many items match in all: the answer
    says so in its `X-Total-Count` header (shared/tests/test_paging.py)."""

    def __init__(self, items, total):
        super().__init__(items)
        self.total = total


class Repository:
    """Loads and adds one kind of entity; `get` of an unknown key raises NotFound."""
    entity = None

    def __init__(self, session):
        self.session = session

    def add(self, item):
        self.session.add(item)

    def find(self, key, lock=False):
        """The entity, or None; with `lock`, its row stays locked until the transaction ends,
        so that two concurrent changes of it go one after the other and neither is lost."""
        return self.session.get(self.entity, key, with_for_update=lock or None,
                                populate_existing=lock)

    def get(self, key, lock=False):
        item = self.find(key, lock)
        if item is None:
            raise NotFound(f"no {self.entity.__name__.lower()} {key}")
        return item

    def where(self, *conditions, order_by=(), offset=0, limit=None, lock=False):
        """Entities that meet `conditions`; with `lock`, their rows stay locked until the
        transaction ends, and a row another transaction changed meanwhile is read as it is
        now."""
        query = select(self.entity).where(*conditions).order_by(*order_by).offset(offset)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return list(self.session.scalars(query if limit is None else query.limit(limit)))

    def page(self, *conditions, order_by, offset, limit):
        """One page of the entities that meet `conditions`, with how many do in all."""
        total = self.session.scalar(select(func.count()).select_from(self.entity)
                                    .where(*conditions))
        return Page(self.where(*conditions, order_by=order_by, offset=offset, limit=limit),
                    total)


class AuditLog:
    """The service's audit log of reads of personal data (audit_tables), in the session's
    transaction."""
    NAME = "personal-data-reads"  # the head's key
    # The key of the row that names the last entry purged after its legal term.
    PURGED = "personal-data-reads:purged"

    def __init__(self, session, entries, head, pseudonymous=True):
        self.session = session
        self.entries = entries
        self.head = head
        # Whether participants are named by their pseudonym (shared/audit.py pseudonym).
        self.name = pseudonym if pseudonymous else (lambda participant_id: participant_id)

    def append(self, *reads):
        """Add `reads` (shared/audit.py PersonalDataRead) at the end of the chain, in this
        transaction.

        The head's row is updated first, and read as updated: on PostgreSQL its row lock makes
        a concurrent append wait until this transaction ends and then read the head as this
        one left it; on SQLite the update takes the database's only write lock
        (services/intake/tests/test_scale_out.py::test_concurrent_reads_leave_one_unbroken_chain).
        Without a head, nothing is read."""
        if not reads:
            return
        head = self.head
        last, previous = self.session.execute(
            update(head).where(head.c.log == self.NAME)
            .values(position=head.c.position + len(reads))
            .returning(head.c.position, head.c.hash)).one()
        entries = []
        for position, read in enumerate(reads, start=last - len(reads) + 1):
            read = replace(read, participant_id=self.name(read.participant_id))
            entries.append(read.chained(position, previous))
            previous = entries[-1].hash
        self.session.execute(insert(self.entries), [
            {**vars(entry), "fields": list(entry.fields)} for entry in entries])
        self.session.execute(update(head).where(head.c.log == self.NAME).values(hash=previous))

    def reads(self, participant_id=None, reader=None, since=None, until=None, offset=0, limit=50):
        table = self.entries
        conditions = [column == value for column, value in (
            (table.c.participant_id, self.name(participant_id)), (table.c.reader, reader))
            if value is not None]
        if since is not None:
            conditions.append(table.c.read_at >= since)
        if until is not None:
            conditions.append(table.c.read_at < until)
        query = select(table).where(*conditions).order_by(table.c.position)
        return Page([audit_entry(row) for row in self.session.execute(
            query.offset(offset).limit(limit))],
            self.session.scalar(select(func.count()).select_from(table).where(*conditions)))

    def check(self):
        """The log checked from its first entry (shared/audit.py check_chain). The head is read
        first: what is appended after that is checked as far as it has come."""
        written, start = self._written(), self._purged()
        query = select(self.entries).order_by(self.entries.c.position)
        return check_chain((audit_entry(row) for row in self.session.execute(
            query.execution_options(yield_per=1000))), written, start)

    def forget_before(self, moment):
        """Delete the entries up to the last one read before `moment`, noting its position and
        hash so that the chain is checked from there (test_audit_entries_past_their_term_go_
        and_the_chain_still_checks); returns how many went."""
        last = self.session.execute(
            select(self.entries.c.position, self.entries.c.hash)
            .where(self.entries.c.read_at < moment)
            .order_by(self.entries.c.position.desc()).limit(1)).first()
        if last is None:
            return 0
        purged = self.session.execute(delete(self.entries).where(
            self.entries.c.position <= last.position)).rowcount
        noted = update(self.head).where(self.head.c.log == self.PURGED)
        if not self.session.execute(noted.values(position=last.position,
                                                 hash=last.hash)).rowcount:
            self.session.execute(insert(self.head).values(log=self.PURGED,
                                                          position=last.position, hash=last.hash))
        return purged

    def _purged(self):
        row = self.session.execute(select(self.head.c.position, self.head.c.hash)
                                   .where(self.head.c.log == self.PURGED)).first()
        return (row.position, row.hash) if row else (0, GENESIS)

    def start(self):
        """Give the log its head where it has none: at its last entry, or before the first."""
        if self._written() is None:
            last = self.session.execute(
                select(self.entries.c.position, self.entries.c.hash)
                .order_by(self.entries.c.position.desc()).limit(1)).first()
            position, hash = last or (0, GENESIS)
            self.session.execute(insert(self.head).values(log=self.NAME, position=position,
                                                          hash=hash))

    def _written(self):
        return self.session.scalar(select(self.head.c.position)
                                   .where(self.head.c.log == self.NAME))


def audit_entry(row):
    """An audit log's row (or one of the same columns) as its entry."""
    return PersonalDataRead(**{**row._mapping, "fields": tuple(row.fields)})


def change_locked(repository, uow, key, change):
    """Load the aggregate `key` of the unit of work's `repository` (its name) with a lock,
    apply `change` (whose facts the aggregate records) and commit as one; returns the
    aggregate. A use case that changes one aggregate by its key is this with its change."""
    with uow:
        aggregate = getattr(uow, repository).get(key, lock=True)
        change(aggregate)
        uow.commit()
    return aggregate


def handle_fact(uow, fact, apply):
    """Apply `fact` once, and in its producer's order: effects, new facts, the inbox record and
    the consumer's place in the sequence commit together.

    A concurrent duplicate loses the race on the inbox's primary key; the transaction is run
    again and then finds the fact handled and does nothing.
    """
    def transaction():
        with uow:
            try:
                uow.take_turn(fact)
                uow.handle_once(fact)
            except AlreadyHandled:
                return False
            # A code the fact brought that this release does not know may be passed on in
            # the facts it leads to (placement.planned names the accepted match's occupation),
            # recorded at the latest when it commits.
            with passing_on(code for _, code in fact.unknown_codes):
                apply(uow)
                uow.commit()
            return True
    return retry_transaction(transaction)


def erase_on_withdrawal(uow, withdrawal, purpose, erase):
    """Honour a `participant.consent_withdrawn` for `purpose`, once and in intake's order:
    `erase(uow, participant_id)` what the service holds for it, then its facts about the
    participant, with the receipt that says so (UnitOfWork.confirm_erasure), in one
    transaction; then make the deleted rows unreadable on disk. A withdrawal for another
    purpose erases nothing (tests/test_erasure_postgresql.py)."""
    applies = withdrawal.data["purpose"] == purpose

    def honour(uow):
        if applies:
            erase(uow, withdrawal.data["participant_id"])
            uow.confirm_erasure(withdrawal)
    if handle_fact(uow, withdrawal, honour) and applies:
        uow.scrub()
        # The fact's id, not the participant's: the log must not become a trace either.
        log.info("%s erased what it held for %s on consent withdrawal (fact %s)",
                 uow.service, purpose, withdrawal.id)


def keep_order(uow, fact):
    """A fact followed only for its place in the producer's order: it changes nothing here,
    but its successors must not wait for it in vain."""
    return handle_fact(uow, fact, lambda uow: None)


# PostgreSQL's unique violation, serialisation failure and deadlock; SQLite's unique violation.
RACE_CODES = {"23505", "40001", "40P01", "SQLITE_CONSTRAINT_UNIQUE",
              "SQLITE_CONSTRAINT_PRIMARYKEY"}
RACE_ATTEMPTS = 8
# PostgreSQL shutting down, starting up, refusing more connections, or a stand-by after a
# fail-over that the connection still reaches; SQLite's file is locked for longer than its busy
# timeout.
UNAVAILABLE_CODES = {"57P01", "57P02", "57P03", "53300", "25006", "SQLITE_BUSY",
                     "SQLITE_LOCKED"}
# Connection failures psycopg2 gives no code that no waiting mends: a configuration fault.
MISCONFIGURED = ("password authentication failed", "does not exist", "no pg_hba.conf entry")
# Pauses before running a transaction again while its database is away: some 4 s in all (and
# no new attempt after that long, however slow each was), about as long as a client waits for
# an answer; longer outages answer 503.
OUTAGE_PAUSES = (0.1, 0.3, 0.6, 1.0, 2.0)
# Each pause is stretched or shrunk by a random factor in this range.
OUTAGE_JITTER = (0.5, 1.5)


class OutcomeUnknown(Exception):
    """The connection was lost while the transaction committed: it may have committed or not."""


def _error_code(exc):
    origin = exc.orig
    return getattr(origin, "pgcode", None) or getattr(origin, "sqlite_errorname", None)


def lost_a_race(exc):
    """Whether `exc` says a concurrent transaction got there first: run it again and it sees
    what the other one did."""
    if isinstance(exc, StaleDataError):
        return True
    return isinstance(exc, DBAPIError) and _error_code(exc) in RACE_CODES


def database_unavailable(exc):
    """Whether `exc` says the database is away for now (lost connection, restart, fail-over,
    no free connection) rather than that the transaction is wrong."""
    if isinstance(exc, (OutcomeUnknown, PoolTimeout, DisconnectionError)):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    code = _error_code(exc)
    if code is None:  # psycopg2 gives connection failures no code
        return isinstance(exc, (OperationalError, InterfaceError)) and not any(
            fault in str(exc.orig) for fault in MISCONFIGURED)
    return code.startswith("08") or code in UNAVAILABLE_CODES


def retry_transaction(transaction, rerun_uncertain=True):
    """Run `transaction` (which rolls back on any error) again while it fails for a passing
    reason: at once, a few times, while it loses races; with growing pauses while its database
    is away. A commit whose outcome is unknown is run again only where `rerun_uncertain`: a
    fact's handler (its inbox notices the first run) or a request with an Idempotency-Key.
    shared/tests/test_database_faults.py causes each of these faults."""
    races = outages = 0
    started = time.monotonic()
    while True:
        try:
            return transaction()
        except Exception as exc:
            if lost_a_race(exc) and races < RACE_ATTEMPTS - 1:
                races += 1
                log.info("transaction lost a race (%s); running it again", exc.__class__.__name__)
                time.sleep(random.uniform(0, 0.02 * races))
            elif database_unavailable(exc) and outages < len(OUTAGE_PAUSES) and (
                    time.monotonic() - started < sum(OUTAGE_PAUSES)) and (
                    rerun_uncertain or not isinstance(exc, OutcomeUnknown)):
                # Spread out, so that what failed together does not come back together.
                pause = OUTAGE_PAUSES[outages] * random.uniform(*OUTAGE_JITTER)
                log.warning("database unavailable (%s); running the transaction again in %.2f s",
                            first_line(exc), pause)
                time.sleep(pause)
                outages += 1
            else:
                raise


def first_line(exc):
    return f"{exc.__class__.__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def claim_unpublished(session, outbox, now, limit=50):
    """Facts not yet published, oldest first, locked until the transaction ends. Rows another
    instance's relay has claimed are skipped rather than waited for, so every fact goes out
    once however many relays run (test_two_relays_publish_every_fact_once).

    Left out: a fact set aside, one whose next attempt is not due yet, and every fact about a
    subject whose earlier fact failed to go out: it waits its turn, so that consumers are not
    left holding it for a predecessor that may never come
    (test_a_refused_fact_holds_up_its_own_subject_only)."""
    earlier = outbox.alias("earlier")
    held_up = exists().where(earlier.c.subject == outbox.c.subject,
                             earlier.c.seq < outbox.c.seq, earlier.c.published_at.is_(None),
                             earlier.c.attempts > 0)
    return session.execute(
        select(outbox)
        .where(outbox.c.published_at.is_(None), outbox.c.set_aside_at.is_(None),
               or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
               ~held_up)
        .order_by(outbox.c.seq).limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def mark_published(session, outbox, seqs):
    session.execute(update(outbox).where(outbox.c.seq.in_(seqs)).values(published_at=func.now()))


def mark_failed(session, outbox, seq, attempts, error, next_attempt_at=None, set_aside_at=None):
    """Note a failed attempt to publish a fact: when to try again, or that it is set aside."""
    session.execute(update(outbox).where(outbox.c.seq == seq).values(
        attempts=attempts, last_error=error[:300], next_attempt_at=next_attempt_at,
        set_aside_at=set_aside_at))


def retry_failed(session, outbox):
    """Give every fact that failed to go out (set aside or waiting for its next attempt) fresh
    attempts, due now; returns how many."""
    return session.execute(
        update(outbox).where(outbox.c.published_at.is_(None), outbox.c.attempts > 0)
        .values(attempts=0, last_error=None, next_attempt_at=None, set_aside_at=None)).rowcount


def session_factory(engine):
    return sessionmaker(bind=engine, expire_on_commit=False)


def ping(session):
    session.execute(select(1))


class UtcDateTime(TypeDecorator):
    """A moment, stored in UTC and read back with its offset, on every database (SQLite keeps
    no offset of its own)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError(f"a moment needs its offset: {value!r}")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None:
            value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None \
                else value.astimezone(timezone.utc)
        return value


class ValueObjects(TypeDecorator):
    """A frozen dataclass (or a list of them) kept in one JSON column.

    Entities replace such values rather than mutate them, so the ORM sees every change.
    """
    impl = JSON
    cache_ok = True

    def __init__(self, value_class, many=False):
        super().__init__()
        self.value_class = value_class
        self.many = many

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if self.many:
            return [_to_json(v) for v in value]
        return _to_json(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if self.many:
            return [_from_json(self.value_class, v) for v in value]
        return _from_json(self.value_class, value)


def _to_json(value):
    return {f.name: _json_scalar(getattr(value, f.name)) for f in dataclasses.fields(value)}


def _json_scalar(value):
    if dataclasses.is_dataclass(value):
        return _to_json(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return list(value)
    return value


_PARSERS = {date: date.fromisoformat, datetime: datetime.fromisoformat, tuple: tuple}


def _from_json(value_class, data):
    types = typing.get_type_hints(value_class)
    return value_class(**{name: _parse(types[name], raw) for name, raw in data.items()
                          if name in types})


def _parse(kind, raw):
    if raw is None:
        return None
    # `X | None` is parsed as X.
    kind = next((k for k in typing.get_args(kind) if k is not type(None)), kind)
    if dataclasses.is_dataclass(kind):
        return _from_json(kind, raw)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(raw)
    parse = _PARSERS.get(kind)
    return parse(raw) if parse else raw
