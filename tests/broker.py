"""A fresh RabbitMQ vhost per test module, so leftover queues or processes cannot interfere."""
import json
import os
import shutil
import subprocess
import time
import uuid
from contextlib import contextmanager
from urllib.parse import quote, unquote, urlsplit

BASE_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")


def _rabbitmqctl(*args):
    command = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    return subprocess.run([command, *args], check=True, capture_output=True, text=True,
                          timeout=60).stdout


@contextmanager
def fresh_vhost():
    name = f"doorstroom-test-{uuid.uuid4().hex[:12]}"
    user = urlsplit(BASE_URI).username or "guest"
    _rabbitmqctl("add_vhost", name)
    try:
        _rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*")
        parts = urlsplit(BASE_URI)
        yield f"{parts.scheme}://{parts.netloc}/{quote(name, safe='')}"
    finally:
        _rabbitmqctl("delete_vhost", name)


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


def broker_running():
    try:
        _rabbitmqctl("await_startup", "--timeout", "5")
        return True
    except subprocess.SubprocessError:
        return False


def restart_broker(down_seconds=3.0):
    """`rabbitmqctl stop_app`, a pause, `start_app` and `await_startup`: every vhost on the
    broker is disturbed, so a test does this rarely. The broker is running again when this
    returns, or raises, whatever happened in between."""
    try:
        _rabbitmqctl("stop_app")
        time.sleep(down_seconds)
    finally:
        _rabbitmqctl("start_app")
        _rabbitmqctl("await_startup", "--timeout", "120")
