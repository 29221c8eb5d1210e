"""What training's API takes and gives."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.training.domain import Status, StepStatus
from shared.contracts import vocabulary
from shared.contracts.fields import Code, Codes, LanguageLevel, Text, UUID_PATTERN
from shared.contracts.training import DROP_OUT_REASONS
from shared.http import Paging

MODULE_CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,59}$", error="Not a module code "
                              "(lower-case letters, digits and dashes).")


class ModuleSchema(Schema):
    code = fields.String(required=True, validate=MODULE_CODE)
    name = Text(120, required=True)
    weeks = fields.Integer(required=True, validate=validate.Range(1, 104))
    places = fields.Integer(required=True, validate=validate.Range(1, 100),
                            metadata={"description": "places per cohort"})
    certificate = Code(vocabulary.CERTIFICATES, required=True)
    issuer = Text(120, required=True)
    valid_years = fields.Integer(load_default=None, allow_none=True,
                                 validate=validate.Range(1, 50))
    sectors = Codes(vocabulary.SECTORS, load_default=list)
    required_modules = fields.List(fields.String(validate=MODULE_CODE), load_default=list,
                                   validate=validate.Length(max=10))
    min_language_level = LanguageLevel(load_default=None, allow_none=True)


class ModuleChange(ModuleSchema):
    """Any of a module's fields but its code."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, exclude=("code",), **kwargs)


class CohortPlan(Schema):
    module = fields.String(required=True, validate=MODULE_CODE)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    places = fields.Integer(required=True, validate=validate.Range(1, 100))
    trainer = Text(120, required=True)

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if data["ends_on"] < data["starts_on"]:
            raise ValidationError("a cohort cannot end before it starts", "ends_on")


class SessionSchema(Schema):
    held_on = fields.Date(required=True)
    present = fields.List(fields.String(validate=validate.Regexp(UUID_PATTERN)),
                          load_default=list, validate=validate.Length(max=100))
    absent = fields.List(fields.String(validate=validate.Regexp(UUID_PATTERN)),
                         load_default=list, validate=validate.Length(max=100))


class CohortSchema(CohortPlan):
    id = fields.String(dump_only=True)
    members = fields.List(fields.String(), dump_only=True)
    sessions = fields.List(fields.Nested(SessionSchema), dump_only=True)


class CohortQuery(Paging):
    module = fields.String(load_default=None, validate=MODULE_CODE)


class EnrolmentRequest(Schema):
    module = fields.String(required=True, validate=MODULE_CODE)


class ModuleResultSchema(Schema):
    module = fields.String(required=True, validate=MODULE_CODE)
    passed = fields.Boolean(required=True)
    completed_on = fields.Date(required=True)


class ResultCorrectionRequest(Schema):
    previous_passed = fields.Boolean(required=True, metadata={
        "description": "the latest result as the trainer saw it: refused with 409 when "
                       "another was recorded meanwhile"})
    previous_completed_on = fields.Date(required=True)
    passed = fields.Boolean(required=True)
    completed_on = fields.Date(required=True, metadata={"description": "not after today"})
    reason = Code(vocabulary.CORRECTION_REASONS, required=True)


class ResultCorrectionSchema(Schema):
    module = fields.String()
    previous_passed = fields.Boolean(metadata={"description": "the result recorded before"})
    previous_completed_on = fields.Date()
    passed = fields.Boolean()
    completed_on = fields.Date()
    reason = fields.String()
    corrected_by = fields.String()
    corrected_on = fields.Date()


class DropOut(Schema):
    reason = Code(DROP_OUT_REASONS - {"left-the-chain"}, required=True)


class CertificateSchema(Schema):
    id = fields.String()
    number = fields.String()
    certificate = fields.String()
    module = fields.String()
    issuer = fields.String()
    issued_on = fields.Date()
    expires_on = fields.Date(allow_none=True)


class StepSchema(Schema):
    module = fields.String()
    status = fields.Enum(StepStatus, by_value=True)
    cohort_id = fields.String(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    sessions_attended = fields.Integer()
    sessions_held = fields.Integer()


class ProgrammeSchema(Schema):
    id = fields.String()
    participant_id = fields.String()
    status = fields.Enum(Status, by_value=True)
    enrolled_on = fields.Date()
    release_date = fields.Date()
    planned_end = fields.Date()
    finishes_before_release = fields.Boolean()
    steps = fields.List(fields.Nested(StepSchema))
    results = fields.List(fields.Nested(ModuleResultSchema))
    certificates = fields.List(fields.Nested(CertificateSchema))
    corrections = fields.List(fields.Nested(ResultCorrectionSchema), metadata={
        "description": "results put right, oldest first"})
    drop_out_reason = fields.String(allow_none=True)


class WaitingListSchema(Schema):
    module = fields.String()
    waiting = fields.List(fields.String(), metadata={"description": "participant ids, first in line first"})


class DemandSchema(Schema):
    sector = fields.String(allow_none=True)
    certificate = fields.String()
    vacancies = fields.Integer()
