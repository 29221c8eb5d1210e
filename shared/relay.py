"""Publishing recorded facts after commit: the other half of the transactional outbox.

A row is marked published only after the broker confirmed it, so a crash between commit and
publish (or a broker that is away) delays facts but never loses them; at worst a fact goes out
twice, which consumers deduplicate on `source` + `id`.

A fact the broker refuses (a type the service's account may not publish yet, an exchange that
is missing) or that cannot be sent (an envelope that does not serialise) must not jam the
outbox: it is tried again after growing pauses and set aside after `max_attempts`, while the
facts about other subjects go on; the later facts about its own subject wait behind it, so
that they keep their order. An operator who mended the cause gives it fresh attempts
(`doorstroom outbox retry SERVICE`). A broker that is away is not the fact's fault: no attempt
is counted, the round ends and the next one tries again.
"""
import logging
import random
from datetime import timedelta

import eventlet
from eventlet.queue import Empty, LightQueue
from nameko.amqp.publish import Publisher

from shared import clock
from shared.consumer import BROKER_AWAY, CLOUDEVENTS, broker_account, event_exchange
from shared.events import amqp_headers
from shared.metrics import metrics_for
from shared.store import (claim_unpublished, database_unavailable, first_line, mark_failed,
                          mark_published)

log = logging.getLogger(__name__)

DEFAULT_SWEEP_SECONDS = 5.0
# Pauses after a failed attempt: 1, 2, 4 … s, at most 5 minutes; ten attempts span some
# 8 minutes, long enough to outlast a permission being granted in a deployment.
DEFAULT_MAX_ATTEMPTS = 10
DEFAULT_FIRST_PAUSE_SECONDS = 1.0
DEFAULT_LONGEST_PAUSE_SECONDS = 300.0


class OutboxRelay:
    """Publishes a service's facts on its own exchange."""
    # What the log calls it.
    role = "outbox relay"

    def __init__(self, service, sessions, outbox, amqp_uri, sweep_seconds=DEFAULT_SWEEP_SECONDS,
                 max_attempts=DEFAULT_MAX_ATTEMPTS, first_pause=DEFAULT_FIRST_PAUSE_SECONDS,
                 longest_pause=DEFAULT_LONGEST_PAUSE_SECONDS):
        self.service = service
        self.sessions = sessions
        self.outbox = outbox
        self.sweep_seconds = sweep_seconds
        self.max_attempts = max_attempts
        self.first_pause = first_pause
        self.longest_pause = longest_pause
        self.exchange = event_exchange(service)
        self.publisher = Publisher(amqp_uri, use_confirms=True, declare=self._declared())
        # Named in every fact, and vouched for by the broker: consumers check it.
        self.account = broker_account(amqp_uri)
        self.metrics = metrics_for(service)
        self._wake = LightQueue(maxsize=1)
        self._running = False

    def wake(self):
        """Publish soon: called after a transaction that recorded facts commits."""
        if self._wake.empty():
            self._wake.put_nowait(True)

    def publish_pending(self):
        """Publish every recorded fact not yet confirmed, a claimed batch at a time in the order
        recorded; returns how many were published. Relays of other instances take other
        batches, so facts about one subject may leave out of order: their `sequence` lets
        consumers put them back in order."""
        published = 0
        while True:
            with self.sessions() as session:
                rows = claim_unpublished(session, self.outbox, clock.now())
                sent, failing = [], set()
                for row in rows:
                    if row.subject is not None and row.subject in failing:
                        continue  # waits behind the earlier fact about its subject
                    try:
                        self._publish(row)
                    except BROKER_AWAY:
                        raise
                    except Exception as exc:  # this fact's own fault: it must not jam the rest
                        self._failed(session, row, exc)
                        failing.add(row.subject)
                    else:
                        sent.append(row)
                if sent:
                    mark_published(session, self.outbox, [row.seq for row in sent])
                if rows:
                    session.commit()
                for row in sent:
                    self.metrics.published.labels(row.envelope["type"]).inc()
                published += len(sent)
            if not sent:  # what is left waits for its next attempt, or is set aside
                return published

    def _failed(self, session, row, exc):
        attempts = row.attempts + 1
        error = first_line(exc)
        event_type = row.envelope["type"]
        self.metrics.publish_failures.labels(event_type).inc()
        now = clock.now()
        if attempts >= self.max_attempts:
            log.error("%s %s: fact %s (%s) set aside after %d attempts: %s; the later "
                      "facts about its subject wait behind it until `doorstroom outbox retry "
                      "%s`", self.service, self.role, row.envelope["id"], event_type, attempts,
                      error, self.service)
            mark_failed(session, self.outbox, row.seq, attempts, error, set_aside_at=now)
            return
        # Spread out, so that facts that failed together are not all tried again together.
        pause = min(self.longest_pause, self.first_pause * 2 ** (attempts - 1)) * \
            random.uniform(0.5, 1.0)
        log.warning("%s %s: fact %s (%s) not published (attempt %d of %d): %s; "
                    "trying again in %.2f s", self.service, self.role, row.envelope["id"],
                    event_type, attempts, self.max_attempts, error, pause)
        mark_failed(session, self.outbox, row.seq, attempts, error,
                    next_attempt_at=now + timedelta(seconds=pause))

    def _declared(self):
        """What the relay declares before it publishes: the exchange the service owns."""
        return [self.exchange]

    def _destination(self, row):
        return self.exchange

    def _headers(self, row):
        return amqp_headers(row.envelope)

    def _publish(self, row):
        envelope = row.envelope
        self.publisher.publish(
            envelope, exchange=self._destination(row), routing_key=envelope["type"],
            headers=self._headers(row), message_id=envelope["id"], user_id=self.account,
            serializer=CLOUDEVENTS)

    def run(self):
        self._running = True
        while self._running:
            try:
                self.publish_pending()
            except Exception as exc:  # the broker or database is away: the next sweep tries again
                if database_unavailable(exc) or isinstance(exc, BROKER_AWAY):
                    log.warning("%s %s: publishing paused (%r); trying again in %g s",
                                self.service, self.role, exc, self.sweep_seconds)
                else:
                    log.exception("%s %s: publishing failed; retrying", self.service, self.role)
            try:
                self._wake.get(timeout=self.sweep_seconds)
            except Empty:
                pass

    def stop(self):
        self._running = False
        self.wake()
        eventlet.sleep(0)
