"""An outbox that cannot jam, on SQLite and PostgreSQL with the real broker: intake's account
may not publish participant.withdrawn (as when a new event type ships before its permission),
so the broker refuses that fact. The facts about other subjects still go out; the later facts
about its subject wait behind it; after its attempts it is set aside and shown to operators;
once the permission is granted, the operator's retry publishes it and the waiting facts follow,
in order, once each."""
import re
import time
import uuid
from argparse import Namespace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from doorstroom import chain, operators, provisioning
from services.intake.service import IntakeService
from services.intake.store import IntakeUnitOfWork
from shared import migrations
from shared.contracts import all_contracts
from shared.metrics import metrics_for
from shared.relay import OutboxRelay
from shared.store import make_engine, session_factory
from tests.broker import rabbitmqctl, service_uri, vhost_of
from tests.harness import running_service

WATCHED = ("intake",)  # the broker fixture hears intake's exchange
REFUSED = "participant.withdrawn"
INTAKE = provisioning.service_user("intake")


def topic_write(types):
    return "^(" + "|".join(re.escape(t) for t in sorted(types)) + ")$"


@pytest.fixture
def refused(amqp_uri):
    """Intake's account may publish all its types but REFUSED; calling the fixture's value
    grants that one too (the operator mends the cause). Granted again afterwards anyway."""
    types = {t for t, c in all_contracts().items() if c.producer == "intake"}

    def allow(allowed):
        rabbitmqctl(amqp_uri, "set_topic_permissions", INTAKE, "intake.events",
                    topic_write(allowed), "^$")
        # A channel keeps the topic permissions it checked: new connections see the change.
        # The listing is of the whole broker: only this test's vhost is touched.
        for line in rabbitmqctl(amqp_uri, "list_connections", "pid", "user",
                                "vhost").splitlines():
            pid, user, vhost = line.split("\t")
            if (user, vhost) == (INTAKE, vhost_of(amqp_uri)):
                provisioning.rabbitmqctl("close_connection", pid, "permissions changed")

    allow(types - {REFUSED})
    yield lambda: allow(types)
    allow(types)


@pytest.fixture(scope="module")
def sessions(database_url):
    migrations.upgrade("intake", database_url)
    engine = make_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def record(sessions, *facts):
    """Record (event_type, subject) facts, each in a transaction of its own."""
    for event_type, subject in facts:
        with IntakeUnitOfWork(sessions) as uow:
            uow.record(event_type, DATA[event_type](subject), subject=subject)
            uow.commit()


DATA = {
    REFUSED: lambda subject: {"participant_id": subject, "reason": "transferred",
                              "withdrawn_on": "2027-02-01"},
    "participant.release_date_changed": lambda subject: {
        "participant_id": subject, "expected_release_date": "2027-03-01",
        "previous_release_date": "2027-02-01"},
}
CHANGED = "participant.release_date_changed"


def state(sessions):
    with IntakeUnitOfWork(sessions) as uow:
        return uow.outbox_state()


def heard(broker, subject):
    """The types of every fact about `subject` heard so far, in the order heard."""
    return [f["type"] for f in broker.drain() if f.get("subject") == subject]


def failures():
    return metrics_for("intake").publish_failures.labels(REFUSED)._value.get()


def test_a_refused_fact_holds_up_its_own_subject_only(broker, amqp_uri, sessions, refused):
    blocked, other, later = (str(uuid.uuid4()) for _ in range(3))
    relay = OutboxRelay("intake", sessions, IntakeUnitOfWork.outbox,
                        service_uri(amqp_uri, "intake"), max_attempts=3, first_pause=0.5)
    failed_before = failures()
    record(sessions, (REFUSED, blocked), (CHANGED, blocked), (CHANGED, other))

    assert relay.publish_pending() == 1
    broker.facts(CHANGED, other)
    with IntakeUnitOfWork(sessions) as uow:
        rows = {row.event_type: row for row in uow.session.execute(
            uow.outbox.select().where(uow.outbox.c.subject == blocked))}
    assert rows[REFUSED].attempts == 1 and rows[REFUSED].next_attempt_at is not None
    assert "ACCESS_REFUSED" in rows[REFUSED].last_error
    assert rows[CHANGED].attempts == 0  # never tried: it waits behind its subject's fact

    deadline = time.monotonic() + 10
    while not state(sessions)["outbox_set_aside"]:
        assert time.monotonic() < deadline, "the refused fact was never set aside"
        time.sleep(0.1)
        relay.publish_pending()
    assert failures() - failed_before == 3
    now = state(sessions)
    assert (now["outbox_set_aside"], now["outbox_backlog"]) == (1, 2)
    assert (now["oldest_set_aside"]["event_type"], now["oldest_set_aside"]["attempts"]) == \
        (REFUSED, 3)

    # Set aside, it is not tried again, and other subjects' facts go on.
    record(sessions, (CHANGED, later))
    assert relay.publish_pending() == 1
    broker.facts(CHANGED, later)
    assert failures() - failed_before == 3
    assert heard(broker, blocked) == []

    refused()  # the permission is granted
    with IntakeUnitOfWork(sessions) as uow:
        assert uow.retry_set_aside() == 1
        uow.commit()
    assert relay.publish_pending() == 2
    broker.facts(CHANGED, blocked)
    assert relay.publish_pending() == 0
    time.sleep(0.3)
    assert heard(broker, blocked) == [REFUSED, CHANGED]
    assert [f["sequence"] for f in broker.seen if f.get("subject") == blocked] == \
        [f"{n:020d}" for n in (1, 2)]
    now = state(sessions)
    assert (now["outbox_set_aside"], now["outbox_backlog"], now["oldest_set_aside"]) == \
        (0, 0, None)


def test_a_broker_that_is_away_costs_no_attempt(amqp_uri, sessions, monkeypatch):
    subject = str(uuid.uuid4())
    relay = OutboxRelay("intake", sessions, IntakeUnitOfWork.outbox,
                        service_uri(amqp_uri, "intake"))
    record(sessions, (CHANGED, subject))

    def away(envelope):
        raise ConnectionRefusedError(111, "Connection refused")
    monkeypatch.setattr(relay, "_publish", away)
    with pytest.raises(ConnectionRefusedError):
        relay.publish_pending()
    with IntakeUnitOfWork(sessions) as uow:
        row = uow.session.execute(uow.outbox.select().where(
            uow.outbox.c.subject == subject)).one()
    assert (row.attempts, row.last_error, row.published_at) == (0, None, None)
    monkeypatch.undo()
    assert relay.publish_pending() == 1


def test_operators_see_set_aside_facts_and_retry_them(broker, amqp_uri, directory,
                                                      database_url, sessions, refused,
                                                      monkeypatch, capsys):
    blocked = str(uuid.uuid4())
    with running_service(IntakeService, amqp_uri, directory, DATABASE_URL=database_url,
                         OUTBOX_SWEEP_SECONDS=0.1, OUTBOX_MAX_ATTEMPTS=2,
                         OUTBOX_FIRST_RETRY_SECONDS=0.05) as api:
        record(sessions, (REFUSED, blocked), (CHANGED, blocked))
        deadline = time.monotonic() + 15
        while not (status := api.call("GET", "/status", "operator").json())["outbox_set_aside"]:
            assert time.monotonic() < deadline, "the refused fact was never set aside"
            time.sleep(0.1)
        assert status["oldest_set_aside"]["event_type"] == REFUSED
        assert "ACCESS_REFUSED" in status["oldest_set_aside"]["last_error"]
        assert api.call("POST", "/outbox/retry", "pi-case-manager").status_code == 403
        metrics = {sample.name: sample for family in text_string_to_metric_families(
            api.call("GET", "/metrics").text) for sample in family.samples
            if sample.labels.get("event_type") in (None, REFUSED)}
        assert metrics["doorstroom_outbox_set_aside"].value == 1
        assert metrics["doorstroom_outbox_publish_failures_total"].value >= 2

        # `doorstroom status` and `doorstroom outbox retry` against this intake alone.
        monkeypatch.setattr(chain, "SERVICES", {"intake": "IntakeService"})
        monkeypatch.setattr(chain, "url_of", lambda service, base=None: api.base_url)
        monkeypatch.setenv("DOORSTROOM_OPERATOR_KEY", api.keys["operator"]["key"])
        monkeypatch.setenv("AMQP_URI", amqp_uri)
        args = Namespace(port_base=None, data_dir=str(directory), service="intake", json=False)
        assert operators.status(args) == 1
        printed = capsys.readouterr().out
        assert f"1 fact(s) set aside in intake's outbox, the oldest a {REFUSED}" in printed
        assert "doorstroom outbox retry intake" in printed

        refused()
        assert operators.outbox(args) == 0
        assert "intake publishes 1 fact(s) again" in capsys.readouterr().out
        broker.facts(CHANGED, blocked)
        time.sleep(0.3)
        assert heard(broker, blocked) == [REFUSED, CHANGED]
        assert api.call("GET", "/status", "operator").json()["outbox_set_aside"] == 0
