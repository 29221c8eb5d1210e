"""Facts the PI's intake service publishes. Pseudonymous ids and codes only: no name, BSN,
date of birth, address or offence detail ever leaves intake."""
from marshmallow import Schema, fields, validate

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import Code, Codes, Id, LanguageLevel, Municipality, Text, TimeOfDay


class ParticipantFact(Schema):
    participant_id = Id()


@event_contract("participant.registered", producer="intake")
class ParticipantRegistered(ParticipantFact):
    target_group = Code(vocabulary.TARGET_GROUPS, open=True, required=True)
    institution = Text(120, required=True)
    municipality = Municipality(required=True)
    expected_release_date = fields.Date(required=True)


class CurfewHours(Schema):
    starts_at = TimeOfDay(required=True)
    ends_at = TimeOfDay(required=True)


class Profile(Schema):
    """What the chain needs of a screening: levels and codes, never the reasons behind them."""
    language_level = LanguageLevel(required=True)
    occupations = Codes(vocabulary.OCCUPATIONS, open=True, load_default=list)
    skills = Codes(vocabulary.SKILLS, open=True, load_default=list)
    preferred_sectors = Codes(vocabulary.SECTORS, open=True, load_default=list)
    hours_per_week = fields.Integer(load_default=None, allow_none=True,
                                    validate=validate.Range(1, 48))
    restrictions = Codes(vocabulary.RESTRICTIONS, open=True, load_default=list)
    banned_municipalities = fields.List(Municipality(), load_default=list,
                                        validate=validate.Length(max=50))
    vog_risk_areas = Codes(vocabulary.VOG_RISK_AREAS, open=True, load_default=list,
                           metadata={"description": "screening-profile risk areas for which "
                                                    "no certificate of conduct can be given"})
    curfew = fields.Nested(CurfewHours, load_default=None, allow_none=True,
                           metadata={"description": "hours the participant must be at home"})
    may_work_outside_from = fields.Date(load_default=None, allow_none=True)


@event_contract("participant.screened", producer="intake")
class ParticipantScreened(ParticipantFact, Profile):
    motivation = fields.Integer(required=True, validate=validate.Range(1, 5))
    safety_cleared = fields.Boolean(required=True)


@event_contract("participant.admitted", producer="intake", ordered=True)
class ParticipantAdmitted(ParticipantFact, Profile):
    target_group = Code(vocabulary.TARGET_GROUPS, open=True, required=True)
    municipality = Municipality(required=True)
    expected_release_date = fields.Date(required=True)


@event_contract("participant.rejected", producer="intake")
class ParticipantRejected(ParticipantFact):
    reason = Code(vocabulary.REJECTION_REASONS, required=True)


@event_contract("participant.release_date_changed", producer="intake", ordered=True)
class ReleaseDateChanged(ParticipantFact):
    expected_release_date = fields.Date(required=True)
    previous_release_date = fields.Date(required=True)


class BasicConditionState(Schema):
    condition = Code(vocabulary.BASIC_CONDITIONS, required=True)
    status = Code(vocabulary.CONDITION_STATUSES, required=True)
    since = fields.Date(required=True)


@event_contract("participant.basic_conditions_updated", producer="intake")
class BasicConditionsUpdated(ParticipantFact):
    """The state of every basic condition recorded so far, not only the changed ones."""
    municipality = Municipality(required=True)
    conditions = fields.List(fields.Nested(BasicConditionState), required=True,
                             validate=validate.Length(max=len(vocabulary.BASIC_CONDITIONS)))


@event_contract("participant.released", producer="intake", ordered=True)
class ParticipantReleased(ParticipantFact):
    released_on = fields.Date(required=True)
    municipality = Municipality(required=True)


# Not among the ordered facts: a new ordered type would be a gap in the sequence for
# consumers of the previous release (tests/test_rolling_upgrades.py). Whoever applies it waits
# until the release or correction it puts right, dated `previous_released_on`, is applied.
@event_contract("participant.release_corrected", producer="intake")
class ReleaseCorrected(ParticipantFact):
    """The release recorded on `previous_released_on` happened on `released_on`: whoever kept
    the date of the release keeps this one instead."""
    released_on = fields.Date(required=True)
    previous_released_on = fields.Date(required=True)
    reason = Code(vocabulary.CORRECTION_REASONS, required=True)


@event_contract("participant.withdrawn", producer="intake", ordered=True)
class ParticipantWithdrawn(ParticipantFact):
    reason = Code(vocabulary.WITHDRAWAL_REASONS, required=True)
    withdrawn_on = fields.Date(required=True)


@event_contract("participant.consent_given", producer="intake", ordered=True)
class ConsentGiven(ParticipantFact):
    """The participant's data may be shared for `purpose`, on consent or a legal obligation.
    Whoever shares only on a basis (notifications, for each receiver whose purpose rests on
    one) shares nothing about a participant before this fact."""
    purpose = Code(vocabulary.CONSENT_PURPOSES, required=True)
    legal_basis = Code(vocabulary.LEGAL_BASES, required=True)
    given_at = fields.DateTime(required=True)


@event_contract("participant.consent_withdrawn", producer="intake", ordered=True)
class ConsentWithdrawn(ParticipantFact):
    """Consent for `purpose` is gone: whoever holds data for that purpose erases it."""
    purpose = Code(vocabulary.CONSENT_PURPOSES, required=True)
    withdrawn_at = fields.DateTime(required=True)
