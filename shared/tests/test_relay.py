"""A relay publishes each fact as a CloudEvent in structured mode, as a client that knows only
the CloudEvents SDK reads it: its RabbitMQ binding, on a message taken off the real broker."""
import uuid

from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq_event

from services.intake.store import IntakeUnitOfWork
from shared.relay import OutboxRelay
from shared.store import make_engine, session_factory

WATCHED = ("intake",)  # the broker fixture hears intake's exchange


def test_a_published_fact_is_a_structured_cloudevent_to_the_sdk(broker, amqp_uri, directory):
    engine = make_engine(f"sqlite:///{directory / 'relay.db'}")
    IntakeUnitOfWork.metadata.create_all(engine)
    participant = str(uuid.uuid4())
    with IntakeUnitOfWork(session_factory(engine)) as uow:
        fact = uow.record("participant.released", {
            "participant_id": participant, "released_on": "2027-01-15",
            "municipality": "0505"}, subject=participant)
        uow.commit()
    assert OutboxRelay("intake", session_factory(engine), IntakeUnitOfWork.outbox,
                       amqp_uri).publish_pending() == 1
    _, properties, body = broker.channel.basic_get(broker.queue, auto_ack=True)
    engine.dispose()

    assert properties.content_type == "application/cloudevents+json"
    event = from_rabbitmq_event(RabbitMQMessage(
        headers=properties.headers, content_type=properties.content_type, body=body))
    assert (event.get_id(), event.get_source(), event.get_type(), event.get_subject()) == \
        (fact.id, "/doorstroom/intake", "participant.released", participant)
    assert event.get_data() == fact.to_json()["data"]
