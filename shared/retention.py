"""How long each service keeps what it no longer needs, and the purge that holds it to that.

Each period is a setting in days (in each service's config.yaml); `doorstroom privacy-register`
lists them in docs/privacy.md. Every hour one instance of each service purges what has passed
its period (shared/service.py); what counts for the outcome reports is anonymised, not deleted
(shared/tests/test_retention.py, on SQLite and PostgreSQL).
"""
import logging
from dataclasses import dataclass
from datetime import timedelta

from shared import clock

log = logging.getLogger(__name__)

EVERY_SERVICE = ("intake", "training", "matching", "placement", "notifications")


@dataclass(frozen=True)
class Retention:
    setting: str | None  # None: a period that is not a setting
    days: int
    what: str
    services: tuple = EVERY_SERVICE

    def days_in(self, config):
        return int(config.get(self.setting, self.days)) if self.setting else self.days


REQUEST_ANSWERS = Retention(
    None, 1,
    "what a request sent with an `Idempotency-Key` did and answered: the window in which its "
    "client may send it again")

HANDLED_FACT_IDS = Retention(
    "RETAIN_HANDLED_FACT_IDS_DAYS", 90,
    "the ids of the facts a service handled (its inbox), by which it knows a fact delivered "
    "twice; a parked fact replayed after this period could be applied again, unless it is "
    "ordered (docs/ordering.md)")
PUBLISHED_FACTS = Retention(
    "RETAIN_PUBLISHED_FACTS_DAYS", 365,
    "the facts a service published (its outbox), which `GET /events` and `doorstroom trace` "
    "show; those not yet published stay")
DELIVERIES = Retention(
    "RETAIN_DELIVERIES_DAYS", 90,
    "notifications delivered or given up on (inbox entries, e-mails, webhook calls, with the "
    "facts they carried and their attempts), counted from when they were made",
    ("notifications",))
ENDED_PROGRAMMES = Retention(
    "RETAIN_ENDED_PROGRAMMES_DAYS", 365,
    "training programmes that ended: then anonymised (modules, results and how it ended "
    "stay, to be counted; cohorts' members and attendance no longer name the participant)",
    ("training",))
ENDED_PLACEMENTS = Retention(
    "RETAIN_ENDED_PLACEMENTS_DAYS", 730,
    "placements that ended: then anonymised (the job still counts for social return and the "
    "outcome reports; check-ins and notes are erased)",
    ("placement",))
JOURNEYS = Retention(
    "RETAIN_JOURNEYS_DAYS", 365,
    "what the other services told the PI of its participants (training completed or stopped, "
    "certificates, placements started and ended), which a participant's page shows as their "
    "journey through the chain, counted from when it happened",
    ("intake",))

AUDIT_ENTRIES = Retention(
    "RETAIN_AUDIT_DAYS", 1826,
    "the audit log's entries (who read or tried to read whose personal data): after the legal "
    "term the privacy officer sets (five years unless set otherwise) the oldest go; the log "
    "keeps the hash of the last that went, and its check starts from there")

RETENTION = (REQUEST_ANSWERS, HANDLED_FACT_IDS, PUBLISHED_FACTS, DELIVERIES, ENDED_PROGRAMMES,
             ENDED_PLACEMENTS, JOURNEYS, AUDIT_ENTRIES)


def cutoffs(service, config, now=None):
    """For each period of `service`: what was made, handled or ended before it has passed."""
    now = now or clock.now()
    return {retention: now - timedelta(days=retention.days_in(config))
            for retention in RETENTION if service in retention.services}


def purge(uow, cutoffs):
    """Purge, in one transaction, what has passed its period; returns how many of each."""
    with uow:
        purged = uow.forget_past_retention(cutoffs)
        uow.commit()
    if any(purged.values()):
        uow.scrub()
        log.info("past retention: %s", ", ".join(
            f"{count} past {retention.setting or 'their day'}"
            for retention, count in purged.items() if count))
    return purged
