"""The chain-wide notifications service."""
from nameko.timer import timer

from services.notifications import handlers
from services.notifications.channels import NotPublic, Settings, WebhookSecrets
from services.notifications.domain import validate_webhook_url
from services.notifications.forwarding import IntegratorRelay
from services.notifications.pages import EVERYONE, NotificationsPages
from services.notifications.schemas import (DeliveryQuery, DeliverySchema, InboxEntrySchema,
                                            InboxQuery, NewRecipientSchema, RecipientChange,
                                            RecipientIn, RecipientQuery, RecipientSchema,
                                            SubscriptionSchema)
from services.notifications.store import NotificationsUnitOfWork
from shared.consumer import follow
from shared.database import Relay, Resource, UnitsOfWork
from shared.errors import Invalid, NotFound
from shared.contracts.policy import RECEIVERS_ONLY
from shared.http import ApiError, api, own_organisation
from shared.store import Page
from shared.service import ChainService


class NotificationsService(NotificationsPages, ChainService):
    name = "notifications"
    title = "doorstroom notifications (chain-wide)"
    uow = UnitsOfWork(NotificationsUnitOfWork, uses=("settings", "secrets"),
                      on_setup=handlers.set_up_recipients)
    relay = Relay(NotificationsUnitOfWork)
    # The e-mail and webhook senders and their retry policy (channels.py), and the keys that
    # seal webhook signing secrets.
    settings = Resource(Settings.from_config)
    secrets = Resource(WebhookSecrets.from_config)
    scheduled_checks = {**ChainService.scheduled_checks, "sending": "send"}
    # Forwards to each integrator what it may know (forwarding.py).
    forwarding = IntegratorRelay()

    # One queue per producer whose facts handlers.FOLLOWS lists, named after its entrypoint.
    notify_intake_facts = follow(handlers.FOLLOWS, "intake")
    notify_training_facts = follow(handlers.FOLLOWS, "training")
    notify_matching_facts = follow(handlers.FOLLOWS, "matching")
    notify_placement_facts = follow(handlers.FOLLOWS, "placement")

    @timer(interval=1, eager=True)
    def send(self):
        """Send due e-mails and webhooks, and the daily digests. Every instance sends, each
        delivery it claims; digests go out from one instance at a time."""
        handlers.send_due_deliveries(self.uow)
        with self.uow.lease("digests") as ours:
            if ours:
                handlers.send_digests(self.uow)
        return ours

    # --- recipients and subscriptions -----------------------------------------------------

    @api("POST", "/recipients", roles=EVERYONE, body=RecipientIn, response=NewRecipientSchema,
         status=201, creates="recipient_id")
    def register_recipient(self, caller, body):
        """Register a recipient of the caller's organisation: an inbox, and optionally an
        e-mail address and a webhook (its signing secret is in the answer, once)."""
        body["organisation"] = _own(caller, body["organisation"])
        if body["webhook_url"]:
            self._check_webhook(body["webhook_url"])
        return handlers.register_recipient(self.uow, **body)

    @api("GET", "/recipients", roles=EVERYONE, query=RecipientQuery, response=RecipientSchema,
         many=True)
    def list_recipients(self, caller, query):
        """Recipients of the caller's organisation (an employer: its own; an operator sees
        all)."""
        with self.uow as uow:
            return uow.recipients.list(**_tenant(caller), **query)

    @api("GET", "/recipients/<recipient_id>", roles=EVERYONE, response=RecipientSchema)
    def get_recipient(self, caller, recipient_id):
        """One recipient."""
        with self.uow as uow:
            return _recipient(caller, uow, recipient_id)

    @api("PUT", "/recipients/<recipient_id>", roles=EVERYONE, body=RecipientChange,
         response=NewRecipientSchema)
    def change_recipient(self, caller, recipient_id, body):
        """Change language, e-mail address, webhook or digest; a new webhook URL gets a new
        signing secret, in this answer only."""
        if body.get("webhook_url"):
            self._check_webhook(body["webhook_url"])
        return handlers.change_recipient(self.uow, recipient_id, authorise=_for(caller), **body)

    @api("GET", "/recipients/<recipient_id>/subscriptions", roles=EVERYONE,
         response=SubscriptionSchema, many=True)
    def list_subscriptions(self, caller, recipient_id):
        """The recipient's subscriptions."""
        with self.uow as uow:
            _recipient(caller, uow, recipient_id)
            return uow.subscriptions.of(recipient_id)

    @api("POST", "/recipients/<recipient_id>/subscriptions", roles=EVERYONE,
         body=SubscriptionSchema, response=SubscriptionSchema, status=201,
         creates="subscription_id")
    def subscribe(self, caller, recipient_id, body):
        """Subscribe to event types by pattern (`participant.*`), optionally filtered to the
        participants returning to one municipality."""
        return handlers.subscribe(self.uow, recipient_id, authorise=_for(caller), **body)

    @api("DELETE", "/recipients/<recipient_id>/subscriptions/<subscription_id>", roles=EVERYONE,
         status=204)
    def unsubscribe(self, caller, recipient_id, subscription_id):
        """End a subscription."""
        handlers.unsubscribe(self.uow, recipient_id, subscription_id, authorise=_for(caller))

    # --- inbox and delivery log -----------------------------------------------------------

    @api("GET", "/recipients/<recipient_id>/inbox", roles=EVERYONE, query=InboxQuery,
         response=InboxEntrySchema, many=True)
    def read_inbox(self, caller, recipient_id, query):
        """The recipient's inbox, oldest first; `unread=true` for what is not acknowledged."""
        with self.uow as uow:
            _recipient(caller, uow, recipient_id)
            return uow.deliveries.log([recipient_id], channel="inbox", **query)

    @api("POST", "/recipients/<recipient_id>/inbox/<delivery_id>/acknowledgement",
         roles=EVERYONE, response=InboxEntrySchema)
    def acknowledge(self, caller, recipient_id, delivery_id):
        """Mark an inbox entry as read."""
        return handlers.acknowledge(self.uow, recipient_id, delivery_id, authorise=_for(caller))

    @api("GET", "/deliveries", roles=EVERYONE, query=DeliveryQuery, response=DeliverySchema,
         many=True)
    def delivery_log(self, caller, query):
        """Deliveries with status, attempts, last error and times, of the caller's
        recipients (an operator sees all)."""
        with self.uow as uow:
            mine = None if caller.role == "operator" else [
                r.id for r in uow.recipients.list(**_tenant(caller), limit=500)]
            recipient_id = query.pop("recipient_id")
            if recipient_id is not None:
                mine = [recipient_id] if mine is None or recipient_id in mine else []
            page = uow.deliveries.log(mine, **query)
        return Page([_shown_to(caller, delivery) for delivery in page], page.total)

    @api("POST", "/deliveries/<delivery_id>/resend", roles=EVERYONE, response=DeliverySchema)
    def resend(self, caller, delivery_id):
        """Send a failed delivery again, with a fresh round of attempts."""
        return _shown_to(caller, handlers.resend(self.uow, delivery_id, authorise=_for(caller)))

    def _check_webhook(self, url):
        validate_webhook_url(url, self.settings.allow_insecure_localhost)
        try:
            self.settings.webhooks.address_of(url)
        except NotPublic as exc:
            raise Invalid("webhook_url", f"a webhook must reach a public address: {exc}") \
                from exc


def _for(caller):
    """What lets the caller act for a recipient: it is of the caller's organisation (an
    operator acts for any); the use cases check it in their own transactions."""
    def authorise(recipient):
        if caller.role != "operator" and recipient.organisation != own_organisation(caller):
            raise NotFound(f"no recipient {recipient.id} of your organisation")
    return authorise


def _recipient(caller, uow, recipient_id):
    recipient = uow.recipients.get(recipient_id)
    _for(caller)(recipient)
    return recipient


def _shown_to(caller, delivery):
    """The delivery as the caller may read it: an operator runs deliveries of every fact but
    reads no message of one for its receivers only (the wage: shared/contracts/policy.py
    RECEIVERS_ONLY; test_an_operator_reads_no_wage_in_the_delivery_log)."""
    if caller.role != "operator" or delivery.event_type not in RECEIVERS_ONLY:
        return delivery
    shown = {name: getattr(delivery, name) for name in DeliverySchema().fields}
    return {**shown, "summary": f"({delivery.event_type}: for its recipient only)"}


def _tenant(caller):
    """Whose recipients the caller sees: its own organisation's, each employer and each
    municipality its own (test_tenants.py); an operator all."""
    if caller.role == "operator":
        return {}
    return {"organisation": own_organisation(caller)}


def _own(caller, organisation):
    """The organisation a new recipient is of: the caller's own (an operator names any)."""
    if caller.role == "operator":
        return organisation or caller.organisation
    if organisation is not None and organisation != caller.organisation:
        raise ApiError(403, f"{caller.organisation} registers recipients of its own only")
    return own_organisation(caller)
