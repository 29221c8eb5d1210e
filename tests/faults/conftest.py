"""Each fault-injection module runs the whole chain on its own vhost (`amqp_uri`), its own five
fresh PostgreSQL databases and its own ports, and drops the databases afterwards."""
import pytest

from tests.faults.running import RunningChain


@pytest.fixture(scope="module")
def running(request, amqp_uri, tmp_path_factory):
    """The chain, started; a module's PROXIED services reach the broker through a proxy the
    test can partition."""
    chain = RunningChain(amqp_uri, tmp_path_factory.mktemp("chain"),
                         proxied=getattr(request.module, "PROXIED", ()))
    try:
        yield chain.start()
    finally:
        chain.stop()
        chain.drop_databases()

