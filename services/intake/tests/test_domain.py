from datetime import date, datetime, timezone

import pytest

from services.intake.domain import Consent, Participant, Screening, Status
from shared.errors import Conflict, Invalid

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def registered():
    return Participant.register("detainee-last-phase", "PI Dordtse Poorten", "Dordrecht",
                                date(2027, 3, 1))


def screened(motivation=4, safety_cleared=True):
    participant = registered()
    participant.screen(Screening(motivation, safety_cleared, "B1"))
    return participant


def consenting(participant, *purposes):
    for purpose in purposes:
        participant.give_consent(Consent(purpose, "consent", "1", NOW))
    return participant


def admitted():
    participant = consenting(screened(), "training", "matching")
    participant.admit()
    return participant


def test_ids_are_random_not_derived():
    assert registered().id != registered().id


def test_a_screened_participant_with_consent_clearance_and_motivation_is_admitted():
    assert admitted().status is Status.ADMITTED


@pytest.mark.parametrize("participant, why", [
    (consenting(screened(), "training"), "consent for matching"),
    (consenting(screened(safety_cleared=False), "training", "matching"), "safety clearance"),
    (consenting(screened(motivation=2), "training", "matching"), "motivation"),
    (consenting(registered(), "training", "matching"), "registered"),
])
def test_admission_is_refused(participant, why):
    with pytest.raises(Conflict, match=why):
        participant.admit()


def test_a_rejected_participant_cannot_be_admitted_or_screened():
    participant = screened()
    participant.reject("not-motivated")
    with pytest.raises(Conflict):
        participant.admit()
    with pytest.raises(Conflict):
        participant.screen(Screening(5, True, "B2"))


def test_only_an_admitted_participant_is_released_and_only_once():
    with pytest.raises(Conflict):
        screened().release(date(2027, 3, 1))
    participant = admitted()
    participant.release(date(2027, 3, 1))
    assert participant.status is Status.RELEASED
    with pytest.raises(Conflict):
        participant.release(date(2027, 3, 2))
    with pytest.raises(Conflict):
        participant.reject("other")


def test_consent_is_per_known_purpose_and_replaced_by_a_newer_version():
    participant = consenting(registered(), "training")
    participant.give_consent(Consent("training", "consent", "2", NOW))
    assert [c.version for c in participant.consents] == ["2"]
    with pytest.raises(Invalid):
        participant.give_consent(Consent("marketing", "consent", "1", NOW))
