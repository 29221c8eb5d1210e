"""What placement's API takes and gives."""
from decimal import Decimal

from marshmallow import (Schema, ValidationError, fields, post_load, validate, validates_schema)

from services.placement.domain import ADULT_AGE, YOUTH_AGES, Status, WageCostSubsidy
from shared.contracts import vocabulary
from shared.contracts.fields import UUID_PATTERN, Code, Text
from shared.http import Paging

Uuid = validate.Regexp(UUID_PATTERN, error="Not a valid id.")


def youth_age(description):
    return fields.Integer(load_default=None, validate=validate.Range(YOUTH_AGES[0],
                                                                     YOUTH_AGES[-1]),
                          metadata={"description": description})


class SubsidySchema(Schema):
    percentage = fields.Integer(required=True, validate=validate.Range(1, 100))
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)

    @validates_schema
    def ends_after_start(self, data, **kwargs):
        if data["ends_on"] < data["starts_on"]:
            raise ValidationError("a subsidy cannot end before it starts", "ends_on")

    @post_load
    def to_value(self, data, **kwargs):
        return WageCostSubsidy(**data)


class StartPlacement(Schema):
    contract_type = Code(vocabulary.CONTRACT_TYPES, required=True)
    hours_per_week = fields.Integer(load_default=None, validate=validate.Range(1, 40),
                                    metadata={"description": "default: the vacancy's hours"})
    hourly_wage = fields.Decimal(required=True, places=2, as_string=True,
                                 validate=validate.Range(Decimal("0.01"), Decimal("200")),
                                 metadata={"description": "gross, in euros; for a paid "
                                           "contract at least the statutory minimum wage in "
                                           "force on started_on (minimum_wage.yaml): the "
                                           f"amount for {ADULT_AGE} and over, or with "
                                           "age_on_start the youth amount of that age"})
    age_on_start = youth_age(
        f"the employee's age in whole years on started_on, {YOUTH_AGES[0]} to "
        f"{YOUTH_AGES[-1]}, for a paid contract at the statutory minimum youth wage "
        f"(wettelijk minimumjeugdloon): a wage below the amount for {ADULT_AGE} and over "
        "starts only with it, at that age's amount or more. Leave it out otherwise: it is "
        "kept only while the wage needs it, and never published")
    job_coach = Text(120, required=True)
    started_on = fields.Date(required=True, metadata={"description": "not after today"})
    subsidy = fields.Nested(SubsidySchema, load_default=None, allow_none=True,
                            metadata={"description": "wage-cost subsidy (loonkostensubsidie)"})
    no_risk_policy = fields.Boolean(load_default=False)

    @post_load
    def in_cents(self, data, **kwargs):
        data["hourly_wage_cents"] = int(data.pop("hourly_wage") * 100)
        return data


class EndPlacement(Schema):
    reason = Code(vocabulary.PLACEMENT_END_REASONS, required=True)
    ended_on = fields.Date(required=True, metadata={"description": "not after today"})


class CorrectStart(Schema):
    started_on = fields.Date(required=True, metadata={"description": "not after today"})
    previous_started_on = fields.Date(load_default=None, metadata={
        "description": "the start day the corrector saw recorded: where it was corrected "
                       "meanwhile, the answer is 409 (and nothing changes)"})
    reason = Code(vocabulary.CORRECTION_REASONS, required=True)
    age_on_start = youth_age(
        "the employee's age in whole years on the corrected started_on, where the wage is a "
        "youth wage there (see the start); default: the age the start was checked at, so give "
        "it where a birthday lies between the two days")


class CorrectEnd(Schema):
    ended_on = fields.Date(required=True, metadata={"description": "not after today"})
    previous_ended_on = fields.Date(load_default=None, metadata={
        "description": "the end day the corrector saw recorded: where it was corrected "
                       "meanwhile, the answer is 409 (and nothing changes)"})
    reason = Code(vocabulary.CORRECTION_REASONS, required=True)


class CorrectionSchema(Schema):
    field = fields.String(metadata={"description": "started_on or ended_on"})
    previous = fields.Date(metadata={"description": "the day recorded before"})
    corrected = fields.Date()
    reason = fields.String()
    corrected_by = fields.String()
    corrected_on = fields.Date()


class CheckInSchema(Schema):
    held_on = fields.Date(required=True, metadata={"description": "not after today"})
    notes = fields.String(load_default="", validate=validate.Length(max=4000), metadata={
        "description": "for the coach's organisation only"})
    risk = Code(vocabulary.RISK_LEVELS, required=True)
    coach = fields.String(dump_only=True)


class PlacementQuery(Paging):
    participant_id = fields.String(load_default=None, validate=Uuid)
    employer_id = fields.String(load_default=None, validate=Uuid)
    status = fields.Enum(Status, by_value=True, load_default=None)
    started_after = fields.Date(load_default=None, metadata={
        "description": "started on or after this date"})
    started_before = fields.Date(load_default=None, metadata={
        "description": "started on or before this date"})


class EmployerPlacementSchema(Schema):
    """A placement as its employer sees it: the job, not the coaching."""
    id = fields.String()
    vacancy_id = fields.String()
    occupation = fields.String()
    start_date = fields.Date()
    hours_per_week = fields.Integer()
    status = fields.Enum(Status, by_value=True)
    contract_type = fields.String(allow_none=True)
    subsidy = fields.Nested(SubsidySchema, allow_none=True)
    no_risk_policy = fields.Boolean()
    started_on = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    end_reason = fields.String(allow_none=True)
    milestones = fields.List(fields.Integer())
    sustained = fields.Boolean()


class PlacementSchema(EmployerPlacementSchema):
    """A placement as the job coach sees it."""
    match_id = fields.String()
    participant_id = fields.String()
    employer_id = fields.String()
    hourly_wage_cents = fields.Integer(allow_none=True)
    job_coach = fields.String(allow_none=True)
    risk = fields.String()
    check_ins = fields.List(fields.Nested(CheckInSchema))
    corrections = fields.List(fields.Nested(CorrectionSchema), metadata={
        "description": "the recorded start and end days put right, oldest first"})


class Period(Schema):
    period_start = fields.Date(required=True, data_key="from")
    period_end = fields.Date(required=True, data_key="to", metadata={"description": "exclusive"})

    @validates_schema
    def ordered(self, data, **kwargs):
        if data["period_end"] <= data["period_start"]:
            raise ValidationError("the period ends after it starts", "to")


class LedgerQuery(Period):
    employer_id = fields.String(load_default=None, validate=Uuid)


class OutcomeQuery(Period):
    group_by = Code({"target_group", "municipality"}, load_default="target_group")


class LedgerCounts(Schema):
    placements = fields.Integer()
    months = fields.Integer()
    hours = fields.Integer()
    value = fields.Integer(metadata={"description": "euros, by the social-return rules"})


class LedgerEntry(Schema):
    employer_id = fields.String()
    regular = fields.Nested(LedgerCounts)
    programme = fields.Nested(LedgerCounts, metadata={
        "description": "subsidised jobs and programme contracts (work trial, learn-work job, "
                       "sheltered work)"})


class OutcomeSchema(Schema):
    group = fields.String()
    started = fields.Integer()
    sustained = fields.Integer()
    sustainable_rate = fields.Float(allow_none=True, metadata={
        "description": "sustained / placements old enough (or ended) to tell"})
    median_days_release_to_work = fields.Float(allow_none=True)
