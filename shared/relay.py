"""Publishing recorded facts after commit: the other half of the transactional outbox.

A row is marked published only after the broker confirmed it, so a crash between commit and
publish (or a broker that is away) delays facts but never loses them; at worst a fact goes out
twice, which consumers deduplicate on `source` + `id`.
"""
import logging

import eventlet
from eventlet.queue import Empty, LightQueue
from nameko.amqp.publish import Publisher

from shared.consumer import BROKER_AWAY, CLOUDEVENTS, broker_account, event_exchange
from shared.events import amqp_headers
from shared.metrics import metrics_for
from shared.store import claim_unpublished, database_unavailable, mark_published

log = logging.getLogger(__name__)

DEFAULT_SWEEP_SECONDS = 5.0


class OutboxRelay:
    def __init__(self, service, sessions, outbox, amqp_uri, sweep_seconds=DEFAULT_SWEEP_SECONDS):
        self.service = service
        self.sessions = sessions
        self.outbox = outbox
        self.sweep_seconds = sweep_seconds
        self.exchange = event_exchange(service)
        self.publisher = Publisher(amqp_uri, use_confirms=True, declare=[self.exchange])
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
        recorded. Relays of other instances take other batches, so facts about one subject may
        leave out of order: their `sequence` lets consumers put them back in order."""
        published = 0
        while True:
            with self.sessions() as session:
                rows = claim_unpublished(session, self.outbox)
                for row in rows:
                    self._publish(row.envelope)
                if rows:
                    mark_published(session, self.outbox, [row.seq for row in rows])
                    session.commit()
                for row in rows:
                    self.metrics.published.labels(row.envelope["type"]).inc()
                published += len(rows)
            if not rows:
                return published

    def _publish(self, envelope):
        self.publisher.publish(
            envelope, exchange=self.exchange, routing_key=envelope["type"],
            headers=amqp_headers(envelope), message_id=envelope["id"], user_id=self.account,
            serializer=CLOUDEVENTS)

    def run(self):
        self._running = True
        while self._running:
            try:
                self.publish_pending()
            except Exception as exc:  # the broker or database is away: the next sweep tries again
                if database_unavailable(exc) or isinstance(exc, BROKER_AWAY):
                    log.warning("%s outbox relay: publishing paused (%r); trying again in %g s",
                                self.service, exc, self.sweep_seconds)
                else:
                    log.exception("%s outbox relay: publishing failed; retrying", self.service)
            try:
                self._wake.get(timeout=self.sweep_seconds)
            except Empty:
                pass

    def stop(self):
        self._running = False
        self.wake()
        eventlet.sleep(0)
