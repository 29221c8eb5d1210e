"""Intake's use cases: each loads the participant, applies a domain rule, records the fact."""
from datetime import datetime, timezone

from services.intake.domain import Consent, Participant, Screening


def register_participant(uow, target_group, institution, municipality, expected_release_date):
    participant = Participant.register(target_group, institution, municipality, expected_release_date)
    with uow:
        uow.participants.add(participant)
        uow.record("participant.registered", {
            "participant_id": participant.id,
            "target_group": target_group,
            "institution": institution,
            "municipality": municipality,
            "expected_release_date": expected_release_date,
        }, subject=participant.id)
        uow.commit()
    return participant


def screen_participant(uow, participant_id, screening: Screening):
    with uow:
        participant = uow.participants.get(participant_id)
        participant.screen(screening)
        uow.record("participant.screened", {
            "participant_id": participant.id,
            "motivation": screening.motivation,
            "safety_cleared": screening.safety_cleared,
            **_profile(screening),
        }, subject=participant.id)
        uow.commit()
    return participant


def record_consent(uow, participant_id, purpose, legal_basis, version, now=None):
    consent = Consent(purpose, legal_basis, version, now or datetime.now(timezone.utc))
    with uow:
        participant = uow.participants.get(participant_id)
        participant.give_consent(consent)
        uow.commit()
    return participant


def admit_participant(uow, participant_id):
    with uow:
        participant = uow.participants.get(participant_id)
        participant.admit()
        uow.record("participant.admitted", {
            "participant_id": participant.id,
            "target_group": participant.target_group,
            "municipality": participant.municipality,
            "expected_release_date": participant.expected_release_date,
            **_profile(participant.screening),
        }, subject=participant.id)
        uow.commit()
    return participant


def reject_participant(uow, participant_id, reason):
    with uow:
        participant = uow.participants.get(participant_id)
        participant.reject(reason)
        uow.record("participant.rejected", {"participant_id": participant.id, "reason": reason},
                   subject=participant.id)
        uow.commit()
    return participant


def release_participant(uow, participant_id, released_on):
    with uow:
        participant = uow.participants.get(participant_id)
        participant.release(released_on)
        uow.record("participant.released", {
            "participant_id": participant.id,
            "released_on": released_on,
            "municipality": participant.municipality,
        }, subject=participant.id)
        uow.commit()
    return participant


def _profile(screening):
    """What the chain needs to know of a screening: codes and levels, never the reasons."""
    return {
        "language_level": screening.language_level,
        "skills": list(screening.skills),
        "preferred_sectors": list(screening.preferred_sectors),
        "restrictions": list(screening.restrictions),
        "banned_municipalities": list(screening.banned_municipalities),
    }
