"""Notifications' use cases: turn facts into deliveries, send them, and manage recipients."""
import base64
import logging
from dataclasses import replace
from datetime import timedelta

from services.notifications.channels import DeliveryRefused
from services.notifications.domain import (DEFAULT_SUBSCRIPTIONS, MUNICIPALITY_PURPOSE, Delivery,
                                           Recipient, digest_text)
from services.notifications.messages import time_shown
from shared import clock
from shared.contracts import all_contracts
from shared.contracts.policy import INTEGRATOR, WITHDRAWAL, integrators_of, needed_for
from shared.errors import Conflict, NotFound
from shared.store import handle_fact

log = logging.getLogger(__name__)


def set_up_recipients(uow):
    """When the service starts: the default recipients, and signing secrets sealed."""
    set_up_default_recipients(uow)
    seal_plain_secrets(uow)


def set_up_default_recipients(uow):
    """The chain's default rules: on first start, one recipient per organisation."""
    with uow:
        if uow.recipients.count():
            return
        for organisation, patterns in DEFAULT_SUBSCRIPTIONS.items():
            recipient = Recipient.register(organisation, organisation)
            uow.recipients.add(recipient)
            for pattern in patterns:
                uow.subscriptions.add(recipient.subscribe(pattern, all_contracts()))
        uow.commit()


def seal_plain_secrets(uow):
    """Signing secrets stored before secrets were sealed are sealed when the service starts
    (the keys to seal them with are the service's, not the migration's). Each stays the same secret, so its receiver notices nothing
    (test_a_secret_stored_in_plain_text_is_sealed_at_start)."""
    with uow:
        for recipient in uow.recipients.where(Recipient.webhook_secret.is_not(None)):
            if not _sealed(recipient.webhook_secret):
                recipient.webhook_secret = uow.secrets.seal(recipient.webhook_secret)
        uow.commit()


def _sealed(stored):
    """Whether a stored secret is a Fernet token (its first byte is the version, 0x80). A plain
    one is 43 characters, which is no base64 at all (it lacks padding)."""
    try:
        return base64.urlsafe_b64decode(stored)[:1] == b"\x80"
    except ValueError:
        return False


# --- facts in, deliveries out ----------------------------------------------------------------

def deliver_fact(uow, fact, now=None):
    """One delivery per recipient and channel that the fact concerns, and one copy per
    integrator it is forwarded to, exactly once
    (test_a_release_reaches_the_municipality_once_by_email_webhook_and_inbox,
    test_two_instances_deliver_a_backlog_once)."""
    return _deliver(uow, fact, now, _nothing_to_learn)


def deliver_intake_fact(uow, fact, now=None):
    """An intake fact that names where the participant returns to is remembered for the facts
    that do not, then delivered as any fact."""
    return _deliver(uow, fact, now, _note_place)


def deliver_consent(uow, consent, now=None):
    """The basis a consent gives is noted, then it is delivered as any fact."""
    return _deliver(uow, consent, now, _note_basis)


def deliver_withdrawal(uow, withdrawal, now=None):
    """A withdrawn consent erases what was held for it (_erase), and is delivered as any fact
    and to those who held any."""
    handled = _deliver(uow, withdrawal, now, _erase)
    if handled:
        uow.scrub()  # the erased deliveries, off the disk too
    return handled


def _deliver(uow, fact, now, learn):
    """`learn(uow, fact, recipients)` first takes in what the fact tells notifications itself,
    and says whom to tell whatever their subscriptions."""
    now = now or clock.now()
    envelope = fact.to_json()

    def deliver(uow):
        recipients = {r.id: r for r in uow.recipients.where()}
        told = learn(uow, fact, recipients)

        def municipality_of(envelope):
            return _municipality_of(uow, envelope)

        concerned = {s.recipient_id for s in uow.subscriptions.all()
                     if s.matches(envelope, municipality_of)}
        for recipient_id in sorted(concerned | told):
            recipient = recipients[recipient_id]
            if recipient_id in told or (recipient.may_receive(envelope, municipality_of)
                                        and _may_share(uow, envelope, recipient.kind)):
                _deliver_to(uow, recipient, envelope, now)
        _forward(uow, fact, envelope)
    return handle_fact(uow, fact, deliver)


def _published_by(producer, deliver):
    return {event_type: deliver for event_type, contract in sorted(all_contracts().items())
            if contract.producer == producer}


# The facts notifications follows, by producer: its queues are made from this table alone
# (shared/consumer.py follow). Every fact of the chain: subscriptions change over the API,
# queue bindings do not.
FOLLOWS = {
    "intake": {**_published_by("intake", deliver_intake_fact),
               "participant.consent_given": deliver_consent,
               WITHDRAWAL: deliver_withdrawal},
    "training": _published_by("training", deliver_fact),
    "matching": _published_by("matching", deliver_fact),
    "placement": _published_by("placement", deliver_fact),
}


def _deliver_to(uow, recipient, envelope, now):
    for channel in recipient.channels:
        if uow.deliveries.exists(recipient.id, envelope, channel):
            continue
        uow.deliveries.add(Delivery.of(recipient, channel, envelope, now))


def _erase(uow, withdrawal, recipients):
    """Consent for a purpose is withdrawn: erase every delivery about the participant that a
    recipient holds for that purpose (inbox entries, e-mails and webhooks, sent or not), and
    every copy an integrator holds for it (forwarded or not), and confirm it. Returns the
    recipients that held any: they are sent the withdrawal (the participant's id and the
    purpose, no more) so that they can erase it too, and so are the integrators that held any
    (test_a_withdrawn_consent_erases_the_deliveries_held_for_it_and_tells_their_recipients,
    test_after_the_withdrawal_the_integrator_gets_it_and_nothing_more)."""
    purpose, participant = withdrawal.data["purpose"], withdrawal.data["participant_id"]
    told, integrators = set(), set()
    for delivery in uow.deliveries.about(participant):
        recipient = recipients.get(delivery.recipient_id)
        if recipient is not None and purpose in needed_for(delivery.event_type, recipient.kind):
            uow.deliveries.remove(delivery)
            told.add(recipient.id)
    for forward in uow.forwards.about(participant):
        if purpose in needed_for(forward.event_type, INTEGRATOR + forward.integrator):
            uow.forwards.remove(forward.seq)
            integrators.add(forward.integrator)
    # Those informed of the participant for the purpose by deliveries and copies since purged.
    for party in uow.informed.take(participant, purpose):
        if party.startswith(INTEGRATOR):
            integrators.add(party.removeprefix(INTEGRATOR))
        elif party.removeprefix("recipient:") in recipients:
            told.add(party.removeprefix("recipient:"))
    for integrator in sorted(integrators):
        uow.forwards.add(integrator, withdrawal.to_json())
    # The basis no longer holds; and of a participant known before bases were recorded, the
    # others are not known to hold either.
    if purpose == MUNICIPALITY_PURPOSE:
        uow.places.forget(participant)
    else:
        uow.bases.withdraw(participant, purpose)
        uow.places.only_recorded_bases(participant)
    uow.confirm_erasure(withdrawal)
    return told


def _nothing_to_learn(uow, fact, recipients):
    return set()


def _note_place(uow, fact, recipients):
    data = fact.data
    if "municipality" in data:
        uow.places.remember(data["participant_id"], municipality=data["municipality"])
    return set()


def _note_basis(uow, consent, recipients):
    """The bases intake recorded for the participant. Intake publishes a consent before any
    later fact of its own about the participant, in order; a fact of another producer handled
    before that consent (its queue is apart) finds no basis and is withheld."""
    participant, purpose = consent.data["participant_id"], consent.data["purpose"]
    if purpose == MUNICIPALITY_PURPOSE:
        uow.places.remember(participant, informs_municipality=True)
    else:
        uow.bases.give(participant, purpose)
    return set()


def _municipality_of(uow, envelope):
    data = envelope.get("data", {})
    if "municipality" in data:
        return data["municipality"]
    place = uow.places.get(data.get("participant_id") or envelope.get("subject"))
    return place.municipality if place else None


def _forward(uow, fact, envelope):
    """The fact, unchanged, to each integrator entitled to it, if the bases its purpose needs
    hold for the participant (test_an_integrator_hears_nothing_of_a_participant_without_a_basis,
    test_with_a_basis_the_integrator_gets_its_facts_in_order_unchanged,
    test_an_integrator_gets_a_fact_for_a_consent_purpose_only_while_its_basis_holds)."""
    for integrator in integrators_of(fact.type):
        if _may_share(uow, envelope, INTEGRATOR + integrator):
            uow.forwards.add(integrator, envelope)


def _may_share(uow, envelope, receiver):
    """Whether a fact may go to `receiver` (an organisation, or `integrator:<name>`): one about
    a participant only while every basis its purpose for the receiver needs holds for them
    (test_a_municipality_hears_nothing_of_a_participant_without_a_basis,
    test_a_work_company_hears_of_training_only_while_the_participant_consents, on the broker
    test_a_work_company_hears_of_training_only_on_the_participants_consent); one about no
    participant needs no basis of anyone's (test_a_fact_about_no_participant_needs_no_basis).
    Operators hear of every fact, to run the chain."""
    participant = envelope.get("data", {}).get("participant_id")
    return receiver == "operator" or participant is None or all(
        _basis_holds(uow, participant, purpose, receiver)
        for purpose in needed_for(envelope["type"], receiver))


def _basis_holds(uow, participant_id, purpose, receiver):
    """Whether the basis for sharing facts about the participant for `purpose` holds, as intake
    recorded it (participant.consent_given until its withdrawal); of a participant notifications
    has not heard of, it knows no basis, and unknown means no. Of one it knew before it recorded
    bases other than informing the municipality (notifications_0005), organisations hear as
    they did and integrators on a recorded basis, until any basis for them is withdrawn
    (test_a_participant_known_before_bases_were_recorded_is_heard_of_as_before)."""
    place = uow.places.get(participant_id)
    if purpose == MUNICIPALITY_PURPOSE:
        return place is not None and place.informs_municipality
    known_before = place is not None and not place.bases_known
    return uow.bases.hold(participant_id, purpose) or (
        known_before and not receiver.startswith(INTEGRATOR))


def send_due_deliveries(uow, now=None):
    """Send e-mails and webhooks that are due, one at a time, each claimed, sent and settled in
    its own transaction: a crash repeats at most the one in flight, and instances sending at
    once never send the same one (test_two_instances_deliver_a_backlog_once)."""
    now = now or clock.now()
    with uow:
        due = [d.id for d in uow.deliveries.due(now)]
    sent = 0
    for delivery_id in due:
        with uow:
            delivery = uow.deliveries.claim(delivery_id, now)
            if delivery is None:
                continue
            recipient = uow.recipients.get(delivery.recipient_id)
            error = _send(uow, delivery, recipient)
            if error is None:
                delivery.succeed(clock.now(), recipient)
            else:
                delivery.fail(clock.now(), error, uow.settings.policy, recipient)
            uow.commit()
            sent += 1
    return sent


def _send(uow, delivery, recipient):
    try:
        if delivery.channel == "email":
            uow.settings.email.send(recipient.email, _subject(delivery),
                                    _email_text(delivery, recipient.language))
        else:
            uow.settings.webhooks.post(recipient.webhook_url,
                                       uow.secrets.open(recipient.webhook_secret),
                                       delivery.envelope, delivery.id)
    except DeliveryRefused as exc:  # says what it may: no network details
        return str(exc)
    except Exception as exc:  # any failure of the other side is retried, then reported
        return f"{exc.__class__.__name__}: {exc}"
    return None


def send_digests(uow, now=None):
    """Once a day from the digest hour: one e-mail per digest recipient with what queued up.
    One that cannot be sent is tried again an hour later."""
    now = now or clock.now()
    sent = 0
    with uow:
        due = [r.id for r in uow.recipients.where()
               if r.digest_due(now, uow.settings.digest_hour)]
    for recipient_id in due:
        with uow:
            recipient = uow.recipients.get(recipient_id)
            queued = uow.deliveries.queued_for_digest(recipient.id)
            if not queued:
                continue
            today = now.astimezone(clock.ZONE).date()
            subject, text = digest_text(recipient, queued, today)
            try:
                uow.settings.email.send(recipient.email, subject, text)
            except Exception as exc:  # the other side's failure: try again later
                log.warning("digest for %s not sent: %r", recipient.name, exc)
                recipient.digest_retry_at = now + timedelta(hours=1)
                uow.commit()
                continue
            for delivery in queued:
                delivery.succeed(now, recipient)
            recipient.last_digest_on, recipient.digest_retry_at = today, None
            uow.commit()
            sent += 1
    return sent


def _subject(delivery):
    """The kind of fact and nothing of what it says: a subject is shown where the text is not
    (mail servers' logs, lock screens), so the message, dates and wage stay in the text."""
    return f"[doorstroom] {delivery.event_type}"


def _email_text(delivery, language):
    """The message, then the fact it is about and when it happened, in Amsterdam's time."""
    envelope = delivery.envelope
    return "\n".join([delivery.summary, "",
                      f"{envelope['type']} — {time_shown(envelope['time'], language)}",
                      f"id: {envelope['id']}"])


# --- recipients and the delivery log -------------------------------------------------------------

def register_recipient(uow, name, organisation, webhook_url=None, **details):
    """Register a recipient; a webhook gets a signing secret, stored sealed and shown in the
    answer only."""
    secret = None
    if webhook_url:
        secret, details["webhook_secret"] = uow.secrets.issue()
    recipient = Recipient.register(name, organisation, webhook_url=webhook_url, **details)
    with uow:
        if uow.recipients.list(name=name):
            raise Conflict(f"a recipient named {name!r} exists")
        uow.recipients.add(recipient)
        uow.commit()
    return replace(recipient, webhook_secret=secret)


def anyone(recipient):
    """Lets whoever asks act for the recipient."""


def change_recipient(uow, recipient_id, authorise=anyone, **changes):
    """Change a recipient; a new webhook URL gets a new signing secret, shown in the answer
    only. `authorise(recipient)`, here as in the use cases below, raises if the caller may not
    act for the recipient: checked in the use case's own transaction."""
    with uow:
        recipient = uow.recipients.get(recipient_id, lock=True)
        authorise(recipient)
        new_secret = None
        if changes.get("webhook_url") and changes["webhook_url"] != recipient.webhook_url:
            new_secret, changes["webhook_secret"] = uow.secrets.issue()
        for name, value in changes.items():
            setattr(recipient, name, value)
        uow.commit()
    return replace(recipient, webhook_secret=new_secret)


def subscribe(uow, recipient_id, pattern, municipality=None, authorise=anyone):
    with uow:
        recipient = uow.recipients.get(recipient_id)
        authorise(recipient)
        subscription = recipient.subscribe(pattern, all_contracts(), municipality)
        uow.subscriptions.add(subscription)
        uow.commit()
    return subscription


def unsubscribe(uow, recipient_id, subscription_id, authorise=anyone):
    with uow:
        authorise(uow.recipients.get(recipient_id))
        subscription = uow.subscriptions.get(subscription_id)
        if subscription.recipient_id != recipient_id:
            raise NotFound(f"no subscription {subscription_id} of this recipient")
        uow.subscriptions.remove(subscription)
        uow.commit()


def resend(uow, delivery_id, authorise=anyone):
    with uow:
        delivery = uow.deliveries.get(delivery_id)
        authorise(uow.recipients.get(delivery.recipient_id))
        delivery.resend(clock.now())
        uow.commit()
    return delivery


def acknowledge(uow, recipient_id, delivery_id, authorise=anyone):
    with uow:
        authorise(uow.recipients.get(recipient_id))
        delivery = uow.deliveries.get(delivery_id)
        if delivery.recipient_id != recipient_id:
            raise NotFound(f"no inbox entry {delivery_id} of this recipient")
        delivery.acknowledge(clock.now())
        uow.commit()
    return delivery

