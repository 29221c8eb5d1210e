"""Forwarding facts to integrators.

An integrator does not read the producers' exchanges, where the broker could sort facts by type
only: notifications, which knows each participant's basis, forwards to it, on an exchange of its
own (`integrator.<name>`) that only notifications may write to, the facts it is entitled to
about participants for whom the basis holds, and the withdrawal of that basis (handlers.py).
Each fact goes unchanged (its id, type, source and data), with the CloudEvents AMQP headers;
the broker vouches for notifications' account in `user_id`, and FORWARDED_FROM_HEADER names the
producer's exchange. Copies are recorded in notifications' `integrator_outbox` in the
transaction that handles the fact, and published by a relay of their own, with confirms, in
the order recorded (shared/relay.py;
test_with_a_basis_the_integrator_gets_its_facts_in_order_unchanged). A copy the broker refuses
holds up the later copies about its participant, for every integrator, until it goes out or is
set aside; `doorstroom status` counts it and `doorstroom outbox retry notifications` gives it
fresh attempts (test_a_copy_the_broker_refuses_is_set_aside_shown_and_forwarded_when_retried).
"""
from kombu import Connection, Exchange
from nameko.extensions import DependencyProvider

from services.notifications.store import integrator_outbox
from shared.consumer import make_sure_exchange_exists
from shared.contracts.policy import integrators
from shared.database import Database, relay_settings
from shared.events import amqp_headers, exchange_for, integrator_exchange, service_of
from shared.relay import OutboxRelay
from shared.store import COMMITTED

FORWARDED_FROM_HEADER = "x-doorstroom-forwarded-from"


class ForwardingRelay(OutboxRelay):
    """Publishes the integrator outbox, each copy on its integrator's exchange."""
    role = "integrator relay"

    def _declared(self):
        return []  # the integrators' exchanges are not notifications' to declare

    def _destination(self, row):
        return integrator_exchange(row.integrator)

    def _headers(self, row):
        return {**amqp_headers(row.envelope),
                FORWARDED_FROM_HEADER: exchange_for(service_of(row.envelope["source"]))}


class IntegratorRelay(DependencyProvider):
    """Runs the ForwardingRelay on the service's own database, with the outbox relay's
    settings, and wakes it when a worker committed."""
    database = Database()
    relay = None  # until the service starts

    def start(self):
        amqp_uri = self.container.config["AMQP_URI"]
        with Connection(amqp_uri) as connection:
            for name in integrators():
                make_sure_exchange_exists(connection, Exchange(
                    integrator_exchange(name), type="topic", durable=True), otherwise=None)
        _, sessions = self.database.open()
        self.relay = ForwardingRelay(self.container.service_name, sessions,
                                     integrator_outbox, amqp_uri,
                                     **relay_settings(self.container.config))
        self.container.spawn_managed_thread(self.relay.run, identifier="integrator-relay")

    def stop(self):
        if self.relay:
            self.relay.stop()

    kill = stop

    def worker_teardown(self, worker_ctx):
        if self.relay and worker_ctx.data.get(COMMITTED):
            self.relay.wake()
