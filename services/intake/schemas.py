"""What intake's API takes and gives."""
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from services.intake.domain import PURPOSES, Screening, Status
from shared.contracts import vocabulary
from shared.contracts.fields import Code, Codes, LanguageLevel, Municipality, Text


class RegisterParticipant(Schema):
    target_group = Code(vocabulary.TARGET_GROUPS, required=True)
    institution = Text(120, required=True)
    municipality = Municipality(required=True)
    expected_release_date = fields.Date(required=True)


class ScreeningSchema(Schema):
    motivation = fields.Integer(required=True, validate=validate.Range(1, 5),
                                metadata={"description": "1 (none) to 5 (very motivated)"})
    safety_cleared = fields.Boolean(required=True)
    language_level = LanguageLevel(required=True)
    skills = fields.List(Text(80), load_default=list, validate=validate.Length(max=50))
    preferred_sectors = Codes(vocabulary.SECTORS, load_default=list)
    restrictions = Codes(vocabulary.RESTRICTIONS, load_default=list)
    banned_municipalities = fields.List(Municipality(), load_default=list,
                                        validate=validate.Length(max=50))

    @validates_schema
    def area_ban_names_municipalities(self, data, **kwargs):
        if ("area-ban" in data.get("restrictions", ())) != bool(data.get("banned_municipalities")):
            raise ValidationError("an area ban names the banned municipalities, and only then",
                                  "banned_municipalities")

    @post_load
    def to_screening(self, data, **kwargs):
        return Screening(**{name: tuple(value) if isinstance(value, list) else value
                            for name, value in data.items()})


class ConsentSchema(Schema):
    purpose = Code(PURPOSES, required=True)
    legal_basis = Code({"consent", "legal-obligation"}, required=True)
    version = Text(20, required=True)
    given_at = fields.DateTime(dump_only=True)


class SelectionDecision(Schema):
    decision = Code({"admit", "reject"}, required=True)
    reason = Code({"not-motivated", "safety-not-cleared", "no-consent", "other"},
                  load_default=None)

    @validates_schema
    def rejection_has_reason(self, data, **kwargs):
        if data["decision"] == "reject" and not data.get("reason"):
            raise ValidationError("a rejection needs a reason", "reason")


class Release(Schema):
    released_on = fields.Date(required=True)


class ParticipantQuery(Schema):
    status = fields.Enum(Status, by_value=True, load_default=None)
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))


class ParticipantSchema(Schema):
    id = fields.String()
    target_group = fields.String()
    institution = fields.String()
    municipality = fields.String()
    expected_release_date = fields.Date()
    status = fields.Enum(Status, by_value=True)
    screening = fields.Nested(ScreeningSchema, allow_none=True)
    consents = fields.List(fields.Nested(ConsentSchema))
    rejection_reason = fields.String(allow_none=True)
    released_on = fields.Date(allow_none=True)
