"""Webhooks cannot be aimed inside: every address a webhook's host resolves to must be public,
at registration (422 naming the field) and at each delivery, and the connection goes to the
address that was checked. The delivery log says "delivery failed" and a status, nothing about
the network. Over real HTTP against the notifications service, and with a real receiver."""
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.notifications.channels import DeliveryRefused, WebhookSender
from services.notifications.service import NotificationsService
from tests.harness import free_port, running_service

INSIDE = [
    "https://localhost.:8443/hook",
    f"https://{socket.gethostname()}/hook",
    "https://0x7f000001/hook",
    "https://100.64.0.1/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://224.0.0.1/hook",
    "https://0.0.0.0/hook",
    "https://metadata.google.internal/computeMetadata/v1/",
]


@pytest.fixture(scope="module")
def api(amqp_uri, directory):
    with running_service(NotificationsService, amqp_uri, directory,
                         WEBHOOK_ALLOW_INSECURE_LOCALHOST="true") as api:
        yield api


@pytest.mark.parametrize("url", INSIDE)
def test_a_webhook_aimed_inside_is_refused_at_registration(api, url):
    response = api.call("POST", "/recipients", "pi-case-manager",
                        {"name": f"inside-{uuid.uuid4().hex[:6]}", "webhook_url": url})
    assert response.status_code == 422, response.text
    assert "webhook_url" in response.json()["fields"]


def resolving_to(address, calls):
    def resolve(host, port, **kwargs):
        calls.append(host)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]
    return resolve


def test_a_host_that_resolves_inside_by_delivery_time_gets_nothing():
    """Rebound since registration: the check at delivery refuses it, before connecting."""
    calls = []
    sender = WebhookSender(timeout_seconds=2, resolve=resolving_to("10.0.0.5", calls))
    with pytest.raises(DeliveryRefused, match="^delivery failed: the host 'hooks.example.org' "
                                              "is not a public address$"):
        sender.post("https://hooks.example.org/doorstroom", "secret", {"id": "1"}, "d-1")
    assert calls == ["hooks.example.org"]


@pytest.fixture
def receiver():
    """Answers 302 to /moved, 204 otherwise; notes the Host header of each request."""
    hosts = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            hosts.append(self.headers["Host"])
            self.send_response(302 if self.path == "/moved" else 204)
            if self.path == "/moved":
                self.send_header("Location", "http://169.254.169.254/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port, hosts
    server.shutdown()


def test_the_connection_goes_to_the_checked_address_and_follows_no_redirect(receiver):
    port, hosts = receiver
    calls = []
    sender = WebhookSender(timeout_seconds=2, allow_insecure_localhost=True,
                           resolve=resolving_to("127.0.0.1", calls))
    sender.post(f"http://localhost:{port}/hook", "secret", {"id": "1"}, "d-1")
    assert calls == ["localhost"] and hosts == [f"localhost:{port}"]
    with pytest.raises(DeliveryRefused, match="^delivery failed: HTTP 302$"):
        sender.post(f"http://localhost:{port}/moved", "secret", {"id": "2"}, "d-2")
    assert len(hosts) == 2


def test_a_closed_port_and_a_silent_one_read_alike():
    sender = WebhookSender(timeout_seconds=1, allow_insecure_localhost=True)
    with pytest.raises(DeliveryRefused, match="^delivery failed: no answer$"):
        sender.post(f"http://127.0.0.1:{free_port()}/hook", "secret", {"id": "1"}, "d-1")
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        with pytest.raises(DeliveryRefused, match="^delivery failed: no answer$"):
            sender.post(f"http://127.0.0.1:{silent.getsockname()[1]}/hook", "secret",
                        {"id": "1"}, "d-1")
    finally:
        silent.close()
