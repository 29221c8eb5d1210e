"""Prometheus metrics of a service: facts published, handled, held back, failed, refused and
parked, codes in them this release does not know, how long handlers take, the outbox backlog, and facts the outbox could not publish.
Each service has its own registry, so several services in one process (as in tests) keep their
figures apart."""
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class ServiceMetrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.published = Counter(
            "doorstroom_events_published_total", "Facts published (confirmed by the broker)",
            ["event_type"], registry=self.registry)
        self.handled = Counter(
            "doorstroom_events_handled_total", "Facts this service's consumers handled",
            ["queue", "event_type"], registry=self.registry)
        self.failed = Counter(
            "doorstroom_events_failed_total", "Handler attempts that failed (retried or parked)",
            ["queue", "event_type"], registry=self.registry)
        self.held = Counter(
            "doorstroom_events_held_total",
            "Ordered facts held back until an earlier fact about the same subject was applied",
            ["queue"], registry=self.registry)
        self.parked = Counter(
            "doorstroom_events_parked_total", "Messages parked in the dead-letter queue",
            ["queue"], registry=self.registry)
        # Apart from the parked, so that an alert can tell a forgery from a fault
        # (tests/test_broker_permissions.py).
        self.refused = Counter(
            "doorstroom_events_refused_total",
            "Facts refused (and parked) as not their producer's: reason exchange (not by its "
            "exchange) or account (not published by its account)",
            ["queue", "reason"], registry=self.registry)
        # A newer producer's vocabulary: the fact is applied, and an operator sees it is time
        # to upgrade (docs/events.md#versioning).
        self.unknown_codes = Counter(
            "doorstroom_unknown_codes_total",
            "Codes of open vocabularies in consumed facts that this release does not know, "
            "kept as they came", ["event_type", "field"], registry=self.registry)
        self.handler_seconds = Histogram(
            "doorstroom_handler_seconds", "How long a consumer's handler took", ["queue"],
            registry=self.registry)
        self.outbox_backlog = Gauge(
            "doorstroom_outbox_backlog", "Facts recorded but not yet published",
            registry=self.registry)
        self.publish_failures = Counter(
            "doorstroom_outbox_publish_failures_total",
            "Attempts to publish a recorded fact that the broker refused or that could not be "
            "sent (not counted while the broker is away)", ["event_type"], registry=self.registry)
        self.purged = Counter(
            "doorstroom_retention_purged_total",
            "Rows purged or anonymised because their retention passed, by period",
            ["period"], registry=self.registry)
        self.outbox_set_aside = Gauge(
            "doorstroom_outbox_set_aside",
            "Recorded facts set aside after failing every attempt to publish them",
            registry=self.registry)

    def exposition(self):
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


_BY_SERVICE = {}


def metrics_for(service):
    return _BY_SERVICE.setdefault(service, ServiceMetrics())
