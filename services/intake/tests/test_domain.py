from datetime import date, datetime, timedelta, timezone

import pytest

from services.intake.domain import (BasicCondition, Consent, Curfew, Identity, Participant,
                                    Restrictions, SafetyClearance, Screening, Status,
                                    bsn_is_valid)
from shared.errors import Conflict, Invalid, NotFound

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
TODAY = date(2026, 11, 1)


def screening(motivation=4, cleared=True, **kwargs):
    return Screening(motivation, SafetyClearance(cleared, "security officer", TODAY), "B1",
                     **kwargs)


def registered():
    return Participant.register("detainee-last-phase", "PI Dordtse Poorten", "0505",
                                date(2027, 3, 1), TODAY)


def screened(**kwargs):
    participant = registered()
    participant.screen(screening(**kwargs))
    return participant


def consenting(participant, *purposes, basis="consent"):
    for purpose in purposes:
        participant.give_consent(Consent(purpose, basis, "1", NOW))
    return participant


def admitted():
    participant = consenting(screened(), "training", "matching")
    participant.admit()
    return participant


def rejected():
    participant = screened()
    participant.reject("not-motivated")
    return participant


def released():
    participant = admitted()
    participant.release(TODAY, TODAY)
    return participant


def withdrawn():
    participant = admitted()
    participant.withdraw("transferred", TODAY, TODAY)
    return participant


IN_STATUS = {Status.REGISTERED: registered, Status.SCREENED: screened, Status.ADMITTED: admitted,
             Status.REJECTED: rejected, Status.RELEASED: released, Status.WITHDRAWN: withdrawn}

ACTIONS = {
    "screen": lambda p: p.screen(screening()),
    "give consent": lambda p: p.give_consent(Consent("placement-follow-up", "consent", "1", NOW)),
    "admit": lambda p: consenting(p, "training", "matching").admit(),
    "reject": lambda p: p.reject("other"),
    "change release date": lambda p: p.change_release_date(date(2027, 5, 1), TODAY),
    "update basic conditions": lambda p: p.update_basic_conditions(
        [BasicCondition("housing", "in-progress", TODAY)]),
    "release": lambda p: p.release(TODAY, TODAY),
    "correct release": lambda p: p.correct_release(date(2026, 10, 31), "entry-error", TODAY),
    "withdraw": lambda p: p.withdraw("dropped-out", TODAY, TODAY),
}
ACTIVE = {Status.REGISTERED, Status.SCREENED, Status.ADMITTED, Status.RELEASED}
ALLOWED = {
    "screen": {Status.REGISTERED, Status.SCREENED},
    "give consent": ACTIVE,
    "admit": {Status.SCREENED},
    "reject": {Status.REGISTERED, Status.SCREENED},
    "change release date": {Status.REGISTERED, Status.SCREENED, Status.ADMITTED},
    "update basic conditions": ACTIVE,
    "release": {Status.ADMITTED},
    "correct release": {Status.RELEASED},
    "withdraw": ACTIVE,
}
RESULT = {"screen": Status.SCREENED, "admit": Status.ADMITTED, "reject": Status.REJECTED,
          "release": Status.RELEASED, "withdraw": Status.WITHDRAWN}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_transition_is_allowed_or_refused(status, action):
    participant = IN_STATUS[status]()
    if status in ALLOWED[action]:
        ACTIONS[action](participant)
        assert participant.status is RESULT.get(action, status)
    else:
        with pytest.raises(Conflict, match="cannot"):
            ACTIONS[action](participant)
        assert participant.status is status


@pytest.mark.parametrize("bsn, valid", [
    ("111222333", True),
    ("123456782", True),
    ("999999990", True),
    ("123456789", False),   # fails the eleven-test
    ("12345678", False),    # eight digits
    ("1234567890", False),  # ten digits
    ("12345678a", False),
    ("000000000", False),   # passes the arithmetic, but is no number
    ("", False),
])
def test_the_bsn_eleven_test(bsn, valid):
    assert bsn_is_valid(bsn) is valid


def test_an_identity_refuses_an_invalid_bsn_or_an_empty_name():
    with pytest.raises(Invalid) as refused:
        Identity("Jan Jansen", "123456789", date(1990, 1, 1))
    assert refused.value.field == "bsn"
    with pytest.raises(Invalid) as refused:
        Identity("  ", "123456782", date(1990, 1, 1))
    assert refused.value.field == "name"


def test_ids_are_random_not_derived():
    assert registered().id != registered().id


@pytest.mark.parametrize("participant, why", [
    (lambda: consenting(screened(), "training"), "consent for matching"),
    (lambda: consenting(screened(cleared=False), "training", "matching"), "safety clearance"),
    (lambda: consenting(screened(motivation=2), "training", "matching"), "motivation"),
])
def test_admission_needs_consent_clearance_and_motivation(participant, why):
    with pytest.raises(Conflict, match=why):
        participant().admit()


def test_withdrawn_consent_no_longer_counts_for_admission():
    participant = consenting(screened(), "training", "matching")
    withdrawn = participant.withdraw_consent("matching", NOW)
    assert withdrawn.withdrawn_at == NOW and not withdrawn.active
    assert participant.consent_for("matching") is None
    with pytest.raises(Conflict, match="consent for matching"):
        participant.admit()


def test_consent_on_a_legal_obligation_cannot_be_withdrawn():
    participant = consenting(registered(), "inform-municipality", basis="legal-obligation")
    with pytest.raises(Conflict, match="legal-obligation"):
        participant.withdraw_consent("inform-municipality", NOW)
    assert participant.consent_for("inform-municipality")


def test_withdrawing_consent_that_was_never_given_is_not_found():
    with pytest.raises(NotFound):
        registered().withdraw_consent("training", NOW)
    participant = consenting(registered(), "training")
    participant.withdraw_consent("training", NOW)
    with pytest.raises(NotFound):
        participant.withdraw_consent("training", NOW)


def test_consent_is_per_known_purpose_and_replaced_by_a_newer_version():
    participant = consenting(registered(), "training")
    participant.give_consent(Consent("training", "consent", "2", NOW))
    assert [c.version for c in participant.consents] == ["2"]
    with pytest.raises(Invalid):
        participant.give_consent(Consent("marketing", "consent", "1", NOW))


def test_a_changed_release_date_returns_the_previous_one_and_refuses_no_change():
    participant = admitted()
    assert participant.change_release_date(date(2027, 1, 15), TODAY) == date(2027, 3, 1)
    assert participant.expected_release_date == date(2027, 1, 15)
    with pytest.raises(Conflict, match="already"):
        participant.change_release_date(date(2027, 1, 15), TODAY)


def test_basic_conditions_are_merged_in_their_fixed_order():
    participant = registered()
    participant.update_basic_conditions([BasicCondition("income", "not-settled", TODAY),
                                         BasicCondition("id-document", "in-progress", TODAY)])
    participant.update_basic_conditions([BasicCondition("income", "settled", date(2026, 12, 1))])
    assert [(c.condition, c.status) for c in participant.basic_conditions] == [
        ("id-document", "in-progress"), ("income", "settled")]
    with pytest.raises(Invalid):
        participant.update_basic_conditions([BasicCondition("housing", "settled", TODAY),
                                             BasicCondition("housing", "in-progress", TODAY)])
    with pytest.raises(Invalid):
        BasicCondition("luck", "settled", TODAY)


def test_withdrawal_needs_a_known_reason():
    with pytest.raises(Invalid):
        admitted().withdraw("bored", TODAY, TODAY)


def test_restrictions_travel_as_codes_only():
    restrictions = Restrictions(no_work_with_minors=True, banned_municipalities=("0512",),
                                vog_risk_areas=("money",), curfew=Curfew("22:00", "06:00", True))
    assert restrictions.codes() == ["no-work-with-minors", "area-ban", "vog-risk-area", "curfew",
                                    "electronic-monitoring"]
    assert Restrictions().codes() == []


# --- days: what happened lies not after today, what is expected not before it ----------------

TOMORROW, YESTERDAY = TODAY + timedelta(days=1), TODAY - timedelta(days=1)


def test_a_release_or_withdrawal_in_the_future_is_refused_naming_the_field():
    participant = admitted()
    with pytest.raises(Invalid) as refused:
        participant.release(TOMORROW, TODAY)
    assert refused.value.field == "released_on" and participant.status is Status.ADMITTED
    with pytest.raises(Invalid) as refused:
        participant.withdraw("transferred", TOMORROW, TODAY)
    assert refused.value.field == "withdrawn_on" and participant.status is Status.ADMITTED
    participant.release(TODAY, TODAY)
    participant.withdraw("transferred", TODAY, TODAY)
    assert (participant.released_on, participant.withdrawn_on) == (TODAY, TODAY)


def test_an_expected_release_in_the_past_is_refused_for_someone_still_detained():
    with pytest.raises(Invalid) as refused:
        Participant.register("detainee-last-phase", "PI Dordtse Poorten", "0505", YESTERDAY,
                             TODAY)
    assert refused.value.field == "expected_release_date"
    participant = admitted()
    with pytest.raises(Invalid) as refused:
        participant.change_release_date(YESTERDAY, TODAY)
    assert refused.value.field == "expected_release_date"
    assert participant.expected_release_date == date(2027, 3, 1)
    participant.change_release_date(TODAY, TODAY)
    assert participant.expected_release_date == TODAY


def test_a_recorded_release_is_corrected_with_a_reason_and_returns_the_date_it_replaces():
    participant = released()
    assert participant.correct_release(YESTERDAY, "entry-error", TODAY) == TODAY
    assert participant.released_on == YESTERDAY and participant.status is Status.RELEASED
    with pytest.raises(Conflict, match="already"):
        participant.correct_release(YESTERDAY, "entry-error", TODAY)


@pytest.mark.parametrize("released_on, reason, field", [
    (TOMORROW, "entry-error", "released_on"),
    (YESTERDAY, "felt-like-it", "reason"),
])
def test_a_correction_to_the_future_or_without_a_known_reason_is_refused(released_on, reason,
                                                                         field):
    participant = released()
    with pytest.raises(Invalid) as refused:
        participant.correct_release(released_on, reason, TODAY)
    assert refused.value.field == field and participant.released_on == TODAY
