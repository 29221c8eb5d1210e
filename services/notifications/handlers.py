"""Notifications' use cases."""
from datetime import datetime, timezone

from services.notifications.domain import InboxEntry, recipients_for
from shared.store import handle_fact


def deliver_to_inboxes(uow, fact):
    def deliver(uow):
        for recipient in recipients_for(fact.type):
            entry = InboxEntry.for_fact(recipient, fact, datetime.now(timezone.utc))
            uow.entries.add(entry)
            uow.record("notification.delivered", {
                "delivery_id": entry.id, "recipient": recipient, "channel": "inbox",
                "event_id": fact.id, "event_type": fact.type})
    return handle_fact(uow, fact, deliver)
