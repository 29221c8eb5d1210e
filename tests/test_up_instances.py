"""`doorstroom up --instances N`: several processes of each consuming service, on PostgreSQL."""
import os
import signal
import subprocess
import sys
import uuid

import pytest
import requests
import yaml
from sqlalchemy import create_engine, text

from doorstroom import chain
from tests.broker import queues, share_accounts
from tests.databases import POSTGRES_URL

# Clear of test_chain_e2e's 18000 and of the ephemeral ports the other tests pick: with two
# instances the services listen on 28001-28005 and 28012-28015.
PORT_BASE = 28000


def doorstroom_up(*args):
    return [sys.executable, "-m", "doorstroom.cli", "up", *args]


def test_several_instances_without_postgres_exit_2_and_say_why():
    env = {key: value for key, value in os.environ.items() if key != "DOORSTROOM_POSTGRES_URL"}
    result = subprocess.run(doorstroom_up("--instances", "2"), env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "--instances 2 needs PostgreSQL" in result.stderr
    assert "SQLite" in result.stderr and "--postgres URL" in result.stderr


def test_compose_runs_a_second_instance_of_each_consuming_service_in_its_profile():
    """`docker compose --profile scale-out up`: each consuming service gets a second instance
    with the same command, account and database, on a host port of its own."""
    compose = yaml.safe_load((chain.PROJECT_ROOT / "docker-compose.yml").read_text())["services"]
    host_ports = [mapping.split(":")[0] for definition in compose.values()
                  for mapping in definition.get("ports", ())]
    assert len(host_ports) == len(set(host_ports))
    for service in chain.SERVICES:
        second = compose.get(f"{service}-2")
        if service == "intake":
            assert second is None
            continue
        first = compose[service]
        assert second["profiles"] == ["scale-out"] and "profiles" not in first
        assert second["command"] == first["command"]
        assert second["environment"] == first["environment"]


@pytest.fixture(scope="module")
def prefix():
    """A database prefix of the test's own; its databases are dropped afterwards."""
    prefix = f"doorstroom_test_{uuid.uuid4().hex[:8]}_"
    yield prefix
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for service in chain.SERVICES:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{prefix}{service}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def two_instances(amqp_uri, prefix, tmp_path_factory):
    data = tmp_path_factory.mktemp("instances")
    share_accounts(data)
    # On quorum queues, as on a RabbitMQ cluster.
    env = {**os.environ, "AMQP_URI": amqp_uri, "QUEUE_TYPE": "quorum"}
    process = subprocess.Popen(
        doorstroom_up("--instances", "2", "--postgres", POSTGRES_URL, "--database-prefix", prefix,
                      "--port-base", str(PORT_BASE), "--data-dir", str(data)),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    for line in process.stdout:
        output.append(line)
        if "Ctrl-C stops the chain" in line:
            break
    try:
        assert "doorstroom is up" in "".join(output), "".join(output) + logs(data)
        yield "".join(output), data
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    assert code == 0, process.stdout.read() + logs(data)


def logs(data):
    return "".join(f"\n--- {path.name}\n{path.read_text()[-2000:]}"
                   for path in sorted((data / "logs").glob("*.log")))


@pytest.mark.e2e
def test_every_instance_answers_on_its_own_port_with_its_own_log(two_instances, prefix):
    output, data = two_instances
    assert "intake once, every other service 2 times" in output
    assert f"{prefix}<service>" in output
    ports = {"intake": [PORT_BASE + 1]}
    for service in ("training", "matching", "placement", "notifications"):
        first = chain.port_of(service, PORT_BASE)
        ports[service] = [first, first + 10]
    assert ports["training"] == [PORT_BASE + 2, PORT_BASE + 12]
    for service, listening in ports.items():
        for port in listening:
            assert f"http://127.0.0.1:{port}" in output
            assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    names = {path.name for path in (data / "logs").glob("*.log")}
    assert names == {f"{service}.log" for service in chain.SERVICES} | {
        f"{service}-2.log" for service in chain.SERVICES if service != "intake"}


@pytest.mark.e2e
def test_each_service_has_its_own_postgres_database(two_instances, prefix):
    admin = create_engine(POSTGRES_URL)
    with admin.connect() as connection:
        names = set(connection.execute(text("SELECT datname FROM pg_database WHERE datname "
                                            "LIKE :prefix"), {"prefix": f"{prefix}%"}).scalars())
    admin.dispose()
    assert names == {f"{prefix}{service}" for service in chain.SERVICES}


@pytest.mark.e2e
def test_a_cohort_walks_through_two_instances_of_each_service_on_quorum_queues(
        two_instances, amqp_uri):
    """The whole chain scaled out: every consuming service twice on PostgreSQL, every queue a
    quorum queue; the demo's cohort reaches work and nothing is parked."""
    _, data = two_instances
    env = {**os.environ, "AMQP_URI": amqp_uri}

    def doorstroom(*args):
        return subprocess.run([sys.executable, "-m", "doorstroom.cli", *args, "--port-base",
                               str(PORT_BASE), "--data-dir", str(data)],
                              env=env, capture_output=True, text=True, timeout=300)
    demo = doorstroom("demo", "--participants", "10")
    assert demo.returncode == 0, demo.stdout + demo.stderr + logs(data)
    assert "every accepted match became a started placement" in demo.stdout
    declared = queues(amqp_uri, "")
    assert declared and {kind for kind, _ in declared.values()} == {"quorum"}
    status = doorstroom("status")
    assert status.returncode == 0, status.stdout
