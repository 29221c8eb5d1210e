"""What notifications' API takes and gives."""
from marshmallow import Schema, fields

from shared.http import Paging


class InboxQuery(Paging):
    pass


class InboxEntrySchema(Schema):
    id = fields.String()
    recipient = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    subject = fields.String(allow_none=True)
    summary = fields.String()
    received_at = fields.DateTime()
