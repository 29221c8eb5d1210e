"""Facts the notifications service publishes, for audit and operators."""
from marshmallow import Schema

from shared.contracts import event_contract
from shared.contracts.fields import Code, Id, Text


@event_contract("notification.delivered", producer="notifications")
class NotificationDelivered(Schema):
    delivery_id = Id()
    recipient = Text(80, required=True)
    channel = Code({"inbox"}, required=True)
    event_id = Text(200, required=True)
    event_type = Text(200, required=True)
