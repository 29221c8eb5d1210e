"""Facts the work company's placement service publishes."""
from marshmallow import Schema, fields, validate

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import Code, Id


class PlacementFact(Schema):
    placement_id = Id()
    participant_id = Id()
    employer_id = Id()


@event_contract("placement.planned", producer="placement")
class PlacementPlanned(PlacementFact):
    match_id = Id()
    vacancy_id = Id()
    start_date = fields.Date(required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))


@event_contract("placement.started", producer="placement")
class PlacementStarted(PlacementFact):
    contract_type = Code(vocabulary.CONTRACT_TYPES, required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    started_on = fields.Date(required=True)
