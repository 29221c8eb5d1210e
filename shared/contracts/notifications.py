"""Facts the notifications service publishes, for audit and operators: which recipient heard
of which fact over which channel, or could not be reached."""
from marshmallow import Schema, fields, validate

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import Code, Id, Text


class DeliveryFact(Schema):
    delivery_id = Id()
    recipient = Text(80, required=True)
    organisation = Text(40, required=True)
    channel = Code(vocabulary.DELIVERY_CHANNELS, required=True)
    event_id = Text(200, required=True)
    event_type = Text(200, required=True)


@event_contract("notification.delivered", producer="notifications")
class NotificationDelivered(DeliveryFact):
    pass


@event_contract("notification.failed", producer="notifications")
class NotificationFailed(DeliveryFact):
    """Every attempt failed; the delivery waits in the log for someone to send it again."""
    attempts = fields.Integer(required=True, validate=validate.Range(min=1))
    error = Text(500, required=True)
