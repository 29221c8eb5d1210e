"""What placement's API takes and gives."""
from marshmallow import Schema, fields

from services.placement.domain import Status
from shared.contracts import vocabulary
from shared.contracts.fields import Code, Text


class StartPlacement(Schema):
    contract_type = Code(vocabulary.CONTRACT_TYPES, required=True)
    job_coach = Text(120, required=True)
    started_on = fields.Date(required=True)


class PlacementQuery(Schema):
    participant_id = fields.String(load_default=None)
    status = fields.Enum(Status, by_value=True, load_default=None)


class PlacementSchema(Schema):
    id = fields.String()
    match_id = fields.String()
    participant_id = fields.String()
    employer_id = fields.String()
    vacancy_id = fields.String()
    start_date = fields.Date()
    hours_per_week = fields.Integer()
    status = fields.Enum(Status, by_value=True)
    contract_type = fields.String(allow_none=True)
    job_coach = fields.String(allow_none=True)
    started_on = fields.Date(allow_none=True)
