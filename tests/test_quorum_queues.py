"""The consumer with QUEUE_TYPE=quorum against the real broker, in a fresh vhost: every queue it
declares is a quorum queue with its dead-letter target, what the broker dead-letters itself is
parked and can be replayed, and a real service of the chain works on them. Retrying and parking
on quorum queues: tests/test_consumer.py."""
import time
import uuid
from datetime import date, timedelta

import pika
import pytest
from nameko.containers import ServiceContainer

from doorstroom import operators
from shared.consumer import ORIGINAL_EXCHANGE_HEADER
from services.training.service import TrainingService
from tests.broker import queues, rabbitmqctl
from tests.harness import running_service
from tests.registrations import CALLS, FlakyService, parked, publish, registered

WATCHED = ["training"]
AT_LEAST_ONCE = {"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}


class QuorumService(FlakyService):
    name = "quorate"


def config(amqp_uri):
    return {"AMQP_URI": amqp_uri, "QUEUE_TYPE": "quorum", "EVENT_RETRY_DELAY_MS": 50,
            "EVENT_MAX_ATTEMPTS": 4, "EVENT_HOLD_MS": 100}


@pytest.fixture
def quorate(amqp_uri):
    CALLS.clear()
    container = ServiceContainer(QuorumService, config(amqp_uri))
    container.start()
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    yield connection.channel()
    connection.close()
    container.stop()


def test_every_declared_queue_is_a_quorum_queue_with_its_dead_letter_target(quorate, amqp_uri):
    handler = "quorate.follow_registrations"
    back = {"x-dead-letter-exchange": "quorate.requeue", "x-dead-letter-routing-key": handler}
    assert queues(amqp_uri, "quorate.") == {
        handler: ("quorum", {"x-queue-type": "quorum", **AT_LEAST_ONCE,
                             "x-dead-letter-exchange": "quorate.requeue",
                             "x-dead-letter-routing-key": "quorate.dlq"}),
        f"{handler}.retry": ("quorum", {"x-queue-type": "quorum", **AT_LEAST_ONCE, **back}),
        f"{handler}.held": ("quorum", {"x-queue-type": "quorum", **AT_LEAST_ONCE, **back,
                                       "x-message-ttl": 100}),
        "quorate.dlq": ("quorum", {"x-queue-type": "quorum"}),
    }


def test_a_fact_held_back_returns_to_the_handler_queue(quorate):
    body = registered("0505")
    # As the consumer holds a fact: with its note of the exchange the fact first came by.
    quorate.basic_publish("quorate.requeue", "quorate.follow_registrations.held", body,
                          pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                               headers={ORIGINAL_EXCHANGE_HEADER: "intake.events"}))
    deadline = time.monotonic() + 10
    while len(CALLS) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(CALLS) == 3
    assert parked(quorate, "quorate.dlq", 1, timeout=0.5) == []


def test_a_fact_rejected_or_redelivered_too_often_is_parked_not_dropped(amqp_uri):
    declaring = ServiceContainer(QuorumService, config(amqp_uri))
    declaring.start()
    declaring.stop()
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    rejected, redelivered = registered("0505"), registered("0642")
    rabbitmqctl(amqp_uri, "set_policy", "--apply-to", "queues", "limit",
                r"^quorate\.follow_registrations$", '{"delivery-limit": 1}')
    try:
        publish(channel, rejected)
        publish(channel, redelivered)
        deadline, found = time.monotonic() + 10, []
        while len(found) < 2:
            assert time.monotonic() < deadline, f"parked only {found}"
            method, _, body = channel.basic_get("quorate.follow_registrations")
            if method is None:
                found += parked(channel, "quorate.dlq", 2 - len(found), timeout=0.05)
            elif body == rejected.encode():
                channel.basic_reject(method.delivery_tag, requeue=False)
            else:  # as a consumer that dies on it, again and again, would
                channel.basic_nack(method.delivery_tag, requeue=True)
        assert {body: headers["x-first-death-reason"] for headers, body in found} == {
            rejected.encode(): "rejected", redelivered.encode(): "delivery_limit"}
        # Replayed from the broker's own x-death: back to the queue they died in.
        confirming = connection.channel()
        confirming.confirm_delivery()
        for headers, body in found:
            confirming.basic_publish("quorate.requeue", "quorate.dlq", body,
                                     pika.BasicProperties(headers=headers, delivery_mode=2))
        assert operators._replay(connection, channel, operators._peek(channel, "quorate.dlq"),
                                 "quorate") == 2
        back = [channel.basic_get("quorate.follow_registrations", auto_ack=True)[2]
                for _ in range(2)]
        assert sorted(back) == sorted([rejected.encode(), redelivered.encode()])
    finally:
        rabbitmqctl(amqp_uri, "clear_policy", "limit")
        connection.close()


def test_training_enrols_or_waitlists_an_admitted_participant_on_quorum_queues(
        amqp_uri, directory, broker):
    participant = str(uuid.uuid4())
    release = date.today() + timedelta(days=120)
    with running_service(TrainingService, amqp_uri, directory, QUEUE_TYPE="quorum",
                         OUTBOX_SWEEP_SECONDS=0.2, TRAINING_DEMAND="forklift"):
        assert {kind for kind, _ in queues(amqp_uri, "training.").values()} == {"quorum"}
        broker.publish("intake", "participant.admitted", dict(
            participant_id=participant, target_group="detainee-last-phase",
            municipality="0505", expected_release_date=str(release), language_level="B1",
            preferred_sectors=["logistics"]))
        deadline = time.monotonic() + 15
        while not [f for f in broker.drain() if f.get("subject") == participant
                   and f["type"] in ("training.enrolled", "training.waitlisted")]:
            assert time.monotonic() < deadline, "neither enrolled nor waitlisted"
            time.sleep(0.05)
