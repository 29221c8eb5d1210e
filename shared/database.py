"""The nameko dependency that gives each worker a unit of work and runs the outbox relay."""
import logging

from nameko.extensions import DependencyProvider

from shared import clock
from shared.consumer import SKIP_GAP
from shared.migrations import require_current
from shared.relay import (DEFAULT_FIRST_PAUSE_SECONDS, DEFAULT_LONGEST_PAUSE_SECONDS,
                          DEFAULT_MAX_ATTEMPTS, OutboxRelay)
from shared.store import (COMMITTED, KEYED_REQUEST, KEYED_WORK, KeyedRequests, make_engine,
                          one_instance_at_a_time, session_factory)

log = logging.getLogger(__name__)


class Store(DependencyProvider):
    """`self.uow` in a worker: a fresh unit of work on the service's own database.

    Handlers commit inside the unit of work, not in worker teardown: nameko acks a consumed
    message before teardown runs.
    """

    def __init__(self, uow_class):
        self.uow_class = uow_class

    def setup(self):
        config = self.container.config
        self.engine = make_engine(config["DATABASE_URL"])
        self.sessions = session_factory(self.engine)
        self.resources = self.uow_class.resources(config)
        # The schema changes only by `doorstroom migrate` (shared/migrations); a service does
        # not start on a database its code was not written for.
        require_current(self.uow_class.service, self.engine)
        with one_instance_at_a_time(self.engine, self.uow_class.service, "prepare"):
            self.uow_class.prepare(self.sessions, **self.resources)
        for warning in self.uow_class.warnings(clock.today()):
            log.warning("%s: %s", self.uow_class.service, warning)
        self.keyed_requests = KeyedRequests(self.sessions, self.uow_class.keyed_requests)
        self.relay = OutboxRelay(
            self.uow_class.service, self.sessions, self.uow_class.outbox, config["AMQP_URI"],
            sweep_seconds=float(config.get("OUTBOX_SWEEP_SECONDS", 5)),
            max_attempts=int(config.get("OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)),
            first_pause=float(config.get("OUTBOX_FIRST_RETRY_SECONDS",
                                         DEFAULT_FIRST_PAUSE_SECONDS)),
            longest_pause=float(config.get("OUTBOX_LONGEST_RETRY_SECONDS",
                                           DEFAULT_LONGEST_PAUSE_SECONDS)))

    def start(self):
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self):
        self.relay.stop()

    def kill(self):
        self.relay.stop()

    def get_dependency(self, worker_ctx):
        def committed(recorded):
            worker_ctx.data[COMMITTED] = True
            if recorded:
                self.relay.wake()
        uow = self.uow_class(self.sessions, on_commit=committed,
                             request=worker_ctx.data.get(KEYED_REQUEST),
                             skip_gaps=worker_ctx.data.get(SKIP_GAP, False), **self.resources)
        if KEYED_REQUEST in worker_ctx.data:
            # The endpoint commits it with the request's answer (shared/http.py).
            worker_ctx.data[KEYED_WORK] = uow
        return uow
