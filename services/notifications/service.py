"""The chain-wide notifications service."""
from services.notifications import handlers
from services.notifications.domain import DEFAULT_SUBSCRIPTIONS
from services.notifications.schemas import InboxEntrySchema, InboxQuery
from services.notifications.store import NotificationsUnitOfWork
from shared.consumer import subscribe
from shared.database import Store
from shared.http import ApiError, ROLES, api
from shared.service import ChainService

# Facts this service listens to, per producing service: all that any default rule names.
_WANTED = {type_ for patterns in DEFAULT_SUBSCRIPTIONS.values() for type_ in patterns}


def _of(prefixes):
    return sorted(t for t in _WANTED if t.split(".")[0] in prefixes)


class NotificationsService(ChainService):
    name = "notifications"
    title = "doorstroom notifications (chain-wide)"
    uow = Store(NotificationsUnitOfWork)

    @subscribe("intake", *_of({"participant"}))
    def notify_intake_facts(self, fact):
        handlers.deliver_to_inboxes(self.uow, fact)

    @subscribe("training", *_of({"training"}))
    def notify_training_facts(self, fact):
        handlers.deliver_to_inboxes(self.uow, fact)

    @subscribe("matching", *_of({"match", "vacancy", "employer"}))
    def notify_matching_facts(self, fact):
        handlers.deliver_to_inboxes(self.uow, fact)

    @subscribe("placement", *_of({"placement"}))
    def notify_placement_facts(self, fact):
        handlers.deliver_to_inboxes(self.uow, fact)

    @api("GET", "/inbox/<recipient>", roles=tuple(ROLES), query=InboxQuery,
         response=InboxEntrySchema)
    def read_inbox(self, caller, recipient, query):
        """A recipient's inbox, oldest first; each organisation reads only its own."""
        if caller.role != "operator" and ROLES[caller.role] != recipient:
            raise ApiError(403, f"{caller.organisation} may not read the inbox of {recipient}")
        with self.uow as uow:
            return uow.entries.for_recipient(recipient, **query)
