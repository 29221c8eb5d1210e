"""The other side of notifications' channels, for tests: a webhook receiver and a real SMTP
server (aiosmtpd in its own process), both on this machine."""
import hashlib
import hmac
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.harness import free_port


def verified(secret, headers, body, now=None, tolerance_seconds=300):
    """Whether a webhook request is doorstroom's and fresh, checked as README.md tells
    receivers to: recomputed from the documented message rather than with channels.signature,
    so that the two must agree."""
    timestamp = headers["X-Doorstroom-Timestamp"]
    message = f"{timestamp}.{headers['X-Doorstroom-Delivery']}.".encode() + body
    expected = "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    fresh = abs((time.time() if now is None else now) - int(timestamp)) <= tolerance_seconds
    return fresh and hmac.compare_digest(headers["X-Doorstroom-Signature"], expected)


class Receiver(BaseHTTPRequestHandler):
    """Webhook endpoints: /ok answers 204, /flaky fails twice first, /down always fails."""
    calls = []
    flaky_failures = 2

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.calls.append((self.path, dict(self.headers), body))
        if self.path == "/down" or (self.path == "/flaky" and Receiver.flaky_failures > 0):
            if self.path == "/flaky":
                Receiver.flaky_failures -= 1
            self.send_response(500)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def smtp(tmp_path_factory):
    """A real SMTP server in its own process, storing what it receives in a Maildir."""
    maildir, port = tmp_path_factory.mktemp("mail") / "inbox", free_port()
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                                f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox",
                                str(maildir)])
    time.sleep(1.0)
    yield port, maildir
    process.terminate()
    process.wait(timeout=10)
