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
    occupation = Code(vocabulary.OCCUPATIONS, open=True, required=True)
    start_date = fields.Date(required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))


@event_contract("placement.started", producer="placement", ordered=True)
class PlacementStarted(PlacementFact):
    """Contract type and hours let the social service adjust the participant's benefit."""
    contract_type = Code(vocabulary.CONTRACT_TYPES, open=True, required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    started_on = fields.Date(required=True)
    wage_cost_subsidy = fields.Boolean(required=True)


@event_contract("placement.milestone_reached", producer="placement")
class MilestoneReached(PlacementFact):
    months = fields.Integer(required=True, validate=validate.OneOf([1, 3, 6]))
    reached_on = fields.Date(required=True)


@event_contract("placement.sustained", producer="placement")
class PlacementSustained(PlacementFact):
    """Six months in work: a sustainable placement."""
    sustained_on = fields.Date(required=True)


@event_contract("placement.ended", producer="placement", ordered=True)
class PlacementEnded(PlacementFact):
    reason = Code({"contract-ended", "dismissed", "resigned", "returned-to-custody",
                   "moved-away", "health"}, required=True)
    ended_on = fields.Date(required=True)
    months_in_work = fields.Integer(required=True, validate=validate.Range(min=0))


@event_contract("placement.risk_raised", producer="placement")
class RiskRaised(PlacementFact):
    """The job coach sees the placement at risk; what they saw stays in their notes."""
    risk = Code({"attention", "at-risk"}, required=True)
    raised_on = fields.Date(required=True)
