"""Notifications' own database: recipients and their subscriptions, the delivery log (inbox
entries are deliveries over the inbox channel), where participants return to and which bases
for sharing facts about them hold, and the facts it forwards to integrators."""
import hashlib
import json

from sqlalchemy import (JSON, Boolean, Column, Date, Enum, ForeignKey, MetaData, String, Table,
                        UniqueConstraint, delete, func, insert, select)
from sqlalchemy.orm import registry

from services.notifications.domain import (Attempt, Delivery, DeliveryStatus, Recipient,
                                           Subscription)
from services.notifications.messages import LONGEST
from shared.contracts.policy import INTEGRATOR, needed_for
from shared.retention import DELIVERIES, PUBLISHED_FACTS
from shared.store import (Repository, UnitOfWork, UtcDateTime, ValueObjects, audit_tables,
                          dialect_insert, outbox_table, reliability_tables, retry_failed)
from shared.web.store import web_tables

metadata = MetaData()

recipients = Table(
    "recipients", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("organisation", String(160), nullable=False, index=True),
    Column("language", String(2), nullable=False),
    Column("email", String(200)),
    Column("webhook_url", String(500)),
    # Sealed (WebhookSecrets): a Fernet token of a 43-character secret is 140 characters.
    Column("webhook_secret", String(200)),
    Column("digest", Boolean, nullable=False),
    Column("last_digest_on", Date),
    Column("digest_retry_at", UtcDateTime),
)

subscriptions = Table(
    "subscriptions", metadata,
    Column("id", String(36), primary_key=True),
    Column("recipient_id", String(36), ForeignKey("recipients.id"), nullable=False, index=True),
    Column("pattern", String(200), nullable=False),
    Column("municipality", String(80)),
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", String(36), primary_key=True),
    Column("recipient_id", String(36), nullable=False, index=True),
    Column("channel", String(10), nullable=False),
    Column("event_source", String(200), nullable=False),
    Column("event_id", String(200), nullable=False, index=True),
    Column("event_type", String(200), nullable=False),
    Column("envelope", JSON, nullable=False),
    Column("summary", String(LONGEST), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", Enum(DeliveryStatus, native_enum=False, length=20), nullable=False,
           index=True),
    Column("attempts", ValueObjects(Attempt, many=True), nullable=False),
    Column("next_attempt_at", UtcDateTime, index=True),
    Column("delivered_at", UtcDateTime),
    Column("last_error", String(500)),
    Column("acknowledged_at", UtcDateTime),
    # Exactly once per recipient, fact and channel, whatever is redelivered or replayed.
    UniqueConstraint("recipient_id", "event_source", "event_id", "channel",
                     name="uq_delivery_recipient_fact_channel"),
)

# Where each participant returns to, and whether the municipality may be informed.
participant_places = Table(
    "participant_places", metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("municipality", String(80)),
    Column("informs_municipality", Boolean, nullable=False),
    # False for a participant known before the bases for other purposes were recorded
    # (notifications_0005): of them organisations hear as they did until a basis is withdrawn.
    Column("bases_known", Boolean, nullable=False),
)

# The consent purposes other than informing the municipality (that basis is
# participant_places.informs_municipality) whose basis holds for a participant: from intake's
# participant.consent_given until its withdrawal.
consent_bases = Table(
    "consent_bases", metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("purpose", String(40), primary_key=True),
)

# Facts forwarded to integrators, each to the exchange of its own (forwarding.py): an outbox
# with a relay of its own, so that they go out once, in the order recorded.
integrator_outbox = outbox_table(metadata, "integrator_outbox",
                                 Column("integrator", String(80), nullable=False))

# Who was sent facts about a participant for a purpose, kept once those deliveries and copies
# are purged (shared/retention.py), so that a later withdrawal of that purpose still reaches
# them; by a hash of the participant's id.
informed = Table(
    "informed", metadata,
    Column("party", String(120), primary_key=True),
    Column("participant", String(64), primary_key=True),
    Column("purpose", String(40), primary_key=True),
)

reliability_tables(metadata)
# Who is signed in to the pages (shared/web/store.py).
web_tables(metadata)
# Who read which participant's data here (GET /events).
audit_tables(metadata)

mappers = registry(metadata=metadata)
mappers.map_imperatively(Recipient, recipients)
mappers.map_imperatively(Subscription, subscriptions)
mappers.map_imperatively(Delivery, deliveries)


class Recipients(Repository):
    entity = Recipient

    def list(self, organisation=None, name=None, offset=0, limit=50):
        conditions = [column == value for column, value in (
            (Recipient.organisation, organisation), (Recipient.name, name)) if value is not None]
        return self.page(*conditions, order_by=(Recipient.name,), offset=offset, limit=limit)

    def count(self):
        return self.session.scalar(select(func.count()).select_from(recipients))


class Subscriptions(Repository):
    entity = Subscription

    def of(self, recipient_id):
        return self.where(Subscription.recipient_id == recipient_id,
                          order_by=(Subscription.pattern, Subscription.id))

    def all(self):
        return self.where(order_by=(Subscription.recipient_id, Subscription.id))

    def remove(self, subscription):
        self.session.delete(subscription)


class Deliveries(Repository):
    entity = Delivery

    def exists(self, recipient_id, envelope, channel):
        return bool(self.where(Delivery.recipient_id == recipient_id,
                               Delivery.event_source == envelope["source"],
                               Delivery.event_id == envelope["id"], Delivery.channel == channel))

    def log(self, recipient_ids=None, status=None, channel=None, event_id=None, unread=False,
            offset=0, limit=50):
        conditions = [column == value for column, value in (
            (Delivery.status, status), (Delivery.channel, channel),
            (Delivery.event_id, event_id)) if value is not None]
        if recipient_ids is not None:
            conditions.append(Delivery.recipient_id.in_(recipient_ids))
        if unread:
            conditions.append(Delivery.acknowledged_at.is_(None))
        return self.page(*conditions, order_by=(Delivery.created_at, Delivery.id),
                         offset=offset, limit=limit)

    def due(self, now, limit=50):
        return self.where(*_due(now), order_by=(Delivery.next_attempt_at, Delivery.id),
                          limit=limit)

    def claim(self, delivery_id, now):
        """The delivery if it is still due and no other instance is sending it: its row stays
        locked while this one sends it and settles the outcome."""
        return self.session.scalars(
            select(Delivery).where(Delivery.id == delivery_id, *_due(now))
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)).first()

    def done_before(self, moment):
        """The deliveries made before `moment` that are delivered or given up on."""
        return self.where(Delivery.created_at < moment,
                          Delivery.status.in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]))

    def about(self, participant_id):
        """Every delivery of a fact about the participant (an employer's copy names nobody)."""
        return self.where(Delivery.envelope["subject"].as_string() == participant_id)

    def remove(self, delivery):
        self.session.delete(delivery)

    def queued_for_digest(self, recipient_id):
        return self.where(Delivery.recipient_id == recipient_id,
                          Delivery.status == DeliveryStatus.QUEUED_FOR_DIGEST,
                          order_by=(Delivery.created_at, Delivery.id))


def _due(now):
    return Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now


class Places:
    def __init__(self, session):
        self.session = session

    def get(self, participant_id):
        return self.session.execute(select(participant_places).where(
            participant_places.c.participant_id == participant_id)).first()

    def forget(self, participant_id):
        self.session.execute(participant_places.delete().where(
            participant_places.c.participant_id == participant_id))

    def only_recorded_bases(self, participant_id):
        """From now on the participant is heard of only on the bases recorded for them."""
        self.session.execute(participant_places.update().where(
            participant_places.c.participant_id == participant_id).values(bases_known=True))

    def remember(self, participant_id, **values):
        row = self.get(participant_id)
        if row is None:
            self.session.execute(participant_places.insert().values(
                participant_id=participant_id,
                **{"informs_municipality": False, "bases_known": True, **values}))
        else:
            self.session.execute(participant_places.update().where(
                participant_places.c.participant_id == participant_id).values(**values))


class Bases:
    """The consent purposes whose basis holds for a participant (but informing the
    municipality: Places)."""

    def __init__(self, session):
        self.session = session

    def give(self, participant_id, purpose):
        self.session.execute(dialect_insert(self.session, consent_bases).values(
            participant_id=participant_id, purpose=purpose).on_conflict_do_nothing())

    def withdraw(self, participant_id, purpose):
        self.session.execute(delete(consent_bases).where(*_basis(participant_id, purpose)))

    def hold(self, participant_id, purpose):
        return self.session.execute(
            select(consent_bases.c.purpose).where(*_basis(participant_id, purpose))
        ).first() is not None


def _basis(participant_id, purpose):
    return consent_bases.c.participant_id == participant_id, consent_bases.c.purpose == purpose


class Forwards:
    """Facts to forward to integrators after commit, and those forwarded."""

    def __init__(self, session):
        self.session = session

    def add(self, integrator, envelope):
        self.session.execute(insert(integrator_outbox).values(
            integrator=integrator, event_id=envelope["id"], event_type=envelope["type"],
            subject=envelope.get("subject"), envelope=envelope))

    def about(self, participant_id):
        """Every fact about the participant for an integrator, forwarded or not."""
        return self.session.execute(
            select(integrator_outbox.c.seq, integrator_outbox.c.integrator,
                   integrator_outbox.c.event_type)
            .where(integrator_outbox.c.subject == participant_id)).all()

    def remove(self, seq):
        self.session.execute(delete(integrator_outbox).where(integrator_outbox.c.seq == seq))

    def published_before(self, moment):
        return self.session.execute(
            select(integrator_outbox.c.seq, integrator_outbox.c.integrator,
                   integrator_outbox.c.event_type, integrator_outbox.c.subject)
            .where(integrator_outbox.c.published_at < moment)).all()


class Informed:
    """Which parties (`recipient:<id>`, `integrator:<name>`) were sent facts about whom for
    which purpose, once the facts themselves are gone."""

    def __init__(self, session):
        self.session = session

    def note(self, party, participant_id, purposes):
        for purpose in purposes:
            self.session.execute(dialect_insert(self.session, informed).values(
                party=party, participant=_pseudonym(participant_id), purpose=purpose)
                .on_conflict_do_nothing())

    def take(self, participant_id, purpose):
        """The parties informed of the participant for the purpose, forgotten as they are
        told of its withdrawal."""
        about = (informed.c.participant == _pseudonym(participant_id),
                 informed.c.purpose == purpose)
        parties = self.session.scalars(select(informed.c.party).where(*about)).all()
        self.session.execute(delete(informed).where(*about))
        return parties


def _pseudonym(participant_id):
    return hashlib.sha256(participant_id.encode()).hexdigest()


class NotificationsUnitOfWork(UnitOfWork):
    service = "notifications"
    metadata = metadata

    settings = None
    secrets = None

    def commit_with_answer(self, status, answer):
        """A signing secret is shown in the first answer only: the answer kept for a repeat of
        the request (shared/http.py, Idempotency-Key) holds none, as the database holds none
        readable (test_a_repeated_registration_answers_without_the_secret)."""
        kept = json.loads(answer) if answer else None
        if isinstance(kept, dict) and kept.get("webhook_secret"):
            answer = json.dumps({**kept, "webhook_secret": None})
        super().commit_with_answer(status, answer)

    def outbox_state(self):
        """The copies for integrators count with the service's own facts: `doorstroom status`
        shows them waiting or set aside, and `doorstroom outbox retry` retries them."""
        own, forwards = super().outbox_state(), super().outbox_state(integrator_outbox)
        return {**own, **{figure: own[figure] + forwards[figure]
                          for figure in ("outbox_backlog", "outbox_set_aside")},
                "oldest_set_aside": own["oldest_set_aside"] or forwards["oldest_set_aside"]}

    def retry_set_aside(self):
        """The facts for integrators that could not be forwarded get fresh attempts too."""
        forwards = retry_failed(self.session, integrator_outbox)
        return super().retry_set_aside() + forwards

    def _open(self, session):
        self.recipients = Recipients(session)
        self.subscriptions = Subscriptions(session)
        self.deliveries = Deliveries(session)
        self.places = Places(session)
        self.bases = Bases(session)
        self.forwards = Forwards(session)
        self.informed = Informed(session)

    def forget_own_past_retention(self, cutoffs):
        """Deliveries done and copies forwarded before their periods go; whom they informed of
        whom, and for what, is noted first (`informed`)."""
        kinds = {recipient.id: recipient.kind for recipient in self.recipients.where()}
        done = self.deliveries.done_before(cutoffs[DELIVERIES])
        for delivery in done:
            subject, kind = delivery.envelope.get("subject"), kinds.get(delivery.recipient_id)
            if subject and kind:
                self.informed.note(f"recipient:{delivery.recipient_id}", subject,
                                   needed_for(delivery.event_type, kind))
            self.deliveries.remove(delivery)
        forwarded = self.forwards.published_before(cutoffs[PUBLISHED_FACTS])
        for copy in forwarded:
            if copy.subject:
                self.informed.note(INTEGRATOR + copy.integrator, copy.subject,
                                   needed_for(copy.event_type, INTEGRATOR + copy.integrator))
            self.forwards.remove(copy.seq)
        return {DELIVERIES: len(done), PUBLISHED_FACTS: len(forwarded)}
