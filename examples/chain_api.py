"""How the examples call the chain's HTTP APIs: copy this file with the one you use.

- the organisation's own API key, from `DOORSTROOM_API_KEY` (`Authorization: Bearer`);
- every write carries an `Idempotency-Key`, and a write whose answer did not come (a broken
  connection, a time-out, a 503 with Retry-After) is sent again with the same key, so that it
  is carried out once (the services' promise: shared/tests/test_idempotency.py);
- a refusal (4xx) is printed with the service's message per field, and the script stops.
"""
import argparse
import os
import sys
import time
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import requests

ATTEMPTS = 5


def today():
    """The day as the chain counts it, in Amsterdam: a day the machine's zone has already
    begun may be refused there as lying in the future."""
    return datetime.now(ZoneInfo("Europe/Amsterdam")).date()


def arguments(doc, default_url):
    """A command line with `--url` of the one service the script talks to."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("DOORSTROOM_URL", default_url),
                        help=f"the service (default: $DOORSTROOM_URL or {default_url})")
    return parser


def run(parser, commands):
    """Carry out the command the command line names: {name: function(api, args)}."""
    args = parser.parse_args()
    commands[args.command](Api(args.url), args)


class Api:
    def __init__(self, url):
        key = os.environ.get("DOORSTROOM_API_KEY")
        if not key:
            sys.exit("set DOORSTROOM_API_KEY to your organisation's API key")
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {key}"

    def get(self, path, **params):
        return self.send("GET", path, params=params)

    def post(self, path, body=None):
        return self.send("POST", path, json=body or {},
                         headers={"Idempotency-Key": str(uuid.uuid4())})

    def put(self, path, body):
        return self.send("PUT", path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})

    def send(self, method, path, **request):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.http.request(method, self.url + path, timeout=10, **request)
            except (requests.ConnectionError, requests.Timeout):
                if attempt == ATTEMPTS:
                    raise
                time.sleep(attempt)
                continue
            if response.status_code == 503 and attempt < ATTEMPTS:
                time.sleep(float(response.headers.get("Retry-After", attempt)))
                continue
            if response.status_code >= 400:
                refused(method, path, response)
            return response.json() if response.content else None


def refused(method, path, response):
    """Say what the service refused and why, field by field, and stop."""
    try:
        answer = response.json()
    except ValueError:
        answer = {"error": response.text}
    print(f"{method} {path} refused ({response.status_code}): {answer.pop('error', '')}",
          file=sys.stderr)
    for field, message in field_messages(answer.pop("fields", {})):
        print(f"  {field}: {message}", file=sys.stderr)
    for name, value in answer.items():  # what the refusal tells, e.g. the existing participant
        print(f"  {name}: {value}", file=sys.stderr)
    sys.exit(1)


def field_messages(fields, prefix=""):
    """("identity.bsn", "Not a valid BSN ..."), ... from {"identity": {"bsn": ["..."]}}."""
    if isinstance(fields, dict):
        for name, inner in fields.items():
            yield from field_messages(inner, f"{prefix}.{name}" if prefix else str(name))
    elif isinstance(fields, list) and all(isinstance(m, str) for m in fields):
        yield prefix, " ".join(fields)
    else:
        for message in fields:
            yield from field_messages(message, prefix)
