"""What intake's API takes and gives."""
from datetime import date

from marshmallow import (Schema, ValidationError, fields, post_load, validate, validates,
                         validates_schema)

from services.intake.domain import (BasicCondition, Curfew, Identity, Restrictions,
                                    SafetyClearance, Screening, Status, bsn_is_valid)
from shared import clock
from shared.contracts import vocabulary
from shared.contracts.fields import Code, Codes, LanguageLevel, Municipality, Text, TimeOfDay
from shared.http import Paging


def _a_valid_bsn(value):
    if not bsn_is_valid(value):
        raise ValidationError("Not a valid BSN: nine digits that pass the eleven-test.")


class IdentitySchema(Schema):
    name = Text(200, required=True)
    bsn = fields.String(required=True, validate=_a_valid_bsn,
                        metadata={"description": "burgerservicenummer, nine digits"})
    date_of_birth = fields.Date(required=True)

    @validates("date_of_birth")
    def in_the_past(self, value, **kwargs):
        if not date(1900, 1, 1) <= value < clock.today():
            raise ValidationError("Not a plausible date of birth.")

    @post_load
    def to_identity(self, data, **kwargs):
        return Identity(**data)


class RegisterParticipant(Schema):
    identity = fields.Nested(IdentitySchema, required=True, load_only=True)
    target_group = Code(vocabulary.TARGET_GROUPS, required=True)
    institution = Text(120, required=True)
    municipality = Municipality(required=True)
    expected_release_date = fields.Date(required=True)


class SafetyClearanceSchema(Schema):
    cleared = fields.Boolean(required=True)
    assessed_by = Text(120, required=True)
    assessed_on = fields.Date(required=True)

    @post_load
    def to_value(self, data, **kwargs):
        return SafetyClearance(**data)


class CurfewSchema(Schema):
    starts_at = TimeOfDay(required=True)
    ends_at = TimeOfDay(required=True)
    electronic_monitoring = fields.Boolean(load_default=False)

    @post_load
    def to_value(self, data, **kwargs):
        return Curfew(**data)


class RestrictionsSchema(Schema):
    no_work_with_minors = fields.Boolean(load_default=False)
    no_work_with_vulnerable_people = fields.Boolean(load_default=False)
    banned_municipalities = fields.List(Municipality(), load_default=list,
                                        validate=validate.Length(max=50))
    vog_risk_areas = Codes(vocabulary.VOG_RISK_AREAS, load_default=list)
    driving_ban = fields.Boolean(load_default=False)
    curfew = fields.Nested(CurfewSchema, load_default=None, allow_none=True)

    @post_load
    def to_value(self, data, **kwargs):
        return Restrictions(**_tuples(data))


class ScreeningSchema(Schema):
    motivation = fields.Integer(required=True, validate=validate.Range(1, 5),
                                metadata={"description": "1 (none) to 5 (very motivated)"})
    safety = fields.Nested(SafetyClearanceSchema, required=True)
    language_level = LanguageLevel(required=True)
    occupations = Codes(vocabulary.OCCUPATIONS, load_default=list)
    skills = Codes(vocabulary.SKILLS, load_default=list)
    drivers_and_ambitions = fields.String(load_default="", validate=validate.Length(max=2000))
    preferred_sectors = Codes(vocabulary.SECTORS, load_default=list)
    hours_per_week = fields.Integer(load_default=None, allow_none=True,
                                    validate=validate.Range(1, 48))
    restrictions = fields.Nested(RestrictionsSchema, load_default=Restrictions)
    may_work_outside_from = fields.Date(load_default=None, allow_none=True)

    @post_load
    def to_screening(self, data, **kwargs):
        return Screening(**_tuples(data))


class ConsentSchema(Schema):
    purpose = Code(vocabulary.CONSENT_PURPOSES, required=True)
    legal_basis = Code(vocabulary.LEGAL_BASES, required=True)
    version = Text(20, required=True)
    given_at = fields.DateTime(dump_only=True)
    withdrawn_at = fields.DateTime(dump_only=True, allow_none=True)


class SelectionDecision(Schema):
    decision = Code({"admit", "reject"}, required=True)
    reason = Code(vocabulary.REJECTION_REASONS, load_default=None)

    @validates_schema
    def rejection_has_reason(self, data, **kwargs):
        if data["decision"] == "reject" and not data.get("reason"):
            raise ValidationError("a rejection needs a reason", "reason")


class ReleaseDateChange(Schema):
    expected_release_date = fields.Date(required=True)


class BasicConditionSchema(Schema):
    condition = Code(vocabulary.BASIC_CONDITIONS, required=True)
    status = Code(vocabulary.CONDITION_STATUSES, required=True)
    since = fields.Date(required=True)

    @post_load
    def to_value(self, data, **kwargs):
        return BasicCondition(**data)


class BasicConditionsUpdate(Schema):
    conditions = fields.List(fields.Nested(BasicConditionSchema), required=True,
                             validate=validate.Length(1, len(vocabulary.BASIC_CONDITIONS)))


class Release(Schema):
    released_on = fields.Date(required=True)


class ReleaseCorrection(Schema):
    released_on = fields.Date(required=True)
    reason = Code(vocabulary.CORRECTION_REASONS, required=True)


class Withdrawal(Schema):
    reason = Code(vocabulary.WITHDRAWAL_REASONS, required=True)
    withdrawn_on = fields.Date(required=True)


class ParticipantQuery(Paging):
    status = fields.Enum(Status, by_value=True, load_default=None)
    target_group = Code(vocabulary.TARGET_GROUPS, load_default=None)
    municipality = Municipality(load_default=None)
    institution = Text(120, load_default=None)
    name = Text(200, load_default=None, metadata={
        "description": "participants with every word of this in their name, whole words, "
                       "regardless of accents and capitals; the search is logged as a read"})
    bsn = fields.String(load_default=None, validate=_a_valid_bsn, metadata={
        "description": "the participant in the chain with this burgerservicenummer; the search "
                       "is logged as a read"})
    released_after = fields.Date(load_default=None, metadata={
        "description": "expected release on or after this date"})
    released_before = fields.Date(load_default=None, metadata={
        "description": "expected release on or before this date"})
    order = Code({"release-date", "-release-date"}, load_default="release-date", metadata={
        "description": "by expected release date, soonest first; -release-date: latest first"})


class ParticipantSchema(Schema):
    id = fields.String()
    target_group = fields.String()
    institution = fields.String()
    municipality = fields.String()
    expected_release_date = fields.Date()
    status = fields.Enum(Status, by_value=True)
    screening = fields.Nested(ScreeningSchema, allow_none=True)
    consents = fields.List(fields.Nested(ConsentSchema))
    basic_conditions = fields.List(fields.Nested(BasicConditionSchema))
    rejection_reason = fields.String(allow_none=True)
    released_on = fields.Date(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)


def _tuples(data):
    return {name: tuple(value) if isinstance(value, list) else value
            for name, value in data.items()}


class ErasureConfirmation(Schema):
    service = fields.String()
    at = fields.DateTime()


class ErasureSchema(Schema):
    purpose = fields.String()
    withdrawn_at = fields.DateTime()
    confirmed = fields.List(fields.Nested(ErasureConfirmation))
    awaited = fields.List(fields.String(), metadata={
        "description": "services that held data for the purpose and have not yet confirmed"})
