"""What matching's API takes and gives."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.matching.domain import (HARD_CONSTRAINTS, CandidateStatus, ProposalStatus,
                                      VacancyStatus)
from shared.contracts import vocabulary
from shared.contracts.fields import (UUID_PATTERN, Code, Codes, LanguageLevel, Municipality, Text,
                                     TimeOfDay)
from shared.http import Paging

Uuid = validate.Regexp(UUID_PATTERN, error="Not a valid id.")


class EmployerIn(Schema):
    name = Text(120, required=True)
    sector = Code(vocabulary.SECTORS, required=True)
    municipality = Municipality(required=True)
    contact_name = Text(120, required=True)
    contact_email = fields.Email(required=True, validate=validate.Length(max=200))
    social_return = fields.Boolean(load_default=False, metadata={
        "description": "whether the employer carries a social-return obligation"})


class EmployerSchema(EmployerIn):
    id = fields.String()


class VacancyIn(Schema):
    employer_id = fields.String(required=True, validate=Uuid)
    occupation = Code(vocabulary.OCCUPATIONS, required=True)
    # Optional, so that callers written before vacancies had titles keep working.
    title = Text(120, metadata={
        "description": "what the employer calls the job; by default the occupation's name"})
    description = Text(2000, load_default=None, allow_none=True)
    sector = Code(vocabulary.SECTORS, required=True)
    municipality = Municipality(required=True)
    postcode = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"^[1-9][0-9]{3} ?[A-Z]{2}$", error="Not a Dutch postcode (1234 AB)."))
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    start_date = fields.Date(required=True, metadata={
        "description": "today or later (Europe/Amsterdam); a changed start date too"})
    positions = fields.Integer(load_default=1, validate=validate.Range(1, 500))
    required_certificates = Codes(vocabulary.CERTIFICATES, load_default=list)
    desired_certificates = Codes(vocabulary.CERTIFICATES, load_default=list)
    skills = Codes(vocabulary.SKILLS, load_default=list)
    min_language_level = LanguageLevel(load_default=None, allow_none=True)
    vog_required = fields.Boolean(load_default=False)
    vog_risk_areas = Codes(vocabulary.VOG_RISK_AREAS, load_default=list, metadata={
        "description": "screening-profile risk areas the VOG is asked for"})
    works_with_minors = fields.Boolean(load_default=False)
    works_with_vulnerable_people = fields.Boolean(load_default=False)
    shift_starts_at = TimeOfDay(load_default=None, allow_none=True)
    shift_ends_at = TimeOfDay(load_default=None, allow_none=True)


class VacancyChange(VacancyIn):
    """Any of a vacancy's fields but its employer."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, exclude=("employer_id",), **kwargs)


class VacancySchema(VacancyIn):
    title = fields.String()
    id = fields.String()
    accepted = fields.Integer()
    status = fields.Enum(VacancyStatus, by_value=True)


class VacancyQuery(Paging):
    status = fields.Enum(VacancyStatus, by_value=True, load_default=None)
    employer_id = fields.String(load_default=None, validate=Uuid)
    municipality = Municipality(load_default=None)
    q = Text(120, load_default=None, metadata={
        "description": "text in the title or description, in any case"})


class VacancyClosure(Schema):
    reason = Code(vocabulary.VACANCY_CLOSE_REASONS, required=True)


class CandidateSchema(Schema):
    participant_id = fields.String()
    status = fields.Enum(CandidateStatus, by_value=True)
    municipality = fields.String()
    expected_release_date = fields.Date()
    released_on = fields.Date(allow_none=True)
    may_work_outside_from = fields.Date(allow_none=True)
    available_from = fields.Date()
    language_level = fields.String()
    occupations = fields.List(fields.String())
    skills = fields.List(fields.String())
    preferred_sectors = fields.List(fields.String())
    hours_per_week = fields.Integer(allow_none=True)
    certificates = fields.List(fields.String())
    restrictions = fields.List(fields.String())
    banned_municipalities = fields.List(fields.String())
    vog_risk_areas = fields.List(fields.String())
    curfew_starts_at = fields.String(allow_none=True)
    curfew_ends_at = fields.String(allow_none=True)


class CandidateQuery(Paging):
    status = fields.Enum(CandidateStatus, by_value=True, load_default=None)


class ExclusionSchema(Schema):
    code = fields.String(validate=validate.OneOf(sorted(HARD_CONSTRAINTS)))
    explanation = fields.String()


class AssessmentSchema(Schema):
    participant_id = fields.String()
    vacancy_id = fields.String()
    eligible = fields.Boolean()
    near_miss = fields.Boolean()
    score = fields.Integer()
    score_parts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "the points of each part of the score; empty for one excluded"})
    met = fields.List(fields.String())
    missed = fields.List(fields.String())
    exclusions = fields.List(fields.String())
    exclusion_reasons = fields.List(fields.Nested(ExclusionSchema), metadata={
        "description": "why the candidate is excluded, each reason as a code and in words"})
    closing_modules = fields.List(fields.String(), metadata={
        "description": "training modules that would close the gap of a near miss"})


class PairAssessmentSchema(AssessmentSchema):
    matchable = fields.Boolean(metadata={
        "description": "whether the candidate is matched at all today: training completed, or "
                       "release near; one who is not is in no ranking"})


class RankingSchema(Schema):
    vacancy_id = fields.String()
    eligible = fields.List(fields.Nested(AssessmentSchema))
    near_misses = fields.List(fields.Nested(AssessmentSchema))
    excluded = fields.List(fields.Nested(AssessmentSchema), metadata={
        "description": "with include_excluded: the candidates matched today whom the vacancy "
                       "excludes for more than training can close, by id"})


class RankingQuery(Schema):
    include_excluded = fields.Boolean(load_default=False, metadata={
        "description": "also list the candidates the vacancy excludes, with the reasons"})


class ProposalQuery(Paging):
    participant_id = fields.String(load_default=None, validate=Uuid)
    vacancy_id = fields.String(load_default=None, validate=Uuid)
    status = fields.Enum(ProposalStatus, by_value=True, load_default=None)


class ProposalSchema(Schema):
    """A proposal as the social service's caseworkers see it: the full reasoning."""
    id = fields.String()
    vacancy_id = fields.String()
    employer_id = fields.String()
    participant_id = fields.String()
    score = fields.Integer()
    reasons = fields.List(fields.String())
    status = fields.Enum(ProposalStatus, by_value=True)
    proposed_at = fields.DateTime()
    expires_at = fields.DateTime()
    employer_accepted = fields.Boolean()
    candidate_accepted = fields.Boolean()
    declined_by = fields.String(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    expiry_reason = fields.String(allow_none=True)


class EmployerProposalSchema(Schema):
    """A proposal as the employer sees it: an anonymous candidate and what speaks for them."""
    id = fields.String()
    vacancy_id = fields.String()
    candidate = fields.String(attribute="candidate_alias")
    candidate_profile = fields.Dict(attribute="candidate_summary")
    score = fields.Integer()
    reasons = fields.List(fields.String(), attribute="employer_view")
    status = fields.Enum(ProposalStatus, by_value=True)
    proposed_at = fields.DateTime()
    expires_at = fields.DateTime()
    employer_accepted = fields.Boolean()


class EmployerResponse(Schema):
    decision = Code({"accept", "decline"}, required=True)
    reason = Text(200, load_default=None)

    @validates_schema
    def decline_has_reason(self, data, **kwargs):
        if data["decision"] == "decline" and not data.get("reason"):
            raise ValidationError("a decline needs a reason", "reason")


class ProposalResponse(EmployerResponse):
    party = Code({"employer", "candidate"}, required=True)
