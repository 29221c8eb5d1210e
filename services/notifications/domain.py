"""Who hears about which facts, through which channel, exactly once.

Recipients belong to an organisation; what an organisation may see is fixed here (privacy), and
each recipient's subscriptions choose from that by pattern, optionally filtered. A fact becomes
one delivery per recipient and channel; deliveries over e-mail and webhooks are retried with
backoff and end delivered or failed, and every attempt is logged.
"""
import fnmatch
import ipaddress
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from urllib.parse import urlsplit

from services.notifications.messages import day_shown, describe
from shared.aggregate import Aggregate
from shared.clock import ZONE
from shared.contracts.notifications import NotificationDelivered, NotificationFailed
from shared.contracts.policy import ORGANISATIONS, visible_to
from shared.errors import Conflict, Invalid
from shared.organisations import OfAnOrganisation, kind_of, organisation_named

# What each organisation may hear of, from the chain's privacy policy. A subscription never
# reaches beyond this.
VISIBLE_TO = {organisation: visible_to(organisation) for organisation in ORGANISATIONS}
# Facts about participants go to a municipality only on a legal basis for informing it; that
# basis is kept with where the participant returns to, the other consent purposes' apart.
MUNICIPALITY_PURPOSE = "inform-municipality"

# The chain's default rules, shipped as one recipient per organisation of which there is one;
# changeable over the API. Each municipality registers its own (test_tenants.py): one recipient
# for all of them would let each hear of the others' participants.
DEFAULT_SUBSCRIPTIONS = {
    "pi": ("participant.admitted", "placement.started"),
    "probation": ("participant.released", "participant.withdrawn", "placement.started",
                  "placement.ended"),
    "work-company": ("participant.admitted", "participant.release_date_changed",
                     "participant.withdrawn", "match.accepted", "training.certificate_awarded",
                     "training.result_corrected"),
    "social-service": ("training.programme_completed", "placement.started", "placement.ended",
                       "placement.sustained"),
}

LANGUAGES = ("nl", "en")
def redacted_for(organisation, envelope):
    """What a recipient of `organisation` may receive of a fact. Employers know candidates only
    as the matching service presents them: not by the chain's participant id."""
    if organisation != "employer":
        return envelope
    data = {k: v for k, v in envelope.get("data", {}).items() if k != "participant_id"}
    return {k: v for k, v in {**envelope, "data": data}.items() if k != "subject"}


def visible(organisation, event_type):
    return any(fnmatch.fnmatchcase(event_type, p) for p in VISIBLE_TO.get(organisation, ()))


def validate_webhook_url(url, allow_insecure_localhost):
    """A webhook goes to an https URL on a public host (or, where allowed, plain http on this
    machine for development)."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise Invalid("webhook_url", "credentials do not belong in a webhook URL")
    if not parts.hostname:
        raise Invalid("webhook_url", "a webhook URL needs a host")
    local = parts.hostname in ("localhost", "127.0.0.1", "::1")
    if parts.scheme == "http" and local and allow_insecure_localhost:
        return url
    if parts.scheme != "https":
        raise Invalid("webhook_url", "a webhook URL must use https")
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        address = None
    if local or (address and (address.is_private or address.is_loopback or address.is_link_local)):
        raise Invalid("webhook_url", "a webhook may not point into a private network")
    return url


@dataclass
class Subscription:
    id: str
    recipient_id: str
    pattern: str
    municipality: str | None = None

    def matches(self, envelope, municipality_of):
        if not fnmatch.fnmatchcase(envelope["type"], self.pattern):
            return False
        if self.municipality is None:
            return True
        return municipality_of(envelope) == self.municipality


@dataclass
class Recipient(OfAnOrganisation):
    id: str
    name: str
    # Whose recipient it is (shared/organisations.py): "municipality:0505", "employer:<id>"…
    organisation: str
    language: str = "nl"
    email: str | None = None
    webhook_url: str | None = None
    # Sealed (channels.WebhookSecrets); only the answer that issues a secret holds it readable.
    webhook_secret: str | None = None
    digest: bool = False
    last_digest_on: date | None = None
    # After a digest could not be sent: not before this moment again.
    digest_retry_at: datetime | None = None

    @classmethod
    def register(cls, name, organisation, **details):
        if kind_of(organisation) not in VISIBLE_TO:
            raise Invalid("organisation", f"unknown organisation {organisation!r}")
        try:
            organisation = organisation_named(organisation, kind_of(organisation), whole=True)
        except ValueError as exc:
            raise Invalid("organisation", str(exc)) from exc
        recipient = cls(str(uuid.uuid4()), name, organisation, **details)
        if recipient.language not in LANGUAGES:
            raise Invalid("language", f"one of {', '.join(LANGUAGES)}")
        return recipient

    @property
    def channels(self):
        return ["inbox"] + (["email"] if self.email else []) + \
            (["webhook"] if self.webhook_url else [])

    def digest_due(self, now, digest_hour):
        """Once a day from `digest_hour` as the clocks in Amsterdam say, where the people it
        is for are."""
        local = now.astimezone(ZONE)
        return (self.digest and bool(self.email) and local.hour >= digest_hour
                and (self.last_digest_on is None or self.last_digest_on < local.date())
                and (self.digest_retry_at is None or self.digest_retry_at <= now))

    def subscribe(self, pattern, known_types, municipality=None):
        """Subscribe to the event types `pattern` matches, of those the organisation may see."""
        if not any(fnmatch.fnmatchcase(t, pattern) and visible(self.kind, t)
                   for t in known_types):
            raise Invalid("pattern", f"matches no event type {self.kind} may hear of")
        if self.municipality and municipality not in (None, self.municipality):
            raise Invalid("municipality", "a municipality hears only of the participants "
                                          "returning to it")
        return Subscription(str(uuid.uuid4()), self.id, pattern, municipality)

    def may_receive(self, envelope, municipality_of):
        """Whether the fact is the recipient's to hear of: an employer's own vacancies, matches
        and placements; a municipality's own participants (`municipality_of` the fact)."""
        if not visible(self.kind, envelope["type"]):
            return False
        if self.kind == "employer":
            return envelope.get("data", {}).get("employer_id") == self.employer_id
        if self.kind == "municipality":
            return municipality_of(envelope) == self.municipality
        return True


class DeliveryStatus(str, Enum):
    PENDING = "pending"
    QUEUED_FOR_DIGEST = "queued-for-digest"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Attempt:
    at: datetime
    succeeded: bool
    error: str | None = None


@dataclass
class Delivery(Aggregate):
    """One fact to one recipient over one channel: the delivery log's entry."""
    id: str
    recipient_id: str
    channel: str
    event_source: str
    event_id: str
    event_type: str
    envelope: dict
    summary: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list = field(default_factory=list)
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_error: str | None = None
    acknowledged_at: datetime | None = None

    @classmethod
    def of(cls, recipient, channel, envelope, now):
        shared = redacted_for(recipient.kind, envelope)
        delivery = cls(str(uuid.uuid4()), recipient.id, channel, envelope["source"],
                       envelope["id"], envelope["type"], shared,
                       describe(shared, recipient.language), now, next_attempt_at=now)
        if channel == "inbox":
            delivery.succeed(now, recipient)
        elif channel == "email" and recipient.digest:
            delivery.status = DeliveryStatus.QUEUED_FOR_DIGEST
            delivery.next_attempt_at = None
        return delivery

    def succeed(self, now, recipient):
        self.attempts = [*self.attempts, Attempt(now, True)]
        self.status = DeliveryStatus.DELIVERED
        self.delivered_at = now
        self.next_attempt_at = None
        self.record(NotificationDelivered(**self._told(recipient)))

    def fail(self, now, error, policy, recipient):
        """Record a failed attempt: try again after a backoff, or give up; True if given up."""
        self.attempts = [*self.attempts, Attempt(now, False, error[:500])]
        self.last_error = error[:500]
        if len(self.attempts_this_round) >= policy.max_attempts:
            self.status = DeliveryStatus.FAILED
            self.next_attempt_at = None
            self.record(NotificationFailed(**self._told(recipient),
                                           attempts=len(self.attempts_this_round),
                                           error=self.last_error))
            return True
        self.next_attempt_at = now + policy.backoff(len(self.attempts_this_round))
        return False

    def _told(self, recipient):
        return {"delivery_id": self.id, "recipient": recipient.name,
                "organisation": recipient.kind, "channel": self.channel,
                "event_id": self.event_id, "event_type": self.event_type}

    @property
    def attempts_this_round(self):
        """Attempts since the delivery last (re)started: a resend gets a full round again."""
        since = [i for i, a in enumerate(self.attempts) if a.error == RESENT]
        return self.attempts[since[-1] + 1:] if since else self.attempts

    def resend(self, now):
        if self.status is not DeliveryStatus.FAILED:
            raise Conflict(f"only a failed delivery is sent again; this one is "
                           f"{self.status.value}")
        self.attempts = [*self.attempts, Attempt(now, False, RESENT)]
        self.status = DeliveryStatus.PENDING
        self.next_attempt_at = now

    def acknowledge(self, now):
        if self.channel != "inbox":
            raise Conflict("only inbox entries are acknowledged")
        self.acknowledged_at = self.acknowledged_at or now


RESENT = "sent again on request"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 2.0

    def backoff(self, attempt):
        """Exponential, with jitter so that many failed deliveries do not retry in step."""
        delay = self.base_seconds * 2 ** (attempt - 1)
        return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


def digest_text(recipient, deliveries, day):
    shown = day_shown(day, recipient.language)
    heading = {"nl": f"Overzicht doorstroom van {shown}", "en": f"doorstroom digest for {shown}"}
    lines = [f"- {d.summary}" for d in sorted(deliveries, key=lambda d: d.created_at)]
    return heading[recipient.language], "\n".join([heading[recipient.language], "", *lines])
