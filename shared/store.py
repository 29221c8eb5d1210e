"""SQLAlchemy plumbing each service's store builds on: engine, unit of work, outbox and inbox.

The outbox and inbox live in the service's own database, so that a state change, the facts it
produces and the record of the fact that caused it commit in one transaction.
"""
import dataclasses
import enum
import json
import typing
from datetime import date, datetime, timezone

from sqlalchemy import (JSON, BigInteger, Column, DateTime, Integer, MetaData, String, Table,
                        TypeDecorator, create_engine, delete, event, func, insert, select,
                        update)
from sqlalchemy.orm import sessionmaker

from shared.errors import NotFound
from shared.events import Event, new_event


def reliability_tables(metadata: MetaData):
    """Declare the outbox and inbox tables in a service's metadata."""
    outbox = Table(
        "outbox", metadata,
        # An integer key keeps publishing in the order the facts were recorded.
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("subject", String(200), index=True),
        Column("envelope", JSON, nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), index=True),
    )
    inbox = Table(
        "inbox", metadata,
        Column("source", String(200), primary_key=True),
        Column("event_id", String(200), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    return outbox, inbox


def make_engine(url):
    if url.startswith("postgresql"):
        # psycopg2 blocks every greenthread unless its wait callback is patched.
        from psycogreen.eventlet import patch_psycopg
        patch_psycopg()
        return create_engine(url, pool_pre_ping=True, json_serializer=json.dumps)
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


class UnitOfWork:
    """One business transaction: the repositories, the facts it records, the facts it handled.

    A service's subclass names its `service` and its `metadata` (which holds the `outbox` and
    `inbox` tables), and opens its repositories in `_open(session)`. What else it needs from the
    configuration (keys, settings) it reads in `resources(config)`; those arrive here by
    keyword and become attributes, with class attributes as their defaults.
    """
    service: str
    metadata: MetaData
    outbox: Table
    inbox: Table

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.outbox = cls.metadata.tables["outbox"]
        cls.inbox = cls.metadata.tables["inbox"]

    def __init__(self, sessions, on_commit=None, **resources):
        self._sessions = sessions
        self._on_commit = on_commit
        self.session = None
        for name, value in resources.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} takes no resource {name!r}")
            setattr(self, name, value)

    def __enter__(self):
        self.session = self._sessions()
        self._recorded = False
        self._open(self.session)
        return self

    def __exit__(self, *exc):
        # close() discards uncommitted work without expiring the loaded objects, which the
        # API still dumps after the unit of work ends.
        self.session.close()
        self.session = None

    @classmethod
    def resources(cls, config):
        """What else the unit of work needs from the service's configuration, by keyword."""
        return {}

    def _open(self, session):
        pass

    def commit(self):
        self.session.commit()
        if self._recorded and self._on_commit:
            self._on_commit()

    @classmethod
    def prepare(cls, sessions):
        """Bring derived data up to date when the service starts."""

    def forget_facts_about(self, subject):
        """Erase the facts this service recorded about `subject`, published or not."""
        self.session.execute(delete(self.outbox).where(self.outbox.c.subject == subject))

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

    def record(self, event_type, data, subject=None):
        """Record a fact to be published after commit; returns the minted event."""
        fact = new_event(self.service, event_type, data, subject=subject)
        self.session.execute(insert(self.outbox).values(
            event_id=fact.id, event_type=fact.type, subject=fact.subject, envelope=fact.to_json()))
        self._recorded = True
        return fact

    def handle_once(self, fact: Event):
        """Note in this transaction that `fact` is handled; raises AlreadyHandled if it was."""
        seen = self.session.execute(select(self.inbox.c.event_id).where(
            self.inbox.c.source == fact.source, self.inbox.c.event_id == fact.id)).first()
        if seen:
            raise AlreadyHandled(fact.key)
        self.session.execute(insert(self.inbox).values(
            source=fact.source, event_id=fact.id, event_type=fact.type))

    def outbox_state(self):
        """How many facts wait to be published, and when the last one was recorded."""
        backlog = self.session.scalar(select(func.count()).select_from(self.outbox)
                                      .where(self.outbox.c.published_at.is_(None)))
        last = self.session.scalar(select(func.max(self.outbox.c.recorded_at)))
        return {"outbox_backlog": backlog, "last_event_recorded_at": last}

    def published_facts(self, subject=None, limit=500):
        query = select(self.outbox.c.envelope).order_by(self.outbox.c.seq).limit(limit)
        if subject is not None:
            query = query.where(self.outbox.c.subject == subject)
        return [row.envelope for row in self.session.execute(query)]


class Repository:
    """Loads and adds one kind of entity; `get` of an unknown key raises NotFound."""
    entity = None

    def __init__(self, session):
        self.session = session

    def add(self, item):
        self.session.add(item)

    def find(self, key):
        return self.session.get(self.entity, key)

    def get(self, key):
        item = self.find(key)
        if item is None:
            raise NotFound(f"no {self.entity.__name__.lower()} {key}")
        return item

    def where(self, *conditions, order_by=(), offset=0, limit=None):
        query = select(self.entity).where(*conditions).order_by(*order_by).offset(offset)
        return list(self.session.scalars(query if limit is None else query.limit(limit)))


def handle_fact(uow, fact, apply):
    """Apply `fact` once: effects, new facts and the inbox record commit together.

    A concurrent duplicate loses the race on the inbox's primary key; its retry then finds the
    fact handled and does nothing.
    """
    with uow:
        try:
            uow.handle_once(fact)
        except AlreadyHandled:
            return False
        apply(uow)
        uow.commit()
        return True


def unpublished(session, outbox, limit=100):
    return session.execute(
        select(outbox.c.seq, outbox.c.envelope)
        .where(outbox.c.published_at.is_(None))
        .order_by(outbox.c.seq).limit(limit)
    ).all()


def mark_published(session, outbox, seq):
    session.execute(update(outbox).where(outbox.c.seq == seq).values(published_at=func.now()))


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
