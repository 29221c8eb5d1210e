"""One service running in this process on the real broker, with its own database and keys,
for API tests that go over real HTTP."""
import json
import socket
from contextlib import contextmanager

import requests
from nameko.containers import ServiceContainer

from shared.http import ROLES


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Api:
    """requests against one service, as the holder of a role's key (or of none)."""

    def __init__(self, base_url, keys):
        self.base_url = base_url
        self.keys = keys

    def call(self, method, path, role=None, body=None, headers=None):
        headers = dict(headers or {})
        if role:
            headers["Authorization"] = f"Bearer {self.keys[role]['key']}"
        return requests.request(method, self.base_url + path, json=body, headers=headers,
                                timeout=10)


@contextmanager
def running_service(service_cls, amqp_uri, directory, **config):
    keys = {role: {"role": role, "key": f"test-key-{role}"} for role in ROLES}
    (directory / "api-keys.json").write_text(json.dumps(keys))
    port = free_port()
    container = ServiceContainer(service_cls, {
        "AMQP_URI": amqp_uri,
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{directory / 'service.db'}",
        "API_KEYS_FILE": str(directory / "api-keys.json"),
        **config,
    })
    container.start()
    try:
        yield Api(f"http://127.0.0.1:{port}", keys)
    finally:
        container.stop()
