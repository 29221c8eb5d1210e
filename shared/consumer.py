"""Subscribing to other services' facts without losing or hot-looping on any of them.

nameko's own event handler acks a message whose handler raised, so the fact is gone. Here a
handler that raises is retried with backoff through a per-queue retry queue (a copy carries its
attempt count in our own header, since RabbitMQ 4 no longer counts client republishes in
`x-death`), and after the last attempt the message is parked in the service's `.dlq` queue with
its error. A message that cannot be read at all (not JSON, not a valid envelope, failing its
contract) is parked at once; a code of an open vocabulary that this release does not know is
no reason to park: it is kept, counted and logged (docs/events.md#versioning). A handler that
failed because its database is away (after the unit of work's own retries) is offered again
later without using up an attempt, however long the outage lasts. Parking and retrying publish
with confirms before the ack, so a crash in between duplicates a message at worst, which the
idempotent handlers absorb.

An ordered fact that arrives before its predecessor about the same subject (handlers run
concurrently, on several instances, and a predecessor may be waiting for a retry) is held back:
it waits in `<queue>.held` for a moment and is offered again, without using up its attempts,
until its turn has come (docs/ordering.md). One held back for longer than
EVENT_HOLD_MAX_SECONDS is parked with the reason.
"""
import logging
import time
import traceback
from functools import partial

import amqp.exceptions
import kombu.exceptions
import kombu.serialization
import kombu.utils.json

from kombu import Connection, Exchange, Queue, binding
from nameko.amqp.publish import Publisher
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer, QueueConsumer

from shared.contracts import contract_for, ordered_types
from shared.events import (STRUCTURED_CONTENT_TYPE, UnreadableEvent, exchange_for, read_event,
                           service_of, utc_now_rfc3339)
from shared.metrics import metrics_for
from shared.store import EarlyFact, database_unavailable

log = logging.getLogger(__name__)

OUR_HEADER_PREFIX = "x-doorstroom-"
ATTEMPT_HEADER = "x-doorstroom-attempt"
ERROR_HEADER = "x-doorstroom-error"
QUEUE_HEADER = "x-doorstroom-queue"
ORIGINAL_EXCHANGE_HEADER = "x-doorstroom-original-exchange"
ORIGINAL_ROUTING_KEY_HEADER = "x-doorstroom-original-routing-key"
PARKED_AT_HEADER = "x-doorstroom-parked-at"
HELD_SINCE_HEADER = "x-doorstroom-held-since"
# The account that published a fact, as the broker told its first consumer.
PUBLISHED_BY_HEADER = "x-doorstroom-published-by"
# Set by an operator's `doorstroom dlq replay --skip-gaps`: apply the fact even if earlier
# numbers about its subject never came (docs/ordering.md).
SKIP_GAP_HEADER = "x-doorstroom-skip-gap"
SKIP_GAP = "skip_gap"  # the worker context's key for it

DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_RETRY_DELAY_MS = 1000
DEFAULT_HOLD_MS = 250
DEFAULT_HOLD_MAX_SECONDS = 300
DEFAULT_OUTAGE_RETRY_MS = 5000
# Each service's own broker account, as docker/rabbitmq/definitions.json names them.
SERVICE_ACCOUNT = "doorstroom-{service}"

# Relays publish facts as CloudEvents in structured mode; consumers also take plain JSON, as
# facts published before that, replayed from a dlq, or sent by other clients come.
CLOUDEVENTS = "cloudevents"
kombu.serialization.register(CLOUDEVENTS, kombu.utils.json.dumps, kombu.utils.json.loads,
                             content_type=STRUCTURED_CONTENT_TYPE, content_encoding="utf-8")
ACCEPTED = ["json", CLOUDEVENTS]


# What kombu and amqp raise when the broker cannot be reached or the connection dropped; nameko
# catches only the last of these when it acknowledges, and an error in a consumer's thread
# would stop the whole service.
BROKER_AWAY = (OSError, amqp.exceptions.ConnectionError, kombu.exceptions.OperationalError)


def _unsettled(message, exc):
    # Unacknowledged, the message comes again once the connection is back; the inbox sees that
    # it was handled.
    log.warning("broker connection lost (%r): message %s will be delivered again", exc,
                (message.properties or {}).get("message_id"))


def dead_letter_queue_name(service):
    return f"{service}.dlq"


def requeue_exchange(service):
    """The service's own exchange for retries and parking."""
    return Exchange(f"{service}.requeue", type="direct", durable=True)


def event_exchange(service):
    return Exchange(exchange_for(service), type="topic", durable=True)


def _without_traceback_for_early_facts(record):
    if record.exc_info and record.exc_info[0] and issubclass(record.exc_info[0], EarlyFact):
        record.exc_info, record.exc_text = None, None
    return True


def queue_arguments(kind, queue_type, requeue, consuming_queue, dead_letters, hold_ms):
    """The arguments of one kind of a handler's queues: handler, retry, held or dlq."""
    args = {}
    if kind in ("retry", "held"):
        # An expired retry or hold goes back to the consuming queue by the broker's
        # dead-lettering, through the service's own exchange: the default one would need a
        # right to write to every queue.
        args = {"x-dead-letter-exchange": requeue, "x-dead-letter-routing-key": consuming_queue}
    if kind == "held":
        # Every message waits the same short time here, so none waits behind a longer retry.
        args["x-message-ttl"] = hold_ms
    if queue_type == "classic":
        return args
    # Quorum, replicated over the cluster (docs/rabbitmq-cluster.md). RabbitMQ 3.10 honours
    # per-message TTL on the retry queue and x-message-ttl on the held queue
    # (tests/test_quorum_queues.py). Every quorum queue but the dlq dead-letters, so a delivery
    # limit or an operator's reject parks a fact instead of dropping it, and at least once: the
    # broker keeps a message until its target confirmed it (which needs reject-publish).
    args["x-queue-type"] = "quorum"
    if kind == "handler":
        args.update({"x-dead-letter-exchange": requeue,
                     "x-dead-letter-routing-key": dead_letters})
    if kind != "dlq":  # the dlq is the final target: it dead-letters nowhere
        args.update({"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"})
    return args


def publisher_accounts(config, service):
    """How the accounts that publish facts are named (`doorstroom-{service}`), or None where
    they cannot be told apart: PUBLISHER_ACCOUNTS says so; without it, a service running under
    its own account of the chain (as `doorstroom up` and the tests run them) expects its
    producers under theirs, and one on a shared account (`guest`, where `doorstroom up` could
    not make the accounts) checks no account (tests/test_consumer.py)."""
    configured = config.get("PUBLISHER_ACCOUNTS")
    if configured:
        return configured
    own = broker_account(config["AMQP_URI"])
    return SERVICE_ACCOUNT if own == SERVICE_ACCOUNT.format(service=service) else None


def broker_account(amqp_uri):
    """The account a connection to `amqp_uri` logs in with: what RabbitMQ checks `user_id`
    against."""
    return Connection(amqp_uri).userid


def make_sure_exchange_exists(connection, exchange, otherwise="start its producer first"):
    """An exchange of the chain's that this account binds to or writes to but does not own. On
    a broker with the chain's accounts it exists (the definitions declare it, as `doorstroom
    up` and the tests import them) and the account may not declare it; where every service
    runs as one account that may declare anything (`guest`), the first to need it declares
    it."""
    try:
        exchange(connection.channel()).declare(passive=True)
    except amqp.exceptions.NotFound:
        try:
            exchange(connection.channel()).declare()
        except amqp.exceptions.AccessRefused as exc:
            raise RuntimeError(f"{exchange.name} does not exist and this account may not "
                               "declare it: load the broker definitions "
                               "(docs/rabbitmq-cluster.md)"
                               + (f" or {otherwise}" if otherwise else "")) from exc


class ParkingQueueConsumer(QueueConsumer):
    """A queue consumer that parks a body kombu cannot decode instead of dying on it, and that
    survives a connection lost while it acknowledges (tests/faults/test_broker_restart.py)."""

    accept = ACCEPTED

    def ack_message(self, message):
        try:
            super().ack_message(message)
        except BROKER_AWAY as exc:
            _unsettled(message, exc)

    def requeue_message(self, message):
        try:
            super().requeue_message(message)
        except BROKER_AWAY as exc:
            _unsettled(message, exc)

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._park_undecodable, provider)
        return consumers

    def _park_undecodable(self, provider, message, exc):
        provider.park(message, f"undecodable message: {exc!r}")


class ChainEventHandler(Consumer):
    """Consume facts of one producing service into a durable queue named `<service>.<method>`."""

    queue_consumer = ParkingQueueConsumer()

    def __init__(self, source_service, *event_types, **kwargs):
        ordered = ordered_types(source_service)
        missing = ordered - set(event_types) if ordered & set(event_types) else ()
        if missing:
            raise ValueError(f"who follows {source_service}'s ordered facts follows them all; "
                             f"missing: {', '.join(sorted(missing))}")
        self.source_service = source_service
        self.event_types = event_types
        # A fact held back for its turn is no fault of the service: one line, no traceback.
        kwargs.setdefault("expected_exceptions", (EarlyFact,))
        logging.getLogger("nameko.containers").addFilter(_without_traceback_for_early_facts)
        super().__init__(queue=None, **kwargs)

    def setup(self):
        service = self.container.service_name
        config = self.container.config
        self.max_attempts = int(config.get("EVENT_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))
        self.retry_delay_ms = int(config.get("EVENT_RETRY_DELAY_MS", DEFAULT_RETRY_DELAY_MS))
        self.hold_max_seconds = float(config.get("EVENT_HOLD_MAX_SECONDS",
                                                 DEFAULT_HOLD_MAX_SECONDS))
        self.outage_retry_ms = int(config.get("EVENT_OUTAGE_RETRY_MS", DEFAULT_OUTAGE_RETRY_MS))
        self.publisher_accounts = publisher_accounts(config, service)
        name = f"{service}.{self.method_name}"
        # Another service's exchange is only bound to, never declared here (it may not be):
        # its owner and the broker definitions declare it (make_sure_exchange_exists).
        exchange = event_exchange(self.source_service)
        exchange.no_declare = True
        self.requeue_exchange = requeue_exchange(service)
        dead_letters = dead_letter_queue_name(service)
        queue_type = config.get("QUEUE_TYPE", "classic")
        if queue_type not in ("classic", "quorum"):
            raise ValueError(f"QUEUE_TYPE is classic or quorum, not {queue_type!r}")

        def arguments(kind):
            return queue_arguments(kind, queue_type, self.requeue_exchange.name, name,
                                   dead_letters, int(config.get("EVENT_HOLD_MS", DEFAULT_HOLD_MS)))

        self.queue = Queue(name, durable=True, queue_arguments=arguments("handler"), bindings=[
            *(binding(exchange, routing_key=event_type) for event_type in self.event_types),
            binding(self.requeue_exchange, routing_key=name)])
        self.retry_queue = Queue(
            f"{name}.retry", exchange=self.requeue_exchange, routing_key=f"{name}.retry",
            durable=True, queue_arguments=arguments("retry"))
        self.hold_queue = Queue(
            f"{name}.held", exchange=self.requeue_exchange, routing_key=f"{name}.held",
            durable=True, queue_arguments=arguments("held"))
        self.dead_letter_queue = Queue(dead_letters, exchange=self.requeue_exchange,
                                       routing_key=dead_letters, durable=True,
                                       queue_arguments=arguments("dlq"))
        self.metrics = metrics_for(service)
        self.publisher = Publisher(
            config["AMQP_URI"], use_confirms=True,
            declare=[self.retry_queue, self.hold_queue, self.dead_letter_queue])
        # Declared up front, so operators see an empty dead-letter queue rather than none.
        with Connection(config["AMQP_URI"]) as connection:
            for queue in (self.retry_queue, self.hold_queue, self.dead_letter_queue):
                queue(connection.default_channel).declare()
            make_sure_exchange_exists(connection, event_exchange(self.source_service))
        super().setup()

    def handle_message(self, body, message):
        # A retried or held message comes back through the service's own exchange under the
        # queue's name; everything else must carry its event type as routing key.
        offered_again = self._offered_again(message)
        routing_key = None if offered_again else message.delivery_info.get("routing_key")
        try:
            fact = read_event(body, routing_key)
            self._check_provenance(message, fact, offered_again)
        except UnreadableEvent as exc:
            try:
                self.park(message, str(exc))
            except BROKER_AWAY as away:
                _unsettled(message, away)
            return
        if not offered_again:
            self._note_unknown_codes(fact)
        try:
            self.container.spawn_worker(
                self, (fact,), {},
                context_data={SKIP_GAP: bool((message.headers or {}).get(SKIP_GAP_HEADER))},
                handle_result=partial(self.handle_result, message, fact, time.monotonic()))
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def _note_unknown_codes(self, fact):
        """Counted once, when the fact first comes; the log names the fact, never whom it is
        about."""
        for field, code in fact.unknown_codes:
            self.metrics.unknown_codes.labels(fact.type, field).inc()
            log.warning("%s: %s %s carries %s %r, which this release does not know: kept as "
                        "it came", self.queue.name, fact.type, fact.id, field, code)

    def handle_result(self, message, fact, started, worker_ctx, result=None, exc_info=None):
        self.metrics.handler_seconds.labels(self.queue.name).observe(time.monotonic() - started)
        try:
            self._settle(message, fact, exc_info)
        except BROKER_AWAY as exc:  # the retry, hold or parking copy could not be published
            _unsettled(message, exc)
        return result, exc_info

    def _settle(self, message, fact, exc_info):
        """Acknowledge a handled fact; offer a failed one again later, or park it."""
        if exc_info is None:
            self.metrics.handled.labels(self.queue.name, fact.type).inc()
            self.queue_consumer.ack_message(message)
            return
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        if issubclass(exc_info[0], EarlyFact):
            self._hold(message, error)
            return
        self.metrics.failed.labels(self.queue.name, fact.type).inc()
        if database_unavailable(exc_info[1]):
            self._retry_after_outage(message, error)
            return
        attempt = int((message.headers or {}).get(ATTEMPT_HEADER, 0)) + 1
        if attempt >= self.max_attempts:
            self.park(message, error, attempts=attempt)
        else:
            self._retry_later(message, attempt, error)

    def _retry_later(self, message, attempt, error):
        delay_ms = self.retry_delay_ms * 2 ** (attempt - 1)
        log.warning("%s: attempt %d failed (%s); retrying in %d ms",
                    self.queue.name, attempt, error, delay_ms)
        headers = self._carried_headers(message)
        headers[ATTEMPT_HEADER] = attempt
        headers[ERROR_HEADER] = error[:1000]
        self._republish(message, headers, routing_key=self.retry_queue.name,
                        expiration=delay_ms / 1000)

    def _retry_after_outage(self, message, error):
        # The database is away, which says nothing about the fact: it waits for as long as the
        # outage lasts, and its attempts are kept for faults of its own.
        log.warning("%s: database unavailable (%s); offering the fact again in %d ms",
                    self.queue.name, error, self.outage_retry_ms)
        headers = self._carried_headers(message)
        headers[ERROR_HEADER] = error[:1000]
        # Its turn may come only after the outage: the wait for it starts again then.
        headers.pop(HELD_SINCE_HEADER, None)
        self._republish(message, headers, routing_key=self.retry_queue.name,
                        expiration=self.outage_retry_ms / 1000)

    def _hold(self, message, error):
        headers = self._carried_headers(message)
        held_since = headers.setdefault(HELD_SINCE_HEADER, time.time())
        if time.time() - held_since > self.hold_max_seconds:
            self.park(message, f"held back for over {self.hold_max_seconds:g} s: {error}")
            return
        self.metrics.held.labels(self.queue.name).inc()
        self._republish(message, headers, routing_key=self.hold_queue.name)

    def park(self, message, error, attempts=None):
        log.error("%s: parking message in %s: %s",
                  self.queue.name, self.dead_letter_queue.name, error)
        self.metrics.parked.labels(self.queue.name).inc()
        headers = self._carried_headers(message)
        headers[ERROR_HEADER] = error[:1000]
        headers[QUEUE_HEADER] = self.queue.name
        headers[PARKED_AT_HEADER] = utc_now_rfc3339()
        if attempts is not None:
            headers[ATTEMPT_HEADER] = attempts
        self._republish(message, headers, routing_key=self.dead_letter_queue.name)

    def _check_provenance(self, message, fact, offered_again):
        """A fact counts only when it came by its producer's exchange, and, where the chain's
        accounts are in use, was published by its producer's account: RabbitMQ vouches for the
        `user_id` property (tests/test_broker_permissions.py). A fact offered again (a retry,
        a hold, a replay) is judged by what this consumer noted when it first came, so a replay
        launders nothing."""
        producer = service_of(fact.source)
        if offered_again:
            headers = message.headers or {}
            came_by, published_by = (headers.get(ORIGINAL_EXCHANGE_HEADER),
                                     headers.get(PUBLISHED_BY_HEADER))
        else:
            came_by = message.delivery_info.get("exchange")
            published_by = (message.properties or {}).get("user_id")
        if came_by != exchange_for(producer):
            self._refuse("exchange", f"{fact.type} came by {came_by!r}, not by "
                                     f"{exchange_for(producer)}")
        if self.publisher_accounts:
            expected = self.publisher_accounts.format(service=producer)
            if published_by != expected:
                self._refuse("account", f"{fact.type} was published by "
                                        f"{published_by or 'an account that did not say'}, "
                                        f"not by {expected}")

    def _refuse(self, reason, error):
        self.metrics.refused.labels(self.queue.name, reason).inc()
        raise UnreadableEvent(error)

    def _offered_again(self, message):
        """Whether the message comes back from this service's own retry, hold or replay; if
        not, what its publisher said about how it fared here is dropped: only this consumer,
        the broker when it dead-letters, and an operator may say so
        (shared/tests/test_forged_headers.py)."""
        if message.delivery_info.get("exchange") == self.requeue_exchange.name:
            return True
        message.headers = {name: value for name, value in (message.headers or {}).items()
                           if not name.startswith(OUR_HEADER_PREFIX) and name != "x-death"}
        return False

    def _carried_headers(self, message):
        self._offered_again(message)
        headers = dict(message.headers or {})
        headers.setdefault(ORIGINAL_EXCHANGE_HEADER, message.delivery_info.get("exchange", ""))
        headers.setdefault(PUBLISHED_BY_HEADER, (message.properties or {}).get("user_id") or "")
        headers.setdefault(ORIGINAL_ROUTING_KEY_HEADER, message.delivery_info.get("routing_key", ""))
        return headers

    def _republish(self, message, headers, routing_key, expiration=None):
        properties = message.properties or {}
        self.publisher.publish(
            message.body,
            exchange=self.requeue_exchange, routing_key=routing_key, headers=headers,
            expiration=expiration,
            content_type=message.content_type or "application/octet-stream",
            content_encoding=message.content_encoding or "binary",
            message_id=properties.get("message_id"))
        self.queue_consumer.ack_message(message)


subscribe = ChainEventHandler.decorator


def follow(follows, source):
    """The entrypoint through which a service follows `source`'s facts, made from its table
    of the facts it follows, {source: {event type: handler(uow, fact)}}: its queue is bound to
    those types and each fact goes to its handler. The table is all that says what a service
    follows: queue bindings, broker grants and the catalogue are read from these entrypoints
    (tests/test_catalogue.py test_each_service_follows_what_its_table_says)."""
    handlers = follows[source]
    elsewhere = sorted(t for t in handlers if contract_for(t).producer != source)
    if elsewhere:
        # Bound to this exchange, they would never come (test_a_fact_is_followed_from_its_producer).
        raise ValueError(f"{source} does not publish {', '.join(elsewhere)}")

    @subscribe(source, *handlers)
    def apply(self, fact):
        handlers[fact.type](self.uow, fact)
    return apply
