"""What matching's API takes and gives."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.matching.domain import CandidateStatus, ProposalStatus, VacancyStatus
from shared.contracts import vocabulary
from shared.contracts.fields import UUID_PATTERN, Code, Codes, Municipality, Text


class EmployerIn(Schema):
    name = Text(120, required=True)
    sector = Code(vocabulary.SECTORS, required=True)
    municipality = Municipality(required=True)
    social_return = fields.Boolean(load_default=False)


class EmployerSchema(EmployerIn):
    id = fields.String()


class VacancyIn(Schema):
    employer_id = fields.String(required=True, validate=validate.Regexp(UUID_PATTERN))
    occupation = Text(120, required=True)
    sector = Code(vocabulary.SECTORS, required=True)
    required_certificates = Codes(vocabulary.CERTIFICATES, load_default=list)
    municipality = Municipality(required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    start_date = fields.Date(required=True)
    positions = fields.Integer(load_default=1, validate=validate.Range(1, 500))


class VacancySchema(VacancyIn):
    id = fields.String()
    accepted = fields.Integer()
    status = fields.Enum(VacancyStatus, by_value=True)


class CandidateSchema(Schema):
    participant_id = fields.String()
    municipality = fields.String()
    expected_release_date = fields.Date()
    released_on = fields.Date(allow_none=True)
    language_level = fields.String()
    preferred_sectors = fields.List(fields.String())
    certificates = fields.List(fields.String())
    status = fields.Enum(CandidateStatus, by_value=True)


class ProposalQuery(Schema):
    participant_id = fields.String(load_default=None)
    vacancy_id = fields.String(load_default=None)
    status = fields.Enum(ProposalStatus, by_value=True, load_default=None)


class ProposalSchema(Schema):
    id = fields.String()
    vacancy_id = fields.String()
    employer_id = fields.String()
    participant_id = fields.String()
    score = fields.Float()
    reasons = fields.List(fields.String())
    status = fields.Enum(ProposalStatus, by_value=True)
    employer_accepted = fields.Boolean()
    candidate_accepted = fields.Boolean()
    declined_by = fields.String(allow_none=True)
    decline_reason = fields.String(allow_none=True)


class ProposalResponse(Schema):
    party = Code({"employer", "candidate"}, required=True)
    decision = Code({"accept", "decline"}, required=True)
    reason = Text(200, load_default=None)

    @validates_schema
    def decline_has_reason(self, data, **kwargs):
        if data["decision"] == "decline" and not data.get("reason"):
            raise ValidationError("a decline needs a reason", "reason")
