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
    """Contract type and hours let the social service adjust the participant's benefit; the
    wage goes to the municipality alone, in `placement.terms_agreed`."""
    contract_type = Code(vocabulary.CONTRACT_TYPES, open=True, required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    started_on = fields.Date(required=True)
    wage_cost_subsidy = fields.Boolean(required=True)


@event_contract("placement.terms_agreed", producer="placement")
class TermsAgreed(PlacementFact):
    """The terms the participant started work on, for the municipality to set their benefit
    against (the wage goes to it alone: shared/contracts/policy.py). Recorded with
    `placement.started`."""
    contract_type = Code(vocabulary.CONTRACT_TYPES, open=True, required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    hourly_wage_cents = fields.Integer(required=True, validate=validate.Range(min=1), metadata={
        "description": "gross hourly wage in euro cents (1471 = EUR 14.71); for a paid "
                       "contract at least the statutory minimum in force on started_on"})
    started_on = fields.Date(required=True)
    wage_cost_subsidy = fields.Boolean(required=True)


MILESTONES_WITHDRAWN = {"description": "milestones published before that the corrected days no "
                                       "longer reach (6: no longer sustained); each is "
                                       "published again once reached"}


# The corrections belong among the ordered facts they correct, and become ordered in the next
# release: a new ordered type would be a gap in the sequence for the consumers of this one
# (docs/events.md#versioning), so this release's followers of placement's ordered facts follow
# them already.
@event_contract("placement.start_corrected", producer="placement")
class StartCorrected(PlacementFact):
    """The recorded start was wrong: the participant started work on `started_on`."""
    started_on = fields.Date(required=True)
    previous_started_on = fields.Date(required=True)
    reason = Code(vocabulary.CORRECTION_REASONS, required=True)
    milestones_withdrawn = fields.List(fields.Integer(validate=validate.OneOf([1, 3, 6])),
                                       required=True, metadata=MILESTONES_WITHDRAWN)


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
    reason = Code(vocabulary.PLACEMENT_END_REASONS, required=True)
    ended_on = fields.Date(required=True)
    months_in_work = fields.Integer(required=True, validate=validate.Range(min=0))


@event_contract("placement.end_corrected", producer="placement")
class EndCorrected(PlacementFact):
    """The recorded end was wrong: the placement ended on `ended_on`."""
    ended_on = fields.Date(required=True)
    previous_ended_on = fields.Date(required=True)
    reason = Code(vocabulary.CORRECTION_REASONS, required=True)
    months_in_work = fields.Integer(required=True, validate=validate.Range(min=0))
    milestones_withdrawn = fields.List(fields.Integer(validate=validate.OneOf([1, 3, 6])),
                                       required=True, metadata=MILESTONES_WITHDRAWN)


@event_contract("placement.risk_raised", producer="placement")
class RiskRaised(PlacementFact):
    """The job coach sees the placement at risk; what they saw stays in their notes."""
    risk = Code(vocabulary.RISK_LEVELS[1:], required=True)
    raised_on = fields.Date(required=True)
