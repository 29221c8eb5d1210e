"""`doorstroom audit verify`: the privacy officer's check of intake's audit log, over intake's
API (`GET /audit/verify`)."""
import sys

import requests

from doorstroom import chain
from doorstroom.client import send
from doorstroom.operators import key_of

# As long as `doorstroom trace` waits for a service that is restarting or whose database is away.
PATIENCE_SECONDS = 15


def run(args):
    """Exit 0 when the log is intact, 1 when it is not, 2 when it could not be checked."""
    key = key_of("pi-privacy-officer", "DOORSTROOM_PRIVACY_OFFICER_KEY", args.data_dir)
    if key is None:
        print("no privacy officer's key: set DOORSTROOM_PRIVACY_OFFICER_KEY or run beside "
              "`doorstroom up`", file=sys.stderr)
        return 2
    url = f"{chain.url_of('intake', args.port_base)}/audit/verify"
    try:
        response = send(requests, "GET", url, headers={"Authorization": f"Bearer {key}"},
                        patience=PATIENCE_SECONDS)
        response.raise_for_status()
    except requests.RequestException as exc:
        print(f"could not ask intake: {exc}", file=sys.stderr)
        return 2
    check = response.json()
    if check["intact"]:
        print(f"intact: {check['entries']} entries, the last hashed {check['last_hash']}")
        return 0
    print(f"BROKEN at position {check['broken_at']} (entry {check['broken_entry'] or 'missing'}):"
          f" {check['problem']}; the {check['entries']} entries before it chain up")
    return 1
