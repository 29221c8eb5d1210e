"""The command line's HTTP calls (doorstroom/client.py) against a real HTTP server that fails
first: a write is sent again with the same Idempotency-Key until it gets an answer that is not
'ask again later'."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from doorstroom.client import send
from tests.harness import free_port


@pytest.fixture
def server():
    """Answers 503 with Retry-After twice, then 201; notes each request's Idempotency-Key."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers.get("Idempotency-Key"))
            status = 503 if len(seen) <= 2 else 201
            body = json.dumps({"attempt": len(seen)}).encode()
            self.send_response(status)
            if status == 503:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", seen
    httpd.shutdown()


def test_a_write_is_sent_again_with_the_same_key_until_it_is_answered(server):
    url, seen = server
    response = send(requests.Session(), "POST", f"{url}/participants", {"a": 1})
    assert response.status_code == 201 and response.json() == {"attempt": 3}
    assert len(seen) == 3 and len(set(seen)) == 1 and seen[0]


def test_a_service_that_stays_away_is_given_up_after_the_patience():
    with pytest.raises(requests.ConnectionError):
        send(requests.Session(), "GET", f"http://127.0.0.1:{free_port()}/health", patience=1.0)
