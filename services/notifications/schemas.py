"""What notifications' API takes and gives."""
from marshmallow import Schema, fields, validate


class InboxQuery(Schema):
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class InboxEntrySchema(Schema):
    id = fields.String()
    recipient = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    subject = fields.String(allow_none=True)
    summary = fields.String()
    received_at = fields.DateTime()
