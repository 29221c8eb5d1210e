"""Intake's use cases: each loads the participant and applies a domain rule, which records the
fact."""
from datetime import datetime
from functools import partial

from services.intake.domain import Consent, Participant, Screening
from shared import clock
from shared.audit import audited_read
from shared.contracts import contract_for
from shared.contracts.erasure import ERASED_BY
from shared.contracts.policy import visible_to
from shared.store import change_locked, handle_fact

IDENTITY_FIELDS = ("name", "bsn", "date_of_birth")
# What a participant's record tells of them: the screening (restrictions, drivers and
# ambitions, who cleared them), their consents and the basic conditions (debts, care).
DETAIL_FIELDS = ("screening", "consents", "basic_conditions")
# Who may read a participant's identity and details. Any other role that asks is refused by
# the use case rather than the endpoint, so that the refusal is logged (shared/audit.py).
READERS = frozenset({"pi-case-manager"})
# Load the participant with a lock, apply a change (whose facts it records) and commit as one.
_change = partial(change_locked, "participants")


def register_participant(uow, identity, target_group, institution, municipality,
                         expected_release_date, today=None):
    participant = Participant.register(target_group, institution, municipality,
                                       expected_release_date, today or clock.today())
    with uow:
        uow.participants.add(participant)
        uow.identities.add(participant.id, identity)
        uow.commit()
    return participant


def read_identity(uow, participant_id, reader, now=None):
    """The participant's identity, for a case manager; every attempt is logged."""
    def identity():
        uow.participants.get(participant_id)
        return uow.identities.reveal(participant_id)
    return audited_read(uow, reader, READERS, participant_id, IDENTITY_FIELDS, identity,
                        now=now)


def read_participant(uow, participant_id, reader, now=None):
    """The participant's record, without identity, for a case manager; every attempt is
    logged."""
    return audited_read(uow, reader, READERS, participant_id, DETAIL_FIELDS,
                        lambda: uow.participants.get(participant_id), now=now)


def list_participants(uow, reader, query, name=None, bsn=None, now=None):
    """A page of the participants `query` asks for, optionally those found by `name` or `bsn`;
    each one listed is a read of their record, and a search is a read of everyone it finds, on
    this page or another (its X-Total-Count tells of them all), of what they were found by
    (test_a_search_is_logged_as_a_read_of_everyone_it_finds)."""
    found_by = tuple(field for field, value in (("name", name), ("bsn", bsn)) if value)
    fields = DETAIL_FIELDS + found_by
    filters = dict(query, among=None)
    paging = {key: filters.pop(key) for key in ("offset", "limit", "order") if key in filters}

    def listed():
        if found_by:
            filters["among"] = uow.identities.search(name, bsn)
        return uow.participants.list(**filters, **paging)

    def read(page):
        found = uow.participants.ids(**filters) if found_by else [p.id for p in page]
        return [(participant, fields) for participant in found]
    return audited_read(uow, reader, READERS, None, fields, listed, read, now)


def screen_participant(uow, participant_id, screening: Screening):
    return _change(uow, participant_id, lambda participant: participant.screen(screening))


def record_consent(uow, participant_id, purpose, legal_basis, version, now=None):
    consent = Consent(purpose, legal_basis, version, now or clock.now())
    return _change(uow, participant_id, lambda participant: participant.give_consent(consent))


def withdraw_consent(uow, participant_id, purpose, now=None):
    return _change(uow, participant_id, lambda participant: participant.withdraw_consent(
        purpose, now or clock.now()))


def admit_participant(uow, participant_id):
    return _change(uow, participant_id, lambda participant: participant.admit())


def reject_participant(uow, participant_id, reason):
    def reject(participant):
        participant.reject(reason)
        uow.identities.retire(participant.id)
    return _change(uow, participant_id, reject)


def change_release_date(uow, participant_id, expected_release_date, today=None):
    return _change(uow, participant_id, lambda participant: participant.change_release_date(
        expected_release_date, today or clock.today()))


def update_basic_conditions(uow, participant_id, conditions):
    return _change(uow, participant_id,
                   lambda participant: participant.update_basic_conditions(conditions))


def release_participant(uow, participant_id, released_on, today=None):
    return _change(uow, participant_id, lambda participant: participant.release(
        released_on, today or clock.today()))


def correct_release(uow, participant_id, released_on, reason, today=None):
    """Put right a recorded release date; the chain hears of it beside the release itself."""
    return _change(uow, participant_id, lambda participant: participant.correct_release(
        released_on, reason, today or clock.today()))


def withdraw_participant(uow, participant_id, reason, withdrawn_on, today=None):
    def withdraw(participant):
        participant.withdraw(reason, withdrawn_on, today or clock.today())
        uow.identities.retire(participant.id)
    return _change(uow, participant_id, withdraw)


def note_erasure(uow, receipt):
    """A service confirms it erased what it held for a withdrawn consent; once."""
    return handle_fact(uow, receipt, lambda uow: uow.erasures.add(
        receipt.data["withdrawal_id"], receipt.source.rsplit("/", 1)[-1], _moment(receipt.time)))


def note_in_journey(uow, fact):
    """Another service's fact about one of the PI's participants, for their journey; once."""
    return handle_fact(uow, fact, lambda uow: uow.journeys.add(fact, _moment(fact.time)))


def _moment(time):
    """A fact's time (RFC 3339) as a datetime."""
    return datetime.fromisoformat(time.replace("Z", "+00:00"))


def _follows(producer):
    """What intake does with each fact of `producer` the PI may hear of (the chain's policy):
    a receipt of erasure is noted against its withdrawal, any other fact in its participant's
    journey."""
    return {event_type: note_erasure if event_type == f"{producer}.participant_erased"
            else note_in_journey
            for event_type in visible_to("pi") if contract_for(event_type).producer == producer}


# The facts intake follows, by producer: its queues are made from this table alone
# (shared/consumer.py follow). Each service that held data for a withdrawn consent confirms its
# erasure (test_the_pi_sees_which_services_confirmed_an_erasure); what else the PI may hear of
# its participants makes their journey (test_a_participants_page_shows_their_journey).
FOLLOWS = {producer: _follows(producer)
           for producer in ("training", "matching", "placement", "notifications")}


def journey_of(uow, participant_id, reader, now=None):
    """The participant's journey through the chain, oldest first, as (type, source, time,
    data): what intake recorded of them and what the other services told it; every attempt to
    read it is logged."""
    def journey():
        uow.participants.get(participant_id)
        own = [(envelope["type"], envelope["source"], _moment(envelope["time"]), envelope["data"])
               for envelope in uow.published_facts(subject=participant_id)]
        return sorted(own + [tuple(step) for step in uow.journeys.of(participant_id)],
                      key=lambda step: step[2])
    return audited_read(uow, reader, READERS, participant_id, ("journey",), journey, now=now)


def erasure_of(uow, participant_id):
    """Per withdrawn consent: which services confirmed erasing the participant's data for it
    and which have yet to (shared/contracts/erasure.py says who holds data for what)."""
    with uow:
        withdrawn = [c for c in uow.participants.get(participant_id).consents if c.withdrawn_at]
        confirmed = {c.withdrawal_id: uow.erasures.of(c.withdrawal_id) for c in withdrawn}
    return [{"purpose": c.purpose, "withdrawn_at": c.withdrawn_at,
             "confirmed": [{"service": service, "at": at}
                           for service, at in sorted(confirmed[c.withdrawal_id].items())],
             "awaited": sorted(set(ERASED_BY[c.purpose]) - set(confirmed[c.withdrawal_id]))}
            for c in withdrawn]
