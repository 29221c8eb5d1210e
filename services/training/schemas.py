"""What training's API takes and gives."""
from marshmallow import Schema, fields

from services.training.domain import CATALOGUE, Status
from shared.contracts.fields import Code


class ModuleResultSchema(Schema):
    module = Code(CATALOGUE, required=True)
    passed = fields.Boolean(required=True)
    completed_on = fields.Date(required=True)


class DropOut(Schema):
    reason = Code({"motivation", "health", "transferred", "released-early", "other"}, required=True)


class CertificateSchema(Schema):
    id = fields.String()
    certificate = fields.String()
    module = fields.String()
    issued_on = fields.Date()
    expires_on = fields.Date(allow_none=True)


class ProgrammeSchema(Schema):
    id = fields.String()
    participant_id = fields.String()
    modules = fields.List(fields.String())
    enrolled_on = fields.Date()
    planned_end = fields.Date()
    status = fields.Enum(Status, by_value=True)
    results = fields.List(fields.Nested(ModuleResultSchema))
    certificates = fields.List(fields.Nested(CertificateSchema))
    drop_out_reason = fields.String(allow_none=True)
