"""Database faults caused on a real PostgreSQL, under the training service on the real broker:
a connection terminated in the middle of a transaction, and a database that stays away for a
while. Requests and handlers run again and succeed; an outage longer than a request can wait is
a 503 with Retry-After; facts wait out the outage without using up their attempts."""
import threading
import time
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from services.training.service import TrainingService
from shared import http
from shared.store import OUTAGE_JITTER, OUTAGE_PAUSES, database_unavailable
from tests.databases import away, fresh_database
from tests.harness import running_service
from tests.instances import rows

WATCHED = ["training"]
TODAY = date.today()
TRAINER = "trainer"


@pytest.fixture(scope="module")
def database(directory):
    with fresh_database("postgresql", directory) as url:
        yield url


@pytest.fixture(scope="module")
def api(amqp_uri, directory, database, broker):
    # One attempt only: a fact that used up an attempt would be parked at once.
    with running_service(TrainingService, amqp_uri, directory, DATABASE_URL=database,
                         OUTBOX_SWEEP_SECONDS=0.2, TRAINING_DEMAND="forklift",
                         EVENT_MAX_ATTEMPTS=1, EVENT_OUTAGE_RETRY_MS=300) as api:
        yield api


@pytest.fixture(scope="module")
def admin(database):
    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def admit(broker, api):
    participant_id = str(uuid.uuid4())
    broker.publish("intake", "participant.admitted", dict(
        participant_id=participant_id, target_group="detainee-last-phase",
        municipality="0505", expected_release_date=str(TODAY + timedelta(days=120)),
        language_level="B1", preferred_sectors=["logistics"]))
    wait_for(lambda: api.call("GET", f"/participants/{participant_id}/programme",
                              TRAINER).status_code == 200, f"a programme for {participant_id}")
    return participant_id


def wait_for(condition, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout}s")
        time.sleep(0.05)


def terminate_waiting_backend(admin, database_name):
    """Terminate the service's connection that waits for a row lock; how many it found."""
    def waiting():
        with admin.connect() as connection:
            return connection.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :name AND "
                "wait_event_type = 'Lock' AND pid <> pg_backend_pid()"), {"name": database_name}
            ).all()
    wait_for(waiting, "service connection waiting for the lock", timeout=10)
    with admin.connect() as connection:
        return sum(connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                   for pid in waiting())


def in_background(call):
    answers = []
    thread = threading.Thread(target=lambda: answers.append(call()))
    thread.start()
    return thread, answers


def recorded(database, event_type, subject):
    return rows(database, f"SELECT event_id FROM outbox WHERE event_type = '{event_type}' "
                          f"AND subject = '{subject}'")


def test_a_request_whose_connection_is_terminated_mid_transaction_runs_again(
        api, broker, database, admin):
    participant_id = admit(broker, api)
    name = admin.url.database
    with admin.connect() as blocker:
        # Holding the programme's row makes the request wait inside its transaction.
        blocker.execute(text("BEGIN"))
        blocker.execute(text("SELECT 1 FROM programmes WHERE participant_id = :id FOR UPDATE"),
                        {"id": participant_id})
        thread, answers = in_background(lambda: api.call(
            "POST", f"/participants/{participant_id}/drop-out", TRAINER, {"reason": "motivation"}))
        assert terminate_waiting_backend(admin, name) == 1
        blocker.execute(text("COMMIT"))
    thread.join(timeout=30)
    assert answers[0].status_code == 200, answers[0].text
    assert len(recorded(database, "training.dropped_out", participant_id)) == 1


def test_a_fact_whose_connection_is_terminated_mid_transaction_is_handled_once(
        api, broker, database, admin):
    """EVENT_MAX_ATTEMPTS is 1: a fact whose failure counted would be parked."""
    participant_id = admit(broker, api)
    with admin.connect() as blocker:
        blocker.execute(text("BEGIN"))
        blocker.execute(text("SELECT 1 FROM programmes WHERE participant_id = :id FOR UPDATE"),
                        {"id": participant_id})
        broker.publish("intake", "participant.withdrawn", dict(
            participant_id=participant_id, reason="recalled-to-custody", withdrawn_on=str(TODAY)))
        assert terminate_waiting_backend(admin, admin.url.database) == 1
        blocker.execute(text("COMMIT"))
    wait_for(lambda: recorded(database, "training.dropped_out", participant_id),
             "training.dropped_out after the withdrawal")
    time.sleep(0.5)
    assert len(recorded(database, "training.dropped_out", participant_id)) == 1
    assert broker.channel.queue_declare("training.dlq", passive=True).method.message_count == 0


def test_a_database_that_stays_away_answers_503_and_facts_wait_without_using_attempts(
        api, broker, database):
    participant_id = str(uuid.uuid4())
    with away(database):
        health = api.call("GET", "/health")
        assert health.status_code == 503
        assert health.json()["database"].startswith("failing") and health.json()["broker"] == "ok"
        started = time.monotonic()
        refused = api.call("POST", "/cohorts", TRAINER, {
            "module": "employee-skills", "starts_on": str(TODAY),
            "ends_on": str(TODAY + timedelta(weeks=4)), "places": 5, "trainer": "Anna de Vries"})
        waited = time.monotonic() - started
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "2"
        assert "temporarily unavailable" in refused.json()["error"]
        # It gives up after every pause or once their sum has passed; either way it waited at
        # least the shortest the jitter can make them all.
        assert waited >= sum(OUTAGE_PAUSES) * OUTAGE_JITTER[0], "it was not run again"
        broker.publish("intake", "participant.admitted", dict(
            participant_id=participant_id, target_group="detainee-last-phase",
            municipality="0505", expected_release_date=str(TODAY + timedelta(days=120)),
            language_level="B1", preferred_sectors=["logistics"]))
        # Longer than the unit of work's own retries: the fact goes round the retry queue.
        time.sleep(8)
    wait_for(lambda: api.call("GET", f"/participants/{participant_id}/programme",
                              TRAINER).status_code == 200, "the programme after the outage")
    assert api.call("GET", "/health").status_code == 200
    assert broker.channel.queue_declare("training.dlq", passive=True).method.message_count == 0
    # What was recorded meanwhile is published once the database is back.
    assert broker.facts("training.waitlisted", participant_id)


class CommitsThenLosesItsConnection(TrainingService):
    """A use case that commits and then fails on a lost connection, as one that reads its
    answer in a second transaction could."""
    runs = []

    @http.api("POST", "/commit-then-fail", roles=(TRAINER,))
    def commit_then_fail(self, caller):
        with self.uow as uow:
            uow.commit()
        self.runs.append(1)
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))


def test_a_request_that_committed_is_not_run_again_after_it_fails(amqp_uri, tmp_path):
    with running_service(CommitsThenLosesItsConnection, amqp_uri, tmp_path) as service:
        answer = service.call("POST", "/commit-then-fail", TRAINER, {})
    assert answer.status_code == 500
    assert "carried out" in answer.json()["error"]
    assert len(CommitsThenLosesItsConnection.runs) == 1


class PgError(Exception):
    def __init__(self, message, pgcode=None):
        super().__init__(message)
        self.pgcode = pgcode


@pytest.mark.parametrize("error, away", [
    (PgError("server closed the connection unexpectedly"), True),
    (PgError("terminating connection due to administrator command", "57P01"), True),
    (PgError("cannot execute INSERT in a read-only transaction", "25006"), True),
    (PgError("sorry, too many clients already", "53300"), True),
    (PgError('password authentication failed for user "training"'), False),
    (PgError('database "training" does not exist'), False),
    (PgError("canceling statement due to statement timeout", "57014"), False),
    (PgError('relation "programmes" does not exist', "42P01"), False),
])
def test_what_counts_as_the_database_being_away(error, away):
    assert database_unavailable(OperationalError("SELECT 1", {}, error)) is away
