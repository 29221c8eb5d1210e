import pytest

from tests.broker import fresh_vhost


@pytest.fixture(scope="module")
def amqp_uri():
    with fresh_vhost() as uri:
        yield uri
