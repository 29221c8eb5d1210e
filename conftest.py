# nameko's pytest plugin no longer monkey-patches (since 2.14): do it before anything imports
# socket or threading, as `nameko run` does for the services.
import eventlet

eventlet.monkey_patch()

import importlib  # noqa: E402  (after the monkey-patching above)

import pika  # noqa: E402
import pytest  # noqa: E402

from doorstroom.chain import SERVICES  # noqa: E402
from tests.broker import fresh_vhost  # noqa: E402
from tests.databases import KINDS, fresh_database  # noqa: E402
from tests.harness import Broker, Producers  # noqa: E402

# Each store maps its domain's classes for SQLAlchemy, which changes how their instances work:
# map them all before any test module builds an entity at import time, as in production.
for _service in SERVICES:
    importlib.import_module(f"services.{_service}.store")


@pytest.fixture(scope="module")
def amqp_uri():
    """A fresh RabbitMQ vhost for the test module, deleted afterwards."""
    with fresh_vhost() as uri:
        yield uri


@pytest.fixture(scope="module")
def directory(request, tmp_path_factory):
    """A directory of the test module's own, for a service's database and keys."""
    return tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])


@pytest.fixture(scope="module", params=KINDS)
def database_url(request, directory):
    """A fresh database of the test module's own: the module runs once on SQLite and once on
    PostgreSQL."""
    with fresh_database(request.param, directory) as url:
        yield url


@pytest.fixture(scope="module")
def broker(request, amqp_uri):
    """The test module's own broker connection, hearing the services it names in WATCHED."""
    broker = Broker(amqp_uri, watched=getattr(request.module, "WATCHED", ()))
    yield broker
    broker.close()


@pytest.fixture(scope="module")
def producers(amqp_uri):
    """Publishes facts in the test module's vhost as their producers do (tests/harness.py)."""
    producers = Producers(amqp_uri)
    yield producers
    producers.close()


@pytest.fixture(scope="module")
def channel(amqp_uri):
    """A channel on the test module's vhost with publisher confirms: what it publishes has
    reached the broker when the call returns."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel = connection.channel()
    channel.confirm_delivery()
    yield channel
    connection.close()
