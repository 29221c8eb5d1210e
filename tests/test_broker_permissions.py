"""The broker accounts of docker/rabbitmq/definitions.json, applied to a fresh vhost of the real
broker: each service publishes only its own facts on its own exchange, integrators publish
nothing and bind only what they are entitled to, and a service runs under its own account."""
import json
import time
import uuid
from urllib.parse import quote, urlsplit

import pika
import pytest
from nameko.containers import ServiceContainer
from pika.exceptions import ChannelClosedByBroker

from doorstroom import operators, provisioning
from services.training.service import TrainingService
from shared.events import new_event
from tests.broker import _rabbitmqctl
from tests.harness import free_port

SUFFIX = uuid.uuid4().hex[:8]


def test_the_committed_definitions_are_up_to_date():
    assert provisioning.DEFINITIONS.read_text() == provisioning.render(), \
        "docker/rabbitmq/definitions.json is stale: run `doorstroom broker-definitions`"


@pytest.fixture(scope="module")
def accounts(amqp_uri):
    """The generated users, under test names, with their permissions in the test's vhost."""
    vhost = urlsplit(amqp_uri).path[1:]
    made = {}
    for user, configure, write, read, topics in provisioning.grants():
        name = f"{user}-{SUFFIX}"
        _rabbitmqctl("add_user", name, "secret")
        _rabbitmqctl("set_permissions", "-p", vhost, name, configure, write, read)
        for exchange, (topic_write, topic_read) in topics.items():
            _rabbitmqctl("set_topic_permissions", "-p", vhost, name, exchange, topic_write,
                         topic_read)
        made[user] = name
    parts = urlsplit(amqp_uri)
    host = parts.netloc.rpartition("@")[2]
    yield {user: f"amqp://{quote(name)}:secret@{host}/{quote(vhost, safe='')}"
           for user, name in made.items()}
    for name in made.values():
        _rabbitmqctl("delete_user", name)


@pytest.fixture(scope="module")
def exchanges(amqp_uri):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    for exchange in ("intake.events", "training.events", "matching.events", "placement.events",
                     "notifications.events"):
        channel.exchange_declare(exchange, "topic", durable=True)
    connection.close()


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


def test_intake_publishes_its_own_facts_and_nothing_on_another_exchange(accounts, exchanges):
    connection, channel = channel_as(accounts["doorstroom-intake"])
    channel.basic_publish("intake.events", "participant.released",
                          fact("intake", "participant.released"))
    assert refused(lambda: channel.basic_publish(
        "matching.events", "match.proposed", fact("matching", "match.proposed"))) == 403
    connection.close()


def test_intake_cannot_publish_another_services_fact_type_on_its_own_exchange(accounts,
                                                                               exchanges):
    connection, channel = channel_as(accounts["doorstroom-intake"])
    assert refused(lambda: channel.basic_publish(
        "intake.events", "match.proposed", fact("matching", "match.proposed"))) == 403
    connection.close()


def test_no_service_can_write_into_another_services_queue_through_the_default_exchange(
        accounts, exchanges):
    connection, channel = channel_as(accounts["doorstroom-intake"])
    assert refused(lambda: channel.basic_publish(
        "", "matching.follow_intake", fact("intake", "participant.released"))) == 403
    connection.close()


@pytest.mark.parametrize("exchange, routing_key", [
    ("intake.events", "participant.released"), ("placement.events", "placement.started"),
    ("matching.events", "match.proposed"), ("", "integrator-municipality.facts")])
def test_an_integrator_cannot_publish_at_all(accounts, exchanges, exchange, routing_key):
    connection, channel = channel_as(accounts["integrator-municipality"])
    assert refused(lambda: channel.basic_publish(exchange, routing_key, b"{}")) == 403
    connection.close()


def test_an_integrator_binds_its_own_queue_to_what_it_is_entitled_to_only(accounts, exchanges):
    connection, channel = channel_as(accounts["integrator-municipality"])
    channel.queue_declare("integrator-municipality.facts", durable=True)
    channel.queue_bind("integrator-municipality.facts", "intake.events", "participant.released")
    assert refused(lambda: channel.queue_bind("integrator-municipality.facts", "intake.events",
                                              "participant.admitted")) == 403
    connection.close()
    connection, channel = channel_as(accounts["integrator-municipality"])
    assert refused(lambda: channel.queue_bind("integrator-municipality.facts",
                                              "matching.events", "match.proposed")) == 403
    connection.close()
    connection, channel = channel_as(accounts["integrator-municipality"])
    assert refused(lambda: channel.queue_declare("training.on_intake_fact", durable=True)) == 403
    connection.close()


def admission():
    participant = str(uuid.uuid4())
    return participant, json.dumps(new_event("intake", "participant.admitted", {
        "participant_id": participant, "target_group": "detainee-last-phase",
        "municipality": "0505", "expected_release_date": "2027-03-01",
        "language_level": "B1", "preferred_sectors": ["logistics"]},
        subject=participant).to_json())


@pytest.fixture(scope="module")
def training(accounts, exchanges, tmp_path_factory):
    """Training under its own account, expecting each producer under that producer's."""
    container = ServiceContainer(TrainingService, {
        "AMQP_URI": accounts["doorstroom-training"],
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{free_port()}",
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('training') / 'training.db'}",
        "OUTBOX_SWEEP_SECONDS": 0.2, "TRAINING_DEMAND": "forklift",
        "PUBLISHER_ACCOUNTS": f"doorstroom-{{service}}-{SUFFIX}"})
    container.start()
    yield container
    container.stop()


def heard_of(watch, queue, participant, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        method, properties, body = watch.basic_get(queue, auto_ack=True)
        if method is None:
            time.sleep(0.05)
        elif json.loads(body).get("subject") == participant:
            return json.loads(body)["type"], properties.user_id
    return None


def test_the_training_service_runs_under_its_own_account(amqp_uri, accounts, training):
    watcher, watch = channel_as(amqp_uri)
    queue = watch.queue_declare("", exclusive=True).method.queue
    watch.queue_bind(queue, "training.events", "#")
    connection, channel = channel_as(accounts["doorstroom-intake"])
    participant, body = admission()
    channel.basic_publish("intake.events", "participant.admitted", body, pika.BasicProperties(
        content_type="application/json", user_id=f"doorstroom-intake-{SUFFIX}"))
    # Training's own facts name its account, as the broker checked.
    assert heard_of(watch, queue, participant) == ("training.waitlisted",
                                                   f"doorstroom-training-{SUFFIX}")
    connection.close()
    watcher.close()


@pytest.mark.parametrize("says_who", [None, "guest"])
def test_a_fact_not_published_by_its_producers_account_is_parked_and_changes_nothing(
        amqp_uri, training, says_who):
    """An account with every right on the broker (guest here) publishes an admission on
    intake's exchange: without a user_id, or under its own name (the broker allows no other)."""
    watcher, watch = channel_as(amqp_uri)
    queue = watch.queue_declare("", exclusive=True).method.queue
    watch.queue_bind(queue, "training.events", "#")
    participant, body = admission()
    watch.basic_publish("intake.events", "participant.admitted", body, pika.BasicProperties(
        content_type="application/json", user_id=says_who))
    deadline, parked = time.monotonic() + 15, None
    while parked is None and time.monotonic() < deadline:
        method, properties, found = watch.basic_get("training.dlq", auto_ack=True)
        if method is not None and participant.encode() in found:
            parked = properties.headers["x-doorstroom-error"]
        time.sleep(0.05)
    assert parked and f"not by doorstroom-intake-{SUFFIX}" in parked
    assert heard_of(watch, queue, participant, timeout=1) is None
    watcher.close()


def test_no_service_can_delete_or_redeclare_another_services_exchange(accounts, exchanges):
    """Training binds to intake.events; it may not delete it (and every binding with it) nor
    declare it otherwise."""
    connection, channel = channel_as(accounts["doorstroom-training"])
    assert refused(lambda: channel.exchange_delete("intake.events")) == 403
    connection.close()
    connection, channel = channel_as(accounts["doorstroom-training"])
    assert refused(lambda: channel.exchange_declare("intake.events", "fanout")) == 403
    connection.close()
    connection, channel = channel_as(accounts["doorstroom-training"])
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
