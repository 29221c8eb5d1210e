"""Each organisation is a tenant: a key names its organisation ("employer:<id>",
"municipality:0505", "pi:<institution>") and lists, reads and changes only that organisation's
recipients and deliveries; a municipality hears only of the participants returning to it, an
organisation only of those whose consent its purpose needs. Over real HTTP against the
notifications service on the real broker."""
import json
import time
import uuid

import pytest
from sqlalchemy import select

from services.notifications.service import NotificationsService
from services.notifications.store import NotificationsUnitOfWork
from services.notifications.tests.facts import released
from services.notifications.tests.test_messages import SAMPLES
from shared.store import make_engine
from tests.harness import running_service


@pytest.fixture(scope="module")
def api(amqp_uri, directory, broker, database_url):
    # The production worker count, on SQLite and PostgreSQL.
    with running_service(NotificationsService, amqp_uri, directory, DATABASE_URL=database_url,
                         max_workers=4) as api:
        api.issue_key("werkgever-a", "employer", employer_id=str(uuid.uuid4()))
        api.issue_key("werkgever-b", "employer", organisation=f"employer:{uuid.uuid4()}")
        api.issue_key("werkgever-zonder", "employer")
        api.issue_key("dordrecht", "municipality-caseworker", organisation="municipality:0505")
        api.issue_key("gorinchem", "municipality-caseworker",
                      organisation="municipality:Gorinchem")
        api.issue_key("gemeente-zonder", "municipality-caseworker")
        api.issue_key("gemeente-als-pi", "municipality-caseworker", organisation="pi")
        api.issue_key("gemeente-verzonnen", "municipality-caseworker",
                      organisation="municipality:Nergenshuizen")
        api.issue_key("pi-dordrecht", "pi-case-manager", organisation="pi:PI Dordrecht")
        api.issue_key("pi-vught", "pi-case-manager", organisation="pi:PI Vught")
        yield api


def register(api, holder, **body):
    response = api.call("POST", "/recipients", holder,
                        {"name": f"hr-{holder}", "email": f"hr@{holder}.example.org", **body})
    assert response.status_code == 201, response.text
    return response.json()


def inbox(api, holder, recipient):
    return [entry["subject"] for entry in
            api.call("GET", f"/recipients/{recipient['id']}/inbox", holder).json()]


def handled(database_url, *bodies, timeout=15):
    """Wait until notifications handled the facts published as `bodies`."""
    ids = {json.loads(body)["id"] for body in bodies}
    inbox, engine = NotificationsUnitOfWork.inbox, make_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                if set(connection.scalars(select(inbox.c.event_id)
                                          .where(inbox.c.event_id.in_(ids)))) == ids:
                    return
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        engine.dispose()


def test_employers_do_not_see_each_others_recipients_or_deliveries(api):
    mine, theirs = register(api, "werkgever-a"), register(api, "werkgever-b")
    listed = api.call("GET", "/recipients", "werkgever-a").json()
    assert [r["id"] for r in listed] == [mine["id"]]
    assert api.call("GET", f"/recipients/{theirs['id']}", "werkgever-a").status_code == 404
    assert api.call("PUT", f"/recipients/{theirs['id']}", "werkgever-a",
                    {"language": "en"}).status_code == 404
    deliveries = api.call("GET", f"/deliveries?recipient_id={theirs['id']}", "werkgever-a")
    assert deliveries.status_code == 200 and deliveries.json() == []
    # The operator sees both.
    everyone = {r["id"] for r in api.call("GET", "/recipients?limit=500", "operator").json()}
    assert {mine["id"], theirs["id"]} <= everyone


def test_an_employer_key_bound_to_no_employer_sees_nothing(api):
    assert api.call("GET", "/recipients", "werkgever-zonder").status_code == 403


def test_a_municipality_hears_only_of_its_own_participants_and_sees_only_its_own_set_up(api,
                                                                                     broker):
    dordrecht, gorinchem = register(api, "dordrecht"), register(api, "gorinchem")
    assert (dordrecht["organisation"], gorinchem["organisation"]) == \
        ("municipality:0505", "municipality:0512")
    for holder, recipient in (("dordrecht", dordrecht), ("gorinchem", gorinchem)):
        # No filter: still only its own participants.
        assert api.call("POST", f"/recipients/{recipient['id']}/subscriptions", holder,
                        {"pattern": "participant.released"}).status_code == 201
    refused = api.call("POST", f"/recipients/{dordrecht['id']}/subscriptions", "dordrecht",
                       {"pattern": "participant.released", "municipality": "Gorinchem"})
    assert refused.status_code == 422 and "municipality" in refused.json()["fields"]
    (home, _), (away, _) = released(broker, "0505"), released(broker, "Gorinchem")
    deadline = time.monotonic() + 15
    while (inbox(api, "dordrecht", dordrecht), inbox(api, "gorinchem", gorinchem)) != \
            ([home], [away]):
        assert time.monotonic() < deadline, (inbox(api, "dordrecht", dordrecht),
                                             inbox(api, "gorinchem", gorinchem))
        time.sleep(0.1)
    assert [r["id"] for r in api.call("GET", "/recipients", "dordrecht").json()] == \
        [dordrecht["id"]]
    assert api.call("GET", f"/recipients/{gorinchem['id']}/inbox", "dordrecht").status_code == 404
    assert api.call("GET", f"/deliveries?recipient_id={gorinchem['id']}",
                    "dordrecht").json() == []
    assert api.call("POST", "/recipients", "dordrecht",
                    {"name": "stiekem", "organisation": "municipality:0512"}).status_code == 403


def test_a_municipality_key_that_names_no_municipality_or_another_kind_opens_nothing(api):
    assert api.call("GET", "/recipients", "gemeente-zonder").status_code == 403
    assert api.call("POST", "/recipients", "gemeente-zonder",
                    {"name": "alle-gemeenten"}).status_code == 403
    assert api.call("GET", "/recipients", "gemeente-als-pi").status_code == 401
    assert api.call("GET", "/recipients", "gemeente-verzonnen").status_code == 401


def test_a_recipient_of_all_municipalities_at_once_cannot_be_registered(api):
    response = api.call("POST", "/recipients", "operator",
                        {"name": "alle-gemeenten", "organisation": "municipality"})
    assert response.status_code == 422 and "organisation" in response.json()["fields"]
    names = [r["name"] for r in api.call("GET", "/recipients?limit=500", "operator").json()]
    assert "municipality" not in names  # no default recipient for every municipality


def test_institutions_of_the_pi_keep_to_their_own_recipients(api):
    vught = register(api, "pi-vught")
    assert vught["organisation"] == "pi:PI Vught"
    assert api.call("GET", f"/recipients/{vught['id']}", "pi-dordrecht").status_code == 404
    assert vught["id"] not in [r["id"] for r in
                               api.call("GET", "/recipients", "pi-dordrecht").json()]


def test_a_work_company_hears_of_training_only_on_the_participants_consent(api, broker,
                                                                           database_url):
    trainers = register(api, "trainer")
    assert api.call("POST", f"/recipients/{trainers['id']}/subscriptions", "trainer",
                    {"pattern": "training.enrolled"}).status_code == 201
    consenting, never_asked = str(uuid.uuid4()), str(uuid.uuid4())
    handled(database_url, *broker.publish_in_order("intake", consenting, (
        "participant.consent_given", {"participant_id": consenting, "purpose": "training",
                                      "legal_basis": "consent",
                                      "given_at": "2027-01-01T09:00:00+00:00"})))
    handled(database_url, *[broker.publish("training", "training.enrolled", {
        **SAMPLES["training.enrolled"], "participant_id": participant})
        for participant in (never_asked, consenting)])
    assert inbox(api, "trainer", trainers) == [consenting]


def test_an_operator_reads_no_wage_in_the_delivery_log(api, broker, database_url):
    """The agreed terms, with the wage, go to the municipality alone: an operator may not
    subscribe to them, and sees their delivery without its message."""
    dordrecht = register(api, "dordrecht", name="wmo-dordrecht")
    assert api.call("POST", f"/recipients/{dordrecht['id']}/subscriptions", "dordrecht",
                    {"pattern": "placement.terms_agreed"}).status_code == 201
    operators = register(api, "operator", name="beheer")
    refused = api.call("POST", f"/recipients/{operators['id']}/subscriptions", "operator",
                       {"pattern": "placement.terms_agreed"})
    assert refused.status_code == 422 and "pattern" in refused.json()["fields"]
    participant, body = released(broker, "0505")
    handled(database_url, body)
    terms = broker.publish("placement", "placement.terms_agreed", {
        **SAMPLES["placement.terms_agreed"], "participant_id": participant})
    handled(database_url, terms)
    [entry] = [e for e in api.call("GET", f"/recipients/{dordrecht['id']}/inbox", "dordrecht")
               .json() if e["event_type"] == "placement.terms_agreed"]
    assert "€ 15,25" in entry["summary"] or "€15.25" in entry["summary"]
    logged = [d for d in api.call("GET", f"/deliveries?recipient_id={dordrecht['id']}",
                                  "operator").json()
              if d["event_type"] == "placement.terms_agreed"]
    assert logged and not any("15" in delivery["summary"] for delivery in logged)
