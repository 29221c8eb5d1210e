# nameko's pytest plugin no longer monkey-patches (since 2.14): do it before anything imports
# socket or threading, as `nameko run` does for the services.
import eventlet

eventlet.monkey_patch()

import pytest  # noqa: E402  (after the monkey-patching above)

from tests.broker import fresh_vhost  # noqa: E402


@pytest.fixture(scope="module")
def amqp_uri():
    """A fresh RabbitMQ vhost for the test module, deleted afterwards."""
    with fresh_vhost() as uri:
        yield uri
