from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from services.intake.domain import (GENESIS, BasicCondition, Consent, Curfew, Identity,
                                    Outcome, Participant, PersonalDataRead, Restrictions,
                                    SafetyClearance, Screening, Status, bsn_is_valid,
                                    check_chain)
from shared.errors import Conflict, Invalid, NotFound

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
TODAY = date(2026, 11, 1)


def screening(motivation=4, cleared=True, **kwargs):
    return Screening(motivation, SafetyClearance(cleared, "security officer", TODAY), "B1",
                     **kwargs)


def registered():
    return Participant.register("detainee-last-phase", "PI Dordtse Poorten", "0505",
                                date(2027, 3, 1))


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
    participant.release(date(2027, 3, 1))
    return participant


def withdrawn():
    participant = admitted()
    participant.withdraw("transferred", TODAY)
    return participant


IN_STATUS = {Status.REGISTERED: registered, Status.SCREENED: screened, Status.ADMITTED: admitted,
             Status.REJECTED: rejected, Status.RELEASED: released, Status.WITHDRAWN: withdrawn}

ACTIONS = {
    "screen": lambda p: p.screen(screening()),
    "give consent": lambda p: p.give_consent(Consent("placement-follow-up", "consent", "1", NOW)),
    "admit": lambda p: consenting(p, "training", "matching").admit(),
    "reject": lambda p: p.reject("other"),
    "change release date": lambda p: p.change_release_date(date(2027, 5, 1)),
    "update basic conditions": lambda p: p.update_basic_conditions(
        [BasicCondition("housing", "in-progress", TODAY)]),
    "release": lambda p: p.release(date(2027, 3, 1)),
    "withdraw": lambda p: p.withdraw("dropped-out", TODAY),
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
    assert participant.change_release_date(date(2027, 1, 15)) == date(2027, 3, 1)
    assert participant.expected_release_date == date(2027, 1, 15)
    with pytest.raises(Conflict, match="already"):
        participant.change_release_date(date(2027, 1, 15))


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
        admitted().withdraw("bored", TODAY)


def test_restrictions_travel_as_codes_only():
    restrictions = Restrictions(no_work_with_minors=True, banned_municipalities=("0512",),
                                vog_risk_areas=("money",), curfew=Curfew("22:00", "06:00", True))
    assert restrictions.codes() == ["no-work-with-minors", "area-ban", "vog-risk-area", "curfew",
                                    "electronic-monitoring"]
    assert Restrictions().codes() == []


# --- the audit log's chain ------------------------------------------------------------------

def chain(count=4):
    entries, previous = [], GENESIS
    for position in range(1, count + 1):
        read = PersonalDataRead("p-1", "a.jansen", "pi-case-manager", "pi", ("name", "bsn"),
                                NOW + timedelta(seconds=position), Outcome.ALLOWED)
        entries.append(read.chained(position, previous))
        previous = entries[-1].hash
    return entries


def test_an_intact_chain_is_checked_to_its_last_hash():
    entries = chain()
    check = check_chain(entries, written=4)
    assert check.intact and (check.entries, check.last_hash) == (4, entries[-1].hash)


def test_the_hash_covers_the_content_and_not_how_the_moment_was_written():
    read = chain(1)[0]
    elsewhere = replace(read, read_at=read.read_at.astimezone(timezone(timedelta(hours=2))))
    assert elsewhere.chained(1, GENESIS).hash == read.hash
    assert replace(read, outcome=Outcome.REFUSED).content_hash() != read.hash


@pytest.mark.parametrize("tamper, good, at, problem", [
    (lambda e: e[:1] + [replace(e[1], reader="x")] + e[2:], 1, 2, "does not match its hash"),
    # Its hash made again to fit: the entry after it no longer follows.
    (lambda e: e[:1] + [replace(e[1], reader="x").chained(2, e[0].hash)] + e[2:], 2, 3,
     "does not name the hash of the entry before it"),
    (lambda e: e[:1] + e[2:], 1, 3, "the entry at 2 is missing"),
    (lambda e: e[:3], 3, 4, "the last are missing"),
])
def test_a_tampered_chain_names_where_it_first_breaks(tamper, good, at, problem):
    entries = tamper(chain())
    check = check_chain(entries, written=4)
    assert not check.intact and check.broken_at == at and problem in check.problem
    assert check.entries == good and check.last_hash == entries[good - 1].hash


def test_entries_appended_while_the_check_ran_are_checked_too():
    assert check_chain(chain(4), written=3).entries == 4


def test_a_chain_without_its_count_is_not_intact():
    check = check_chain(chain(2), written=None)
    assert not check.intact and check.broken_at == 3
