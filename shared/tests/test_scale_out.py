"""What several instances of a service rely on in shared/store.py and shared/relay.py, proven
on PostgreSQL: per-subject sequences that follow commit order, outbox relays that share the
work without publishing a fact twice, and a lease with one holder at a time."""
import random
import time
import uuid

import eventlet
import pika
import pytest
from psycogreen.eventlet import patch_psycopg
from sqlalchemy import create_engine, func, select, text

from services.intake.store import IntakeUnitOfWork
from shared import migrations
from shared.relay import OutboxRelay
from shared.store import make_engine, session_factory
from tests.broker import service_uri
from tests.databases import fresh_database

OUTBOX = IntakeUnitOfWork.outbox


@pytest.fixture
def database(directory):
    """A fresh intake database of the test's own, so that no other test's facts wait in its
    outbox."""
    with fresh_database("postgresql", directory) as url:
        engine = make_engine(url)  # also patches psycopg2 for eventlet, as the services do
        migrations.upgrade("intake", url)
        engine.dispose()
        yield url


def engine_for(url, pool_size=5):
    """An engine of its own, as a separate instance of the service would have."""
    patch_psycopg()
    return create_engine(url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True)


def release_date_changed(participant):
    return {"participant_id": participant, "expected_release_date": "2027-03-01",
            "previous_release_date": "2027-02-01"}


def test_sequence_numbers_follow_commit_order(database):
    """Concurrent transactions that each record an ordered fact about one subject get the
    numbers 1..N, without gap or duplicate (even where some roll back), and commit in the order
    of their numbers.

    How commit order is observed: under READ COMMITTED every statement sees exactly the
    transactions that committed before it started. So each transaction, as its last statement
    before COMMIT, counts the outbox rows about the subject: its own row plus those of the
    transactions already committed. Number k must see exactly k rows. That proves the order:
    if the i-th transaction to commit holds number k, the rows it sees are its own and at most
    the i - 1 commits before it, so k <= i for every i, and the only such permutation is the
    identity. (A timestamp taken after COMMIT returns would depend on which greenthread the hub
    wakes first, and one taken before COMMIT is not the commit.)"""
    participant = str(uuid.uuid4())
    count = 40
    engine = engine_for(database, pool_size=count)
    uow_sessions = session_factory(engine)
    seen = {}  # sequence -> outbox rows visible just before its commit

    def transaction(number):
        eventlet.sleep(random.uniform(0, 0.02))
        with IntakeUnitOfWork(uow_sessions) as uow:
            fact = uow.record("participant.release_date_changed",
                              release_date_changed(participant), subject=participant)
            eventlet.sleep(random.uniform(0, 0.01))
            if number % 8 == 0:
                return None  # rolls back: its number must go to the next one
            visible = uow.session.scalar(select(func.count()).select_from(OUTBOX)
                                         .where(OUTBOX.c.subject == participant))
            uow.commit()
            seen[fact.sequence] = visible
            return fact.sequence

    started = time.monotonic()
    pool = eventlet.GreenPool(count)
    sequences = [s for s in pool.imap(transaction, range(1, count + 1)) if s is not None]
    elapsed = time.monotonic() - started
    committed = count - count // 8

    with engine.connect() as connection:
        envelopes = connection.execute(select(OUTBOX.c.envelope)
                                       .where(OUTBOX.c.subject == participant)).scalars().all()
    engine.dispose()
    assert sorted(sequences) == list(range(1, committed + 1))
    assert sorted(int(e["sequence"]) for e in envelopes) == list(range(1, committed + 1))
    assert all(visible == sequence for sequence, visible in seen.items()), sorted(seen.items())
    assert elapsed < 30


def registered(participant):
    return {"participant_id": participant, "target_group": "detainee-last-phase",
            "institution": "PI Dordrecht", "municipality": "0505",
            "expected_release_date": "2027-03-01"}


def test_two_relays_publish_every_fact_once(database, amqp_uri):
    """Two relays (as two instances of a service run) on one outbox share its backlog: every
    fact reaches the broker once, and every row ends marked published."""
    facts = 300
    engine = engine_for(database)
    with IntakeUnitOfWork(session_factory(engine)) as uow:
        ids = {uow.record("participant.registered", registered(p), subject=p).id
               for p in (str(uuid.uuid4()) for _ in range(facts))}
        uow.commit()

    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    channel.exchange_declare("intake.events", "topic", durable=True)
    queue = channel.queue_declare("relayed", durable=True).method.queue
    channel.queue_bind(queue, "intake.events", "#")

    engines = [engine_for(database) for _ in range(2)]
    relays = [OutboxRelay("intake", session_factory(e), OUTBOX, service_uri(amqp_uri, "intake"))
              for e in engines]
    started = time.monotonic()
    runs = [eventlet.spawn(relay.publish_pending) for relay in relays]
    published = [run.wait() for run in runs]
    elapsed = time.monotonic() - started

    received = []
    deadline = time.monotonic() + 20
    while len(received) < facts and time.monotonic() < deadline:
        method, properties, _ = channel.basic_get(queue, auto_ack=True)
        if method is None:
            time.sleep(0.05)
        else:
            received.append(properties.message_id)
    time.sleep(0.5)  # anything published twice would arrive by now
    while (message := channel.basic_get(queue, auto_ack=True))[0] is not None:
        received.append(message[1].message_id)
    connection.close()

    with engine.connect() as db:
        unpublished = db.scalar(select(func.count()).select_from(OUTBOX)
                                .where(OUTBOX.c.published_at.is_(None)))
    for e in (engine, *engines):
        e.dispose()
    assert sum(published) == facts and min(published) > 0, published  # both relays worked
    assert len(received) == facts and set(received) == ids
    assert unpublished == 0
    assert elapsed < 60


def advisory_lock_holders(url):
    """Backends of this test's own database that hold an advisory lock."""
    engine = create_engine(url)
    with engine.connect() as connection:
        pids = connection.execute(text(
            "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()"
        )).scalars().all()
    engine.dispose()
    return pids


def terminate(url, pid):
    engine = create_engine(url)
    with engine.connect() as connection:
        assert connection.scalar(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid = :pid AND datname = current_database()"), {"pid": pid})
    engine.dispose()


def test_a_lease_has_one_holder_across_instances(database):
    """Of two instances on one database, one holds a lease at a time; it is free again when the
    holder's block ends, and when the holder's database connection dies."""
    engines = [engine_for(database) for _ in range(2)]
    first, second = (IntakeUnitOfWork(session_factory(e)) for e in engines)

    with first.lease("x") as held:
        assert held
        with second.lease("x") as also:
            assert not also
        with second.lease("y") as other:
            assert other  # another lease is another lock
    with second.lease("x") as held:
        assert held

    lease = first.lease("x")
    assert lease.__enter__()
    try:
        [pid] = advisory_lock_holders(database)
        terminate(database, pid)
        deadline = time.monotonic() + 10
        while advisory_lock_holders(database) and time.monotonic() < deadline:
            time.sleep(0.05)
        with second.lease("x") as held:
            assert held
    finally:
        # Unlocking over the dead connection fails, and the holder lets go quietly: the lock
        # went with the connection.
        lease.__exit__(None, None, None)
    for e in engines:
        e.dispose()
