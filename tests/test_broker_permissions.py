"""The broker accounts of docker/rabbitmq/definitions.json, applied to a fresh vhost of the real
broker (every test module's vhost has the services' accounts, tests/broker.py; the integrators'
are this module's own): each service publishes only its own facts on its own exchange,
integrators publish nothing and read only their own exchange, which notifications alone writes
their facts to, and a service runs under its own account and takes only its producers'
facts."""
import json
import time
import uuid

import pika
import pytest
from pika.exceptions import ChannelClosedByBroker
from prometheus_client.parser import text_string_to_metric_families

from doorstroom import operators, provisioning
from services.training.service import TrainingService
from shared.contracts import contract_for
from shared.events import new_event
from tests.broker import integrator_accounts, service_uri
from tests.harness import running_service

def test_the_committed_definitions_are_up_to_date():
    assert provisioning.DEFINITIONS.read_text() == provisioning.render(), \
        "docker/rabbitmq/definitions.json is stale: run `doorstroom broker-definitions`"


@pytest.fixture(scope="module")
def integrators(amqp_uri):
    with integrator_accounts(amqp_uri) as accounts:
        yield accounts


def channel_as(uri):
    connection = pika.BlockingConnection(pika.URLParameters(uri))
    channel = connection.channel()
    channel.confirm_delivery()
    return connection, channel


def fact(service, event_type):
    participant = str(uuid.uuid4())
    data = {"participant.released": {"participant_id": participant, "released_on": "2027-01-15",
                                     "municipality": "0505"},
            "match.proposed": {"match_id": participant, "vacancy_id": participant,
                               "employer_id": participant, "participant_id": participant,
                               "score": 80, "reasons": [], "expires_at": "2027-01-01T00:00:00Z"},
            }[event_type]
    return json.dumps(new_event(service, event_type, data, subject=participant).to_json())


def refused(action):
    with pytest.raises(ChannelClosedByBroker) as closed:
        action()
    return closed.value.reply_code


def may_publish(uri, exchange, event_type):
    """Whether the account of `uri` may publish a fact of `event_type` on `exchange`: the
    broker confirms it, or refuses it and closes the channel."""
    connection, channel = channel_as(uri)
    try:
        channel.basic_publish(exchange, event_type,
                              fact(contract_for(event_type).producer, event_type))
        return True
    except ChannelClosedByBroker as closed:
        assert closed.reply_code == 403
        return False
    finally:
        connection.close()


def test_intake_publishes_its_own_facts_and_nothing_on_another_exchange(amqp_uri):
    intake = service_uri(amqp_uri, "intake")
    assert may_publish(intake, "intake.events", "participant.released")
    assert not may_publish(intake, "matching.events", "match.proposed")


def test_intake_cannot_publish_another_services_fact_type_on_its_own_exchange(amqp_uri):
    assert not may_publish(service_uri(amqp_uri, "intake"), "intake.events", "match.proposed")


def test_no_service_can_write_into_another_services_queue_through_the_default_exchange(
        amqp_uri):
    connection, channel = channel_as(service_uri(amqp_uri, "intake"))
    assert refused(lambda: channel.basic_publish(
        "", "matching.follow_intake", fact("intake", "participant.released"))) == 403
    connection.close()


@pytest.mark.parametrize("exchange, routing_key", [
    ("intake.events", "participant.released"), ("placement.events", "placement.started"),
    ("matching.events", "match.proposed"), ("", "integrator-municipality.facts"),
    ("integrator.municipality", "participant.released")])
def test_an_integrator_cannot_publish_at_all(integrators, exchange, routing_key):
    connection, channel = channel_as(integrators["integrator-municipality"])
    assert refused(lambda: channel.basic_publish(exchange, routing_key, b"{}")) == 403
    connection.close()


def test_an_integrator_reads_its_own_exchange_only_and_no_producers(integrators):
    """Notifications forwards it what it may know (services/notifications/forwarding.py): the
    producers' exchanges and other integrators' exchanges and queues are closed to it."""
    connection, channel = channel_as(integrators["integrator-municipality"])
    channel.queue_declare("integrator-municipality.facts", durable=True)
    channel.queue_bind("integrator-municipality.facts", "integrator.municipality", "#")
    channel.basic_consume("integrator-municipality.facts", lambda *_: None)
    connection.close()
    connection, channel = channel_as(integrators["integrator-probation"])
    channel.queue_declare("integrator-probation.facts", durable=True)
    connection.close()
    for exchange, routing_key in (("intake.events", "participant.released"),
                                  ("placement.events", "placement.started"),
                                  ("integrator.probation", "participant.released")):
        connection, channel = channel_as(integrators["integrator-municipality"])
        assert refused(lambda: channel.queue_bind("integrator-municipality.facts", exchange,
                                                  routing_key)) == 403, exchange
        connection.close()
    connection, channel = channel_as(integrators["integrator-municipality"])
    assert refused(lambda: channel.basic_consume("integrator-probation.facts",
                                                 lambda *_: None)) == 403
    connection.close()
    connection, channel = channel_as(integrators["integrator-municipality"])
    assert refused(lambda: channel.queue_declare("training.on_intake_fact", durable=True)) == 403
    connection.close()


def test_notifications_forwards_each_integrator_only_what_it_is_entitled_to(amqp_uri):
    """Its account writes facts to an integrator's exchange, only those of the types the
    integrator is entitled to."""
    notifications = service_uri(amqp_uri, "notifications")
    assert may_publish(notifications, "integrator.probation", "participant.released")
    assert not may_publish(notifications, "integrator.probation", "match.proposed")
    assert not may_publish(service_uri(amqp_uri, "intake"), "integrator.probation",
                           "participant.released")


def admission():
    participant = str(uuid.uuid4())
    return participant, json.dumps(new_event("intake", "participant.admitted", {
        "participant_id": participant, "target_group": "detainee-last-phase",
        "municipality": "0505", "expected_release_date": "2027-03-01",
        "language_level": "B1", "preferred_sectors": ["logistics"]},
        subject=participant).to_json())


@pytest.fixture(scope="module")
def training(amqp_uri, directory):
    """Training under its own account, so expecting each producer under that producer's."""
    with running_service(TrainingService, amqp_uri, directory, OUTBOX_SWEEP_SECONDS=0.2,
                         TRAINING_DEMAND="forklift") as api:
        yield api


def refusals(training, reason):
    """How many facts training's consumer of intake's facts refused for `reason`, as its
    /metrics says."""
    wanted = {"queue": "training.on_intake_fact", "reason": reason}
    return sum(sample.value for family in text_string_to_metric_families(
        training.call("GET", "/metrics").text) for sample in family.samples
        if sample.name == "doorstroom_events_refused_total" and sample.labels == wanted)


def heard_of(watch, queue, participant, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        method, properties, body = watch.basic_get(queue, auto_ack=True)
        if method is None:
            time.sleep(0.05)
        elif json.loads(body).get("subject") == participant:
            return json.loads(body)["type"], properties.user_id
    return None


def test_the_training_service_runs_under_its_own_account(amqp_uri, training):
    watcher, watch = channel_as(amqp_uri)
    queue = watch.queue_declare("", exclusive=True).method.queue
    watch.queue_bind(queue, "training.events", "#")
    connection, channel = channel_as(service_uri(amqp_uri, "intake"))
    participant, body = admission()
    channel.basic_publish("intake.events", "participant.admitted", body, pika.BasicProperties(
        content_type="application/json", user_id="doorstroom-intake"))
    # Training's own facts name its account, as the broker checked.
    assert heard_of(watch, queue, participant) == ("training.waitlisted", "doorstroom-training")
    connection.close()
    watcher.close()


@pytest.mark.parametrize("exchange, says_who, reason, error", [
    ("intake.events", None, "account", "not by doorstroom-intake"),
    ("intake.events", "guest", "account", "not by doorstroom-intake"),
    ("amq.topic", "guest", "exchange", "not by intake.events")])
def test_a_fact_not_from_its_producer_is_parked_counted_as_refused_and_changes_nothing(
        amqp_uri, training, exchange, says_who, reason, error):
    """An account with every right on the broker (guest here) publishes an admission on
    intake's exchange, without a user_id or under its own name (the broker allows no other);
    or on another exchange, to which it bound training's queue."""
    watcher, watch = channel_as(amqp_uri)
    queue = watch.queue_declare("", exclusive=True).method.queue
    watch.queue_bind(queue, "training.events", "#")
    watch.queue_bind("training.on_intake_fact", "amq.topic", "participant.admitted")
    before = refusals(training, reason)
    participant, body = admission()
    watch.basic_publish(exchange, "participant.admitted", body, pika.BasicProperties(
        content_type="application/json", user_id=says_who))
    deadline, parked = time.monotonic() + 15, None
    while parked is None and time.monotonic() < deadline:
        method, properties, found = watch.basic_get("training.dlq", auto_ack=True)
        if method is not None and participant.encode() in found:
            parked = properties.headers["x-doorstroom-error"]
        time.sleep(0.05)
    assert parked and error in parked
    assert heard_of(watch, queue, participant, timeout=1) is None
    assert refusals(training, reason) == before + 1
    watcher.close()


def test_no_service_can_delete_or_redeclare_another_services_exchange(amqp_uri):
    """Training binds to intake.events; it may not delete it (and every binding with it) nor
    declare it otherwise."""
    connection, channel = channel_as(service_uri(amqp_uri, "training"))
    assert refused(lambda: channel.exchange_delete("intake.events")) == 403
    connection.close()
    connection, channel = channel_as(service_uri(amqp_uri, "training"))
    assert refused(lambda: channel.exchange_declare("intake.events", "fanout")) == 403
    connection.close()
    connection, channel = channel_as(service_uri(amqp_uri, "training"))
    channel.exchange_declare("intake.events", "topic", durable=True, passive=True)
    connection.close()


def test_replaying_a_parked_forgery_launders_nothing(amqp_uri, training):
    """The operator replays training's dead letters after a fix; the forgery among them is
    judged by who first published it, and parked again."""
    watcher, watch = channel_as(amqp_uri)
    queue = watch.queue_declare("", exclusive=True).method.queue
    watch.queue_bind(queue, "training.events", "#")
    participant, body = admission()
    watch.basic_publish("intake.events", "participant.admitted", body,
                        pika.BasicProperties(content_type="application/json", user_id="guest"))

    def parked():
        """Whether the forgery waits in training.dlq (looked at, and left there)."""
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            looking, channel = channel_as(amqp_uri)
            found = any(participant.encode() in m[2]
                        for m in operators._peek(channel, "training.dlq"))
            looking.close()
            if found:
                return True
            time.sleep(0.1)
        return False
    assert parked()
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    messages = [m for m in operators._peek(channel, "training.dlq") if participant.encode() in m[2]]
    assert operators._replay(connection, channel, messages, "training") == 1
    connection.close()
    assert heard_of(watch, queue, participant, timeout=3) is None
    assert parked()
    watcher.close()
