"""Facts the PI's intake service publishes. Pseudonymous ids and codes only: no name, BSN,
date of birth, address or offence detail ever leaves intake."""
from marshmallow import Schema, fields, validate

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import Code, Codes, Id, LanguageLevel, Municipality, Text


class ParticipantFact(Schema):
    participant_id = Id()


@event_contract("participant.registered", producer="intake")
class ParticipantRegistered(ParticipantFact):
    target_group = Code(vocabulary.TARGET_GROUPS, required=True)
    institution = Text(120, required=True)
    municipality = Municipality(required=True)
    expected_release_date = fields.Date(required=True)


class Profile(Schema):
    """What the chain needs of a screening: levels and codes, never the reasons behind them."""
    language_level = LanguageLevel(required=True)
    skills = fields.List(Text(80), load_default=list, validate=validate.Length(max=50))
    preferred_sectors = Codes(vocabulary.SECTORS, load_default=list)
    restrictions = Codes(vocabulary.RESTRICTIONS, load_default=list)
    banned_municipalities = fields.List(Municipality(), load_default=list, validate=validate.Length(max=50))


@event_contract("participant.screened", producer="intake")
class ParticipantScreened(ParticipantFact, Profile):
    motivation = fields.Integer(required=True, validate=validate.Range(1, 5))
    safety_cleared = fields.Boolean(required=True)


@event_contract("participant.admitted", producer="intake")
class ParticipantAdmitted(ParticipantFact, Profile):
    target_group = Code(vocabulary.TARGET_GROUPS, required=True)
    municipality = Municipality(required=True)
    expected_release_date = fields.Date(required=True)


@event_contract("participant.rejected", producer="intake")
class ParticipantRejected(ParticipantFact):
    reason = Code({"not-motivated", "safety-not-cleared", "no-consent", "other"}, required=True)


@event_contract("participant.released", producer="intake")
class ParticipantReleased(ParticipantFact):
    released_on = fields.Date(required=True)
    municipality = Municipality(required=True)
