"""Notifications' own database: inbox entries per recipient."""
from sqlalchemy import Column, DateTime, MetaData, String, Table, UniqueConstraint
from sqlalchemy.orm import registry

from services.notifications.domain import InboxEntry
from shared.store import Repository, UnitOfWork, reliability_tables

metadata = MetaData()

inbox_entries = Table(
    "inbox_entries", metadata,
    Column("id", String(36), primary_key=True),
    Column("recipient", String(80), nullable=False, index=True),
    Column("event_source", String(200), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("subject", String(200)),
    Column("summary", String(500), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # Exactly once per recipient and fact, whatever is redelivered.
    UniqueConstraint("recipient", "event_source", "event_id", name="uq_entry_recipient_fact"),
)

outbox, inbox = reliability_tables(metadata)

registry(metadata=metadata).map_imperatively(InboxEntry, inbox_entries)


class InboxEntries(Repository):
    entity = InboxEntry

    def for_recipient(self, recipient, offset=0, limit=50):
        return self.where(InboxEntry.recipient == recipient,
                          order_by=(InboxEntry.received_at, InboxEntry.id),
                          offset=offset, limit=limit)


class NotificationsUnitOfWork(UnitOfWork):
    service = "notifications"
    metadata = metadata
    outbox = outbox
    inbox = inbox

    def _open(self, session):
        self.entries = InboxEntries(session)
