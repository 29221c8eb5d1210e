"""Everyone's inbox pages: the recipients of the signed-in person's organisation, each one's
inbox and subscriptions, through the API's own operations (service.py), so that a person sees
and changes what a key of their organisation would, and no other organisation's recipient
(tests/test_web_inbox.py test_a_caseworker_sees_their_municipalitys_inbox_and_no_one_elses,
test_a_subscription_keeps_the_apis_rules_with_errors_beside_the_field)."""
import re

from services.notifications.schemas import InboxEntrySchema, InboxQuery, SubscriptionSchema
from shared.contracts.fields import UUID_PATTERN
from shared.contracts.municipalities import MUNICIPALITIES
from shared.errors import NotFound
from shared.http import ROLES
from shared.store import Page
from shared.web.pages import PeoplePages, form_data, page

EVERYONE = tuple(ROLES)
PAGE_SIZE = 25
# As many recipients as the API lists at once: an organisation has a handful.
RECIPIENTS_SHOWN = 500


class NotificationsPages(PeoplePages):
    """The pages call the API's operations of NotificationsService, which holds the rules of
    whose recipients a caller sees."""
    organisation_name = "Berichten"
    homes = {role: "/inbox" for role in EVERYONE}

    @page("GET", "/inbox", roles=EVERYONE)
    def inbox_page(self, page, recipient_id=None):
        """A recipient's inbox, the unread entries unless all are asked for, oldest first as
        the API lists them."""
        recipient, chosen_from = self._recipient(page, recipient_id)
        show = page.query.get("show", "unread")
        query = InboxQuery().load({"unread": show != "all", "limit": PAGE_SIZE,
                                   **({"offset": page.query["offset"]}
                                      if page.query.get("offset") else {})})
        entries = self.read_inbox(page.person, recipient.id, query) if recipient else Page([], 0)
        return page.render("inbox.html", recipient=recipient, recipient_choices=chosen_from,
                           entries=InboxEntrySchema(many=True).dump(entries), total=entries.total,
                           offset=query["offset"], size=PAGE_SIZE, show=show)

    @page("POST", "/inbox/<recipient_id>/entries/<delivery_id>/acknowledgement", roles=EVERYONE,
          invalid="inbox_page")
    def acknowledgement_page(self, page, recipient_id, delivery_id):
        """Marks the entry read, and shows the list it was acknowledged from again."""
        self.acknowledge(page.person, recipient_id, delivery_id)
        shown_all = "&show=all" if page.raw_form.get("show") == "all" else ""
        return page.redirect(f"/inbox?recipient={recipient_id}{shown_all}")

    @page("GET", "/inbox/subscriptions", roles=EVERYONE)
    def subscriptions_page(self, page, recipient_id=None):
        recipient, chosen_from = self._recipient(page, recipient_id)
        subscriptions = self.list_subscriptions(page.person, recipient.id) if recipient else []
        return page.render("subscriptions.html", recipient=recipient,
                           recipient_choices=chosen_from,
                           subscriptions=subscriptions,
                           form_values=form_data(SubscriptionSchema(), page.raw_form),
                           municipality_choices=sorted(MUNICIPALITIES.items(),
                                                       key=lambda item: item[1]))

    @page("POST", "/inbox/<recipient_id>/subscriptions", roles=EVERYONE,
          form=SubscriptionSchema, invalid="subscriptions_page")
    def subscribe_page(self, page, recipient_id):
        self.subscribe(page.person, recipient_id, page.form)
        return page.redirect(f"/inbox/subscriptions?recipient={recipient_id}")

    @page("POST", "/inbox/<recipient_id>/subscriptions/<subscription_id>/removal",
          roles=EVERYONE, invalid="subscriptions_page")
    def unsubscribe_page(self, page, recipient_id, subscription_id):
        self.unsubscribe(page.person, recipient_id, subscription_id)
        return page.redirect(f"/inbox/subscriptions?recipient={recipient_id}")

    def _recipient(self, page, recipient_id):
        """The recipient asked for (by the path, or the query's `recipient`), else the first of
        the organisation's as the API lists them for the person; and those to choose from. One
        the API would not show the person is not found, as in the API."""
        recipients = self.list_recipients(page.person, {"offset": 0, "limit": RECIPIENTS_SHOWN})
        choices = [(recipient.id, recipient.name) for recipient in recipients]
        asked = recipient_id or page.query.get("recipient")
        if not asked:
            return (recipients[0] if recipients else None), choices
        if not re.fullmatch(UUID_PATTERN, asked):
            raise NotFound(f"no recipient {asked}")
        return self.get_recipient(page.person, asked), choices
