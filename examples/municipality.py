"""A municipality's caseworkers hear of the participants returning to them.

The municipality's key names it (`municipality:0505`); notifications tells it only of the
participants returning to it, only what the chain's policy lets a municipality see (releases,
basic conditions, jobs started and ended, ...), and only while there is a legal basis. It reads
its inbox and acknowledges what it handled; a webhook gets each fact at once, signed with a
secret that is shown once, when the webhook is registered.

    DOORSTROOM_API_KEY=... python examples/municipality.py subscribe werk-en-inkomen \\
        --pattern 'participant.*' --pattern 'placement.*' --webhook https://gemeente.example.nl/hook
    DOORSTROOM_API_KEY=... python examples/municipality.py inbox werk-en-inkomen
"""
from chain_api import arguments, run

PAGE = 100


def recipient_named(notifications, name):
    found = notifications.get("/recipients", name=name)
    return found[0] if found else None


def subscribe(notifications, args):
    recipient = recipient_named(notifications, args.name)
    if recipient is None:
        recipient = notifications.post("/recipients", {"name": args.name,
                                                       "webhook_url": args.webhook})
    elif args.webhook:
        recipient = notifications.put(f"/recipients/{recipient['id']}",
                                      {"webhook_url": args.webhook})
    if recipient.get("webhook_secret"):
        print(f"webhook secret (shown only now; keep it to check X-Doorstroom-Signature): "
              f"{recipient['webhook_secret']}")
    for pattern in args.patterns:
        notifications.post(f"/recipients/{recipient['id']}/subscriptions", {"pattern": pattern})
    print(f"recipient {recipient['id']} {recipient['name']} ({', '.join(recipient['channels'])})"
          f" subscribed to {', '.join(args.patterns)}")


def inbox(notifications, args):
    recipient = recipient_named(notifications, args.name)
    if recipient is None:
        raise SystemExit(f"no recipient {args.name!r}: subscribe first")
    path = f"/recipients/{recipient['id']}/inbox"
    while True:
        # Each acknowledged entry leaves the unread ones, so the first page is always the next.
        unread = notifications.get(path, unread="true", limit=PAGE)
        for entry in unread:
            print(f"{entry['time']}  {entry['event_type']:<36} {entry['subject'] or '-'}  "
                  f"{entry['summary']}")
            notifications.post(f"{path}/{entry['id']}/acknowledgement")
        if len(unread) < PAGE:
            return


def main():
    parser = arguments(__doc__, "http://localhost:8005")
    commands = parser.add_subparsers(dest="command", required=True)
    subscribing = commands.add_parser("subscribe", help="register the recipient (once) and "
                                                        "subscribe it to event types")
    subscribing.add_argument("name", help="the recipient: lower-case letters, digits, dashes")
    subscribing.add_argument("--pattern", action="append", dest="patterns", required=True,
                             help="an event type or pattern, e.g. placement.* (repeatable)")
    subscribing.add_argument("--webhook", help="an https URL to POST each fact to")
    reading = commands.add_parser("inbox", help="print the unread entries and acknowledge them")
    reading.add_argument("name")
    run(parser, {"subscribe": subscribe, "inbox": inbox})


if __name__ == "__main__":
    main()
