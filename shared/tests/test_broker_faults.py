"""A connection to the broker that drops while a consumer settles a message: the service stays
up and the message, unacknowledged, comes again. tests/faults/test_broker_restart.py causes
this with a real broker restart; here the moment is caught exactly."""
from kombu.message import Message

from shared.consumer import ParkingQueueConsumer


class DroppedChannel:
    """A channel whose connection the broker has just reset."""
    connection = object()
    no_ack_consumers = None

    def basic_ack(self, delivery_tag, **how):
        raise ConnectionResetError(104, "Connection reset by peer")

    basic_reject = basic_ack


def test_settling_a_message_on_a_connection_that_just_dropped_raises_nothing(caplog):
    consumer = ParkingQueueConsumer()
    consumer.ack_message(Message(body=b"{}", channel=DroppedChannel(), delivery_tag=1))
    consumer.requeue_message(Message(body=b"{}", channel=DroppedChannel(), delivery_tag=2))
    assert caplog.text.count("will be delivered again") == 2
