"""`doorstroom audit verify`: the privacy officer's check of every service's audit log of reads
of personal data, each over its service's API (`GET /audit/verify`)."""
import json
import sys

import requests

from doorstroom import chain
from doorstroom.client import send
from doorstroom.operators import key_of

# As long as `doorstroom trace` waits for a service that is restarting or whose database is away.
PATIENCE_SECONDS = 15


def run(args):
    """Check the named services' logs (all five by default), each on a line. Exit 1 when any
    is broken, else 2 when any could not be checked, else 0."""
    key = key_of("pi-privacy-officer", "DOORSTROOM_PRIVACY_OFFICER_KEY", args.data_dir)
    if key is None:
        print("no privacy officer's key: set DOORSTROOM_PRIVACY_OFFICER_KEY or run beside "
              "`doorstroom up`", file=sys.stderr)
        return 2
    checks = [verify(service, key, args.port_base) for service in args.services or chain.SERVICES]
    if args.json:
        print(json.dumps(checks, indent=2))
    else:
        for check in checks:
            say(check)
    found = [check.get("intact") for check in checks]
    return 1 if False in found else 2 if None in found else 0


def verify(service, key, port_base):
    """What `service`'s GET /audit/verify says, with the service's name; without `intact` and
    with the `problem` when it could not be asked."""
    url = f"{chain.url_of(service, port_base)}/audit/verify"
    try:
        response = send(requests, "GET", url, headers={"Authorization": f"Bearer {key}"},
                        patience=PATIENCE_SECONDS)
        response.raise_for_status()
    except requests.RequestException as exc:
        return {"service": service, "problem": f"could not ask it: {exc}"}
    return {"service": service, **response.json()}


def say(check):
    """A line about one service's log, with the first broken entry if it is broken."""
    service = check["service"]
    if "intact" not in check:
        print(f"{service}: not checked: {check['problem']}", file=sys.stderr)
    elif check["intact"]:
        print(f"{service}: intact: {check['entries']} entries, the last hashed "
              f"{check['last_hash']}")
    else:
        print(f"{service}: BROKEN at position {check['broken_at']} (entry "
              f"{check['broken_entry'] or 'missing'}): {check['problem']}; the "
              f"{check['entries']} entries before it chain up")
