"""Facts the social service's matching service publishes."""
from marshmallow import Schema, fields, validate

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import Code, Codes, Id, Municipality, Text


@event_contract("employer.registered", producer="matching")
class EmployerRegistered(Schema):
    employer_id = Id()
    name = Text(120, required=True)
    sector = Code(vocabulary.SECTORS, required=True)
    municipality = Municipality(required=True)
    social_return = fields.Boolean(required=True)


@event_contract("vacancy.published", producer="matching")
class VacancyPublished(Schema):
    vacancy_id = Id()
    employer_id = Id()
    occupation = Text(120, required=True)
    sector = Code(vocabulary.SECTORS, required=True)
    required_certificates = Codes(vocabulary.CERTIFICATES, required=True)
    municipality = Municipality(required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    start_date = fields.Date(required=True)
    positions = fields.Integer(required=True, validate=validate.Range(1, 500))


class MatchFact(Schema):
    match_id = Id()
    vacancy_id = Id()
    employer_id = Id()
    participant_id = Id()


@event_contract("match.proposed", producer="matching")
class MatchProposed(MatchFact):
    score = fields.Float(required=True, validate=validate.Range(0, 100))
    reasons = fields.List(Text(200), required=True, validate=validate.Length(max=30))


@event_contract("match.accepted", producer="matching")
class MatchAccepted(MatchFact):
    occupation = Text(120, required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    start_date = fields.Date(required=True)


@event_contract("match.declined", producer="matching")
class MatchDeclined(MatchFact):
    declined_by = Code({"employer", "candidate"}, required=True)
    reason = Text(200, required=True)
