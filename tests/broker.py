"""A fresh RabbitMQ vhost per test module, so leftover queues or processes cannot interfere."""
import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from urllib.parse import quote, urlsplit

BASE_URI = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")


def _rabbitmqctl(*args):
    command = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([command, *args], check=True, capture_output=True, timeout=60)


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
