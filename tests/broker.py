"""A fresh RabbitMQ vhost per test module, so leftover queues or processes cannot interfere, in
which each service of the chain has its own account, as in production."""
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from doorstroom import provisioning, up
from doorstroom.chain import SERVICES
from doorstroom.provisioning import rabbitmqctl as _rabbitmqctl

BASE_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
# The services' accounts are the broker's, not a vhost's: every test run on this machine shares
# them, with passwords derived from one secret kept here, so that no run changes them under
# another; each fresh vhost grants them their permissions there, which go when it is deleted.
ACCOUNTS_SECRET = Path(tempfile.gettempdir()) / "doorstroom-test-broker-secret"


def _passwords():
    return provisioning.account_passwords(
        ACCOUNTS_SECRET, [provisioning.service_user(service) for service in SERVICES])


@contextmanager
def fresh_vhost():
    name = f"doorstroom-test-{uuid.uuid4().hex[:12]}"
    user = urlsplit(BASE_URI).username or "guest"
    definitions = provisioning.account_definitions(name, _passwords())
    definitions["vhosts"] = [{"name": name}]
    definitions["permissions"].append({"user": user, "vhost": name, "configure": ".*",
                                       "write": ".*", "read": ".*"})
    provisioning.import_definitions(definitions)
    try:
        parts = urlsplit(BASE_URI)
        yield f"{parts.scheme}://{parts.netloc}/{quote(name, safe='')}"
    finally:
        _rabbitmqctl("delete_vhost", name)


def service_uri(amqp_uri, service):
    """`amqp_uri` (of the test's vhost) under `service`'s own account: what it runs with."""
    user = provisioning.service_user(service)
    return provisioning.with_account(amqp_uri, user, _passwords()[user])


@contextmanager
def integrator_accounts(amqp_uri):
    """{integrator's user: AMQP URI}: the generated integrators' accounts with their permissions
    in the test's vhost, under names of the test's own (a broker's users outlive the vhost, so
    they are deleted afterwards)."""
    suffix = uuid.uuid4().hex[:8]
    names = [provisioning.integrator_user(name) for name in provisioning.INTEGRATORS]
    password = secrets.token_hex(16)
    provisioning.import_definitions(provisioning.account_definitions(
        vhost_of(amqp_uri), dict.fromkeys(names, password), suffix=f"-{suffix}"))
    try:
        yield {name: provisioning.with_account(amqp_uri, f"{name}-{suffix}", password)
               for name in names}
    finally:
        for name in names:
            _rabbitmqctl("delete_user", f"{name}-{suffix}")


def share_accounts(data_dir):
    """Let `doorstroom up` with `data_dir` use the tests' passwords of the accounts (made by
    fresh_vhost), rather than change them under other test runs."""
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(ACCOUNTS_SECRET, up.broker_secret(data_dir))


def rabbitmqctl(amqp_uri, command, *args):
    """`rabbitmqctl COMMAND -p VHOST ARGS...` in the test's vhost; returns what it printed."""
    return _rabbitmqctl(command, "-q", "-p", vhost_of(amqp_uri), *args)


def queues(amqp_uri, prefix):
    """{name: (type, arguments)} of the vhost's queues whose name starts with `prefix`."""
    listed = rabbitmqctl(amqp_uri, "list_queues", "name", "type", "arguments",
                         "--formatter", "json")
    return {q["name"]: (q["type"], {key: value for key, _, value in q["arguments"]})
            for q in json.loads(listed) if q["name"].startswith(prefix)}


def vhost_of(amqp_uri):
    return unquote(urlsplit(amqp_uri).path[1:])


def close_connections(amqp_uri, reason="fault injection by the test"):
    """Close every AMQP connection in the test's vhost (and only there); returns how many the
    broker closed."""
    closed = _rabbitmqctl("close_all_connections", "-p", vhost_of(amqp_uri), "--limit",
                          "100000", reason)
    return sum(int(line.split()[1]) for line in closed.splitlines()
               if line.startswith("Closed ") and line.split()[1].isdigit())


def restart_broker(down_seconds=3.0, while_down=lambda: None, whole_node=False):
    """Stop the broker, run `while_down()`, pause, and start it again: `rabbitmqctl stop_app`
    and `start_app`, or with `whole_node` a full restart (`rabbitmqctl shutdown`, then
    `rabbitmq-server -detached`, as this machine starts it). Every vhost on the broker is
    disturbed, so a test does this rarely. The broker is running again when this returns, or
    raises, whatever happened in between; returns what `while_down()` returned."""
    try:
        _rabbitmqctl("shutdown" if whole_node else "stop_app")
        seen = while_down()
        time.sleep(down_seconds)
        return seen
    finally:
        if whole_node:
            subprocess.run([shutil.which("rabbitmq-server") or "/usr/sbin/rabbitmq-server",
                            "-detached"], check=True, timeout=60)
        else:
            _rabbitmqctl("start_app")
        _await_startup()


def _await_startup(timeout=120):
    # await_startup fails at once while the node itself is not up yet, so ask until it is.
    deadline = time.monotonic() + timeout
    while True:
        try:
            _rabbitmqctl("await_startup", "--timeout", "10")
            return
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
