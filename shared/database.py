"""The nameko dependencies of a service on its database: its units of work, the outbox relay,
and what its units of work take from the configuration (keys, senders). Each is a provider of
its own, so that a test replaces any of them (nameko.testing.services.worker_factory:
services/training/tests/test_providers.py)."""
import logging

from nameko.extensions import DependencyProvider, SharedExtension

from shared import clock
from shared.consumer import SKIP_GAP
from shared.migrations import require_current
from shared.relay import (DEFAULT_FIRST_PAUSE_SECONDS, DEFAULT_LONGEST_PAUSE_SECONDS,
                          DEFAULT_MAX_ATTEMPTS, OutboxRelay)
from shared.store import (COMMITTED, KEYED_REQUEST, KEYED_WORK, KeyedRequests, make_engine,
                          one_instance_at_a_time, session_factory)

log = logging.getLogger(__name__)


class Database(SharedExtension):
    """The service's engine and sessions: one per service container, shared by the providers
    that use its database. Made on first use, as nameko sets its providers up all at once."""

    def __init__(self):
        self.engine = self.sessions = None
        # Called after a transaction that recorded facts commits: the relays' wake.
        self.on_recorded = []

    def open(self):
        if self.engine is None:
            self.engine = make_engine(self.container.config["DATABASE_URL"])
            self.sessions = session_factory(self.engine)
        return self.engine, self.sessions

    def recorded(self):
        for wake in self.on_recorded:
            wake()


class UnitsOfWork(DependencyProvider):
    """`self.uow` in a worker: a fresh unit of work on the service's own database.

    Handlers commit inside the unit of work, not in worker teardown: nameko acks a consumed
    message before teardown runs. `uses` names the service's providers whose objects the unit
    of work takes, by the same names (intake's `vault`); `on_setup` is a use case run once the
    database is prepared (notifications' default recipients).
    """
    database = Database()

    def __init__(self, uow_class, uses=(), on_setup=None):
        self.uow_class = uow_class
        self.uses = uses
        self.on_setup = on_setup

    def setup(self):
        engine, sessions = self.database.open()
        self.configured = self.uow_class.resources(self.container.config)
        providers = {dependency.attr_name: dependency for dependency in self.container.dependencies}
        self.used = {name: providers[name] for name in self.uses}
        # The schema changes only by `doorstroom migrate` (shared/migrations); a service does
        # not start on a database its code was not written for.
        require_current(self.uow_class.service, engine)
        with one_instance_at_a_time(engine, self.uow_class.service, "prepare"):
            self.prepare(sessions, self._resources(None))
        for warning in self.uow_class.warnings(clock.today()):
            log.warning("%s: %s", self.uow_class.service, warning)
        self.keyed_requests = KeyedRequests(sessions, self.uow_class.keyed_requests)

    def prepare(self, sessions, resources):
        """What the service does to its database as it starts, also asked for by a test that
        starts no container."""
        self.uow_class.prepare(sessions, **resources)
        if self.on_setup:
            self.on_setup(self.uow_class(sessions, **resources))

    def _resources(self, worker_ctx):
        # The providers' objects are the same for every worker: made as the service starts.
        return {**self.configured, **{name: provider.get_dependency(worker_ctx)
                                      for name, provider in self.used.items()}}

    def get_dependency(self, worker_ctx):
        def committed(recorded):
            worker_ctx.data[COMMITTED] = True
            if recorded:
                self.database.recorded()
        uow = self.uow_class(self.database.sessions, on_commit=committed,
                             request=worker_ctx.data.get(KEYED_REQUEST),
                             skip_gaps=worker_ctx.data.get(SKIP_GAP, False),
                             **self._resources(worker_ctx))
        if KEYED_REQUEST in worker_ctx.data:
            # The endpoint commits it with the request's answer (shared/http.py).
            worker_ctx.data[KEYED_WORK] = uow
        return uow


def relay_settings(config):
    """How an outbox relay sweeps, and retries what the broker refuses."""
    return {"sweep_seconds": float(config.get("OUTBOX_SWEEP_SECONDS", 5)),
            "max_attempts": int(config.get("OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)),
            "first_pause": float(config.get("OUTBOX_FIRST_RETRY_SECONDS",
                                            DEFAULT_FIRST_PAUSE_SECONDS)),
            "longest_pause": float(config.get("OUTBOX_LONGEST_RETRY_SECONDS",
                                              DEFAULT_LONGEST_PAUSE_SECONDS))}


class Relay(DependencyProvider):
    """Publishes the service's outbox (shared/relay.py) while the container runs, woken when a
    unit of work that recorded facts commits."""
    database = Database()

    def __init__(self, uow_class):
        self.uow_class = uow_class

    def setup(self):
        config = self.container.config
        _, sessions = self.database.open()
        self.relay = OutboxRelay(self.uow_class.service, sessions,
                                 self.uow_class.outbox, config["AMQP_URI"],
                                 **relay_settings(config))
        self.database.on_recorded.append(self.relay.wake)

    def start(self):
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self):
        self.relay.stop()

    def kill(self):
        self.relay.stop()


class Resource(DependencyProvider):
    """One object the service's units of work use, made from the configuration by `make` when
    the service starts: intake's identity vault, notifications' senders and signing secrets."""

    def __init__(self, make):
        self.make = make
        self.made = None

    def setup(self):
        self._made()

    def _made(self):
        if self.made is None:  # also asked for by the units of work as they are set up
            self.made = self.make(self.container.config)
        return self.made

    def get_dependency(self, worker_ctx):
        return self._made()
