"""What notifications' API takes and gives."""
from marshmallow import Schema, fields, validate

from services.notifications.domain import LANGUAGES, DeliveryStatus
from shared.contracts import vocabulary
from shared.contracts.fields import UUID_PATTERN, Code, Municipality
from shared.http import Paging

Uuid = validate.Regexp(UUID_PATTERN, error="Not a valid id.")
Name = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,79}$",
                       error="Lower-case letters, digits and dashes.")


class RecipientIn(Schema):
    name = fields.String(required=True, validate=Name)
    organisation = fields.String(load_default=None, validate=validate.Length(1, 160), metadata={
        "description": "default: the caller's organisation (only operators choose another, "
                       "e.g. municipality:0505 or employer:<id>)"})
    language = Code(LANGUAGES, load_default="nl")
    email = fields.Email(load_default=None, allow_none=True)
    webhook_url = fields.Url(load_default=None, allow_none=True, require_tld=False,
                             schemes={"http", "https"})
    digest = fields.Boolean(load_default=False, metadata={
        "description": "one e-mail a day instead of one per fact"})


class RecipientChange(Schema):
    language = Code(LANGUAGES)
    email = fields.Email(allow_none=True)
    webhook_url = fields.Url(allow_none=True, require_tld=False, schemes={"http", "https"})
    digest = fields.Boolean()


class RecipientSchema(Schema):
    id = fields.String()
    name = fields.String()
    organisation = fields.String()
    language = fields.String()
    email = fields.String(allow_none=True)
    webhook_url = fields.String(allow_none=True)
    employer_id = fields.String(allow_none=True)
    digest = fields.Boolean()
    channels = fields.List(fields.String())


class NewRecipientSchema(RecipientSchema):
    webhook_secret = fields.String(allow_none=True, metadata={
        "description": "shown in this answer only (a repeat with the same Idempotency-Key "
                       "answers null; a new webhook_url gets a new secret). A receiver "
                       "recomputes X-Doorstroom-Signature, `sha256=` and the hex HMAC-SHA256 "
                       "with it of `<X-Doorstroom-Timestamp>.<X-Doorstroom-Delivery>.<body>`, "
                       "rejects a timestamp more than 5 minutes from its clock, and remembers "
                       "delivery ids for at least 5 minutes past their timestamp to answer a "
                       "repeat 2xx without handling it again"})


class RecipientQuery(Paging):
    name = fields.String(load_default=None, validate=Name)


class SubscriptionSchema(Schema):
    id = fields.String(dump_only=True)
    pattern = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z_*]+(\.[a-z_*]+)?$", error="An event type or pattern, e.g. participant.*"))
    municipality = Municipality(load_default=None, allow_none=True, metadata={
        "description": "only facts about participants returning to this municipality"})


class AttemptSchema(Schema):
    at = fields.DateTime()
    succeeded = fields.Boolean()
    error = fields.String(allow_none=True)


class DeliverySchema(Schema):
    id = fields.String()
    recipient_id = fields.String()
    channel = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    summary = fields.String()
    status = fields.Enum(DeliveryStatus, by_value=True)
    created_at = fields.DateTime()
    attempts = fields.List(fields.Nested(AttemptSchema))
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)


class InboxEntrySchema(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    subject = fields.Function(lambda d: d.envelope.get("subject"))
    time = fields.Function(lambda d: d.envelope.get("time"))
    summary = fields.String()
    acknowledged_at = fields.DateTime(allow_none=True)


class InboxQuery(Paging):
    unread = fields.Boolean(load_default=False)


class DeliveryQuery(Paging):
    recipient_id = fields.String(load_default=None, validate=Uuid)
    status = fields.Enum(DeliveryStatus, by_value=True, load_default=None)
    channel = Code(vocabulary.DELIVERY_CHANNELS, load_default=None)
    event_id = fields.String(load_default=None)
