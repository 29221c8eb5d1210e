"""Facts the social service's matching service publishes."""
from marshmallow import Schema, fields, validate

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import Code, Codes, Id, LanguageLevel, Municipality, Text


@event_contract("employer.registered", producer="matching")
class EmployerRegistered(Schema):
    employer_id = Id()
    name = Text(120, required=True)
    sector = Code(vocabulary.SECTORS, open=True, required=True)
    municipality = Municipality(required=True)
    social_return = fields.Boolean(required=True)


class VacancyFact(Schema):
    """A vacancy as the chain may know it: what it asks, not whom it excludes. The required
    certificates let training plan for demand."""
    vacancy_id = Id()
    employer_id = Id()
    occupation = Code(vocabulary.OCCUPATIONS, open=True, required=True)
    # Since vacancies have titles; a fact recorded before has neither.
    title = Text(120, load_default=None, metadata={
        "description": "what the employer calls the job (by default the occupation's name)"})
    description = Text(2000, load_default=None, allow_none=True)
    sector = Code(vocabulary.SECTORS, open=True, required=True)
    required_certificates = Codes(vocabulary.CERTIFICATES, open=True, required=True)
    desired_certificates = Codes(vocabulary.CERTIFICATES, open=True, load_default=list)
    min_language_level = LanguageLevel(load_default=None, allow_none=True)
    municipality = Municipality(required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    start_date = fields.Date(required=True)
    positions = fields.Integer(required=True, validate=validate.Range(1, 500))
    vog_required = fields.Boolean(load_default=False)
    works_with_minors = fields.Boolean(load_default=False)
    works_with_vulnerable_people = fields.Boolean(load_default=False)
    status = Code({"open", "filled"}, load_default="open")


@event_contract("vacancy.published", producer="matching", ordered=True,
                subject="vacancy_id")
class VacancyPublished(VacancyFact):
    pass


@event_contract("vacancy.changed", producer="matching", ordered=True,
                subject="vacancy_id")
class VacancyChanged(VacancyFact):
    """The vacancy as it is now, whole."""


@event_contract("vacancy.closed", producer="matching", ordered=True,
                subject="vacancy_id")
class VacancyClosed(Schema):
    vacancy_id = Id()
    employer_id = Id()
    reason = Code(vocabulary.VACANCY_CLOSE_REASONS, required=True)


class MatchFact(Schema):
    match_id = Id()
    vacancy_id = Id()
    employer_id = Id()
    participant_id = Id()


@event_contract("match.proposed", producer="matching")
class MatchProposed(MatchFact):
    score = fields.Integer(required=True, validate=validate.Range(0, 100))
    reasons = fields.List(Text(200), required=True, validate=validate.Length(max=30), metadata={
        "description": "what speaks for the candidate, as the employer may read it"})
    expires_at = fields.AwareDateTime(required=True)


@event_contract("match.accepted", producer="matching")
class MatchAccepted(MatchFact):
    occupation = Code(vocabulary.OCCUPATIONS, open=True, required=True)
    hours_per_week = fields.Integer(required=True, validate=validate.Range(1, 40))
    start_date = fields.Date(required=True)


@event_contract("match.declined", producer="matching")
class MatchDeclined(MatchFact):
    declined_by = Code(vocabulary.MATCH_PARTIES, required=True)
    reason = Text(200, required=True)


@event_contract("match.expired", producer="matching")
class MatchExpired(MatchFact):
    """The proposal lapsed without both answers: timed out, or overtaken by events."""
    reason = Code(vocabulary.MATCH_EXPIRY_REASONS, required=True)
