"""Everyone's inbox pages in notifications, over real HTTP, on SQLite and on PostgreSQL: a
municipality caseworker reads their municipality's inbox, unread first, and acknowledges an
entry; another organisation's recipient is not found, whichever id the query names, as in the
API; a subscription keeps the API's rules, its errors beside the field. On PostgreSQL, the same
in Debian's Chromium, with axe on every page, and the inbox photographed for the README
(docs/screenshots/)."""
import re
import time

import pytest

from services.notifications import pages
from services.notifications.service import NotificationsService
from services.notifications.tests.facts import released
from shared.contracts import all_contracts
from shared.web.words import DUTCH
from tests import browser as chromium
from tests.browser import arrive, assert_accessible, screenshot
from tests.browser import sign_in as signing_in
from tests.harness import csrf_of, error_beside, running_service, sign_in

PASSWORD = "een lang wachtwoord voor de proef"
# The browser's fixtures, for the test in Chromium.
browser, page = chromium.browser, chromium.page


@pytest.fixture(scope="module")
def inbox(amqp_uri, directory, broker, database_url):
    with running_service(NotificationsService, amqp_uri, directory, DATABASE_URL=database_url,
                         WEB_COOKIE_SECURE="false") as api:
        api.issue_key("dordrecht", "municipality-caseworker", organisation="municipality:0505")
        api.issue_key("gorinchem", "municipality-caseworker",
                      organisation="municipality:Gorinchem")
        api.add_person("g.visser", "municipality-caseworker", PASSWORD,
                       organisation="municipality:0505")
        yield api


@pytest.fixture(scope="module")
def recipients(inbox, broker):
    """Dordrecht's and Gorinchem's recipients, each told of one release of its own."""
    registered = {}
    for holder in ("dordrecht", "gorinchem"):
        recipient = inbox.call("POST", "/recipients", holder, {"name": f"wmo-{holder}"})
        assert recipient.status_code == 201, recipient.text
        registered[holder] = recipient.json()["id"]
        assert inbox.call("POST", f"/recipients/{registered[holder]}/subscriptions", holder,
                          {"pattern": "participant.released"}).status_code == 201
    subjects = {"dordrecht": released(broker, "0505")[0],
                "gorinchem": released(broker, "Gorinchem")[0]}
    for holder, recipient_id in registered.items():
        assert told(inbox, holder, recipient_id, [subjects[holder]]) == 1
    return registered, subjects


def told(inbox, holder, recipient_id, subjects):
    """Wait until the recipient's inbox holds the facts about `subjects`; returns the number
    of its entries."""
    deadline = time.monotonic() + 15
    while True:
        held = [entry["subject"] for entry in inbox.call(
            "GET", f"/recipients/{recipient_id}/inbox", holder).json()]
        if set(subjects) <= set(held):
            return len(held)
        assert time.monotonic() < deadline, (subjects, held)
        time.sleep(0.1)


def signed_in(inbox, name="g.visser"):
    session, answer = sign_in(inbox.base_url, name, PASSWORD)
    assert answer.status_code == 303 and answer.headers["Location"] == "/inbox"
    return session


def test_every_event_type_has_its_dutch_words():
    assert not sorted(set(all_contracts()) - set(DUTCH))


def test_a_caseworker_sees_their_municipalitys_inbox_and_no_one_elses(inbox, recipients):
    registered, subjects = recipients
    mine, theirs = registered["dordrecht"], registered["gorinchem"]
    session = signed_in(inbox)
    shown = session.get(inbox.base_url + "/inbox")
    assert shown.status_code == 200
    assert "wmo-dordrecht" in shown.text and "wmo-gorinchem" not in shown.text
    assert "deelnemer vrijgelaten" in shown.text and subjects["dordrecht"][:8] in shown.text
    assert subjects["gorinchem"][:8] not in shown.text
    english = session.get(inbox.base_url + "/inbox", headers={"Accept-Language": "en"})
    assert "participant released" in english.text
    for path in (f"/inbox?recipient={theirs}", f"/inbox/subscriptions?recipient={theirs}",
                 "/inbox?recipient=not-an-id"):
        refused = session.get(inbox.base_url + path)
        assert refused.status_code == 404, path
        assert subjects["gorinchem"][:8] not in refused.text
    for path in (f"/inbox/{theirs}/subscriptions", f"/inbox/{theirs}/entries/{mine}/"
                                                   "acknowledgement"):
        refused = session.post(inbox.base_url + path, data={
            "csrf_token": csrf_of(shown), "pattern": "participant.released"})
        assert refused.status_code == 404, path
    assert [s["pattern"] for s in inbox.call(
        "GET", f"/recipients/{theirs}/subscriptions", "gorinchem").json()] == \
        ["participant.released"]


def test_acknowledging_an_entry_marks_it_read(inbox, recipients):
    mine = recipients[0]["dordrecht"]
    session = signed_in(inbox)
    shown = session.get(f"{inbox.base_url}/inbox?recipient={mine}")
    action = re.search(r'action="(/inbox/[^"]+/acknowledgement)"', shown.text).group(1)
    read = session.post(inbox.base_url + action, data={"csrf_token": csrf_of(shown)})
    assert read.status_code == 200 and "Geen ongelezen berichten." in read.text
    (entry,) = inbox.call("GET", f"/recipients/{mine}/inbox", "dordrecht").json()
    assert entry["acknowledged_at"] is not None
    assert inbox.call("GET", f"/recipients/{mine}/inbox?unread=true", "dordrecht").json() == []
    everything = session.get(f"{inbox.base_url}/inbox?recipient={mine}&show=all")
    assert "deelnemer vrijgelaten" in everything.text and "acknowledgement" not in everything.text


def test_a_subscription_keeps_the_apis_rules_with_errors_beside_the_field(inbox, recipients):
    mine = recipients[0]["dordrecht"]
    session = signed_in(inbox)
    shown = session.get(f"{inbox.base_url}/inbox/subscriptions?recipient={mine}")
    assert shown.status_code == 200 and "participant.released" in shown.text
    here = f"{inbox.base_url}/inbox/{mine}/subscriptions"
    for pattern, why in (("participant.unknown", "past bij geen soort feit"),
                         ("Geen Patroon", "Een soort feit of een patroon, zoals participant.*")):
        refused = session.post(here, data={"csrf_token": csrf_of(shown), "pattern": pattern})
        assert refused.status_code == 422, pattern
        assert why in error_beside(refused, "pattern") and 'aria-invalid="true"' in refused.text
        assert f'value="{pattern}"' in refused.text
    refused = session.post(here, data={"csrf_token": csrf_of(shown), "pattern": "participant.*",
                                       "municipality": "0512"})
    assert refused.status_code == 422
    assert "een gemeente hoort alleen van de deelnemers die naar haar terugkeren" in \
        error_beside(refused, "municipality")
    added = session.post(here, data={"csrf_token": csrf_of(shown),
                                     "pattern": "participant.withdrawn"})
    assert added.status_code == 200 and "deelnemer uitgeschreven" in added.text
    patterns = {s["pattern"]: s["id"] for s in inbox.call(
        "GET", f"/recipients/{mine}/subscriptions", "dordrecht").json()}
    assert set(patterns) == {"participant.released", "participant.withdrawn"}
    removed = session.post(f"{here}/{patterns['participant.withdrawn']}/removal",
                           data={"csrf_token": csrf_of(added)})
    assert removed.status_code == 200 and "deelnemer uitgeschreven" not in removed.text
    assert [s["pattern"] for s in inbox.call(
        "GET", f"/recipients/{mine}/subscriptions", "dordrecht").json()] == \
        ["participant.released"]


def test_the_inbox_is_shown_page_by_page(inbox, recipients, broker, monkeypatch):
    mine = recipients[0]["dordrecht"]
    held = told(inbox, "dordrecht", mine, [released(broker, "0505")[0]])
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    session = signed_in(inbox)
    first = session.get(f"{inbox.base_url}/inbox?recipient={mine}&show=all")
    assert f"1–1 van {held}" in first.text
    following = re.search(r'href="([^"]*offset=1[^"]*)"', first.text).group(1)
    assert f"recipient={mine}" in following and "show=all" in following
    second = session.get(inbox.base_url + following.replace("&amp;", "&"))
    assert f"2–2 van {held}" in second.text and "Vorige" in second.text


@pytest.fixture
def on_postgresql(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("in the browser on PostgreSQL only")


def test_a_caseworker_goes_through_the_inbox_in_the_browser(on_postgresql, inbox, recipients,
                                                            broker, page):
    mine = recipients[0]["dordrecht"]
    held = told(inbox, "dordrecht", mine, [released(broker, "0505")[0] for _ in range(3)])
    unread = len(inbox.call("GET", f"/recipients/{mine}/inbox?unread=true", "dordrecht").json())
    signing_in(page, inbox.base_url, "g.visser", PASSWORD, "/inbox")
    status = page.locator("#results [role=status]")
    status.filter(has_text=f"{unread} ongelezen berichten").wait_for()
    assert page.locator("#results tbody tr").count() == unread
    assert_accessible(page)

    page.get_by_role("button", name="Gelezen").first.click()
    status.filter(has_text=f"{unread - 1} ongelezen berichten").wait_for()
    assert_accessible(page)

    page.get_by_role("link", name="Abonnementen", exact=True).click()
    arrive(page, "/inbox/subscriptions")
    subscriptions = page.locator("#subscriptions tbody tr")
    subscriptions.filter(has_text="deelnemer vrijgelaten").wait_for()
    assert_accessible(page)
    page.get_by_label("Soort feit").fill("participant.onbekend")
    page.get_by_role("button", name="Abonneren").click()
    page.locator("#f-pattern-error").wait_for()
    assert page.get_by_label("Soort feit").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("Soort feit").fill("participant.withdrawn")
    page.get_by_role("button", name="Abonneren").click()
    subscriptions.filter(has_text="deelnemer uitgeschreven").wait_for()
    page.get_by_role("button", name=re.compile(r"^Opzeggen\W+participant\.withdrawn$")).click()
    subscriptions.filter(has_text="deelnemer uitgeschreven").wait_for(state="detached")
    subscriptions.filter(has_text="deelnemer vrijgelaten").wait_for()
    assert subscriptions.count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Berichten", exact=True).click()
    arrive(page, "/inbox")
    page.get_by_label("Toon").select_option("all")
    status.filter(has_text=f"{held} berichten").wait_for()
    assert_accessible(page)
    screenshot(page, "inbox")
