"""HTTP calls of the command line to the services, made safe to repeat.

A write carries an Idempotency-Key that stays the same when it is sent again, so a request
whose answer was lost (a broken connection, a restarting service) can be repeated without
doing it twice. Answers that say when to ask again (Retry-After: the database is away, or the
service is overloaded), broken connections and time-outs are tried again,
with growing pauses, for up to `patience` seconds (tests/faults/ runs the demo through faults).
"""
import time
import uuid

import requests

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LONGEST_PAUSE_SECONDS = 5.0


def send(http, method, url, body=None, headers=None, patience=60.0, timeout=10.0):
    headers = dict(headers or {})
    if method in WRITE_METHODS:
        headers.setdefault("Idempotency-Key", str(uuid.uuid4()))
    deadline = time.monotonic() + patience
    pause = 0.2
    while True:
        try:
            response = http.request(method, url, json=body, headers=headers, timeout=timeout)
        except (requests.ConnectionError, requests.Timeout):
            if time.monotonic() + pause > deadline:
                raise
        else:
            asked = _retry_after(response)
            if asked is None or time.monotonic() + asked > deadline:
                return response
            pause = max(pause, asked)
        time.sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE_SECONDS)


def _retry_after(response):
    """Seconds the service asks us to wait before asking again, or None."""
    value = response.headers.get("Retry-After")
    if value is None or response.status_code not in (429, 503):
        return None
    try:
        return min(float(value), LONGEST_PAUSE_SECONDS)
    except ValueError:  # an HTTP date: wait as long as we would anyway
        return LONGEST_PAUSE_SECONDS
