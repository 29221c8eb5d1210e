"""The notifications service on the real broker, with a real SMTP server (aiosmtpd) and real
webhook receivers on this machine: each fact reaches each recipient once per channel."""
import json
import mailbox
import time
import uuid
from datetime import datetime, timezone

import pytest

from services.notifications import handlers
from services.notifications.channels import Settings
from services.notifications.service import NotificationsService
from services.notifications.store import NotificationsUnitOfWork
from shared.store import make_engine, session_factory
from services.notifications.tests.facts import released
from services.notifications.tests.receivers import Receiver, verified
from tests.harness import running_service

WATCHED = ["notifications"]
CASEWORKER = "municipality-caseworker"


@pytest.fixture(scope="module")
def config(smtp):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp[0], "MAIL_FROM": "keten@example.org",
            "WEBHOOK_ALLOW_INSECURE_LOCALHOST": "true", "DELIVERY_MAX_ATTEMPTS": 3,
            "DELIVERY_RETRY_BASE_SECONDS": 0.2, "OUTBOX_SWEEP_SECONDS": 0.2}


@pytest.fixture(scope="module")
def api(amqp_uri, directory, broker, config):
    with running_service(NotificationsService, amqp_uri, directory, **config) as api:
        yield api


def mails(maildir, to):
    if not maildir.exists():
        return []
    return [m for m in mailbox.Maildir(str(maildir)) if m["To"] == to]


def wait_for(probe, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def register(api, role, **body):
    response = api.call("POST", "/recipients", role, body)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_release_reaches_the_municipality_once_by_email_webhook_and_inbox(api, broker, smtp,
                                                                           receiver):
    _, maildir = smtp
    recipient = register(api, CASEWORKER, name="dordrecht", email="wmo@dordrecht.example.org",
                         webhook_url=f"{receiver}/ok", language="nl")
    assert recipient["channels"] == ["inbox", "email", "webhook"]
    secret = recipient["webhook_secret"]
    assert api.call("POST", f"/recipients/{recipient['id']}/subscriptions", CASEWORKER,
                    {"pattern": "participant.released", "municipality": "0505"}
                    ).status_code == 201
    participant, body = released(broker)
    released(broker, municipality="0512")  # not for Dordrecht
    [mail] = wait_for(lambda: mails(maildir, "wmo@dordrecht.example.org"))
    text = mail.get_payload(decode=True).decode()
    assert participant in text and "is op 15 januari 2027 vrijgelaten" in text
    calls = wait_for(lambda: [c for c in Receiver.calls if c[0] == "/ok"])
    path, headers, payload = calls[0]
    assert verified(secret, headers, payload)
    assert json.loads(payload)["subject"] == participant
    inbox = api.call("GET", f"/recipients/{recipient['id']}/inbox", CASEWORKER).json()
    assert [entry["subject"] for entry in inbox] == [participant]

    broker.publish("intake", "participant.released", {}, body=body)  # a replay
    time.sleep(3)
    assert len(mails(maildir, "wmo@dordrecht.example.org")) == 1
    assert len([c for c in Receiver.calls if c[0] == "/ok"]) == 1
    assert len(api.call("GET", f"/recipients/{recipient['id']}/inbox", CASEWORKER).json()) == 1
    entry = inbox[0]["id"]
    acknowledged = api.call("POST", f"/recipients/{recipient['id']}/inbox/{entry}/acknowledgement",
                            CASEWORKER)
    assert acknowledged.json()["acknowledged_at"]
    assert api.call("GET", f"/recipients/{recipient['id']}/inbox?unread=true",
                    CASEWORKER).json() == []


def test_a_municipality_hears_nothing_of_a_participant_without_a_basis(api, broker):
    api.issue_key("rotterdam", CASEWORKER, organisation="municipality:0599")
    recipient = register(api, "rotterdam", name="rotterdam")
    api.call("POST", f"/recipients/{recipient['id']}/subscriptions", "rotterdam",
             {"pattern": "participant.*"})
    never_asked, _ = released(broker, municipality="0599", basis=None)
    withdrawn = str(uuid.uuid4())
    broker.publish_in_order("intake", withdrawn, *[
        ("participant.consent_given", {"participant_id": withdrawn,
                                       "purpose": "inform-municipality", "legal_basis": "consent",
                                       "given_at": "2027-01-01T09:00:00+00:00"}),
        ("participant.consent_withdrawn", {"participant_id": withdrawn,
                                           "purpose": "inform-municipality",
                                           "withdrawn_at": "2027-01-02T09:00:00+00:00"}),
        ("participant.released", {"participant_id": withdrawn, "released_on": "2027-01-15",
                                  "municipality": "0599"})])
    with_basis, _ = released(broker, municipality="0599")
    inbox = f"/recipients/{recipient['id']}/inbox"
    assert wait_for(lambda: api.call("GET", inbox, "rotterdam").json())
    time.sleep(2)  # the facts without a basis came first: they would have arrived by now
    assert [entry["subject"] for entry in api.call("GET", inbox, "rotterdam").json()] == \
        [with_basis]


def test_a_withdrawn_consent_erases_the_deliveries_held_for_it_and_tells_their_recipients(
        api, broker, receiver):
    trainers = register(api, "trainer", name="leerwerk", webhook_url=f"{receiver}/erase")
    case = register(api, "pi-case-manager", name="pi-casus")
    for holder, recipient in (("trainer", trainers), ("pi-case-manager", case)):
        api.call("POST", f"/recipients/{recipient['id']}/subscriptions", holder,
                 {"pattern": "participant.release_date_changed"})
    participant = str(uuid.uuid4())
    consent_for = {"participant_id": participant, "purpose": "training"}

    def inbox(holder, recipient):
        return [entry["event_type"] for entry in api.call(
            "GET", f"/recipients/{recipient['id']}/inbox", holder).json()]

    broker.publish_in_order("intake", participant, *[
        ("participant.consent_given", {**consent_for, "legal_basis": "consent",
                                       "given_at": "2027-01-01T09:00:00+00:00"}),
        ("participant.release_date_changed", {"participant_id": participant,
                                              "expected_release_date": "2027-03-01",
                                              "previous_release_date": "2027-02-01"}),
        ("participant.consent_withdrawn", {**consent_for,
                                           "withdrawn_at": "2027-01-02T09:00:00+00:00"})])
    [receipt] = wait_for(lambda: [f for f in broker.drain()
                                  if f["type"] == "notifications.participant_erased"
                                  and f["data"]["purpose"] == "training"])
    assert participant not in json.dumps(receipt)
    # The work company held it for training: gone, and told; the PI holds it for its own task.
    assert inbox("trainer", trainers) == ["participant.consent_withdrawn"]
    assert inbox("pi-case-manager", case) == ["participant.release_date_changed"]
    told = wait_for(lambda: [json.loads(body) for path, _, body in Receiver.calls
                             if path == "/erase"
                             and json.loads(body)["type"] == "participant.consent_withdrawn"])
    assert told[0]["data"]["participant_id"] == participant
    deliveries = api.call("GET", f"/deliveries?recipient_id={trainers['id']}", "trainer").json()
    assert {d["event_type"] for d in deliveries} == {"participant.consent_withdrawn"}


def test_a_receiver_that_fails_twice_gets_one_delivery_with_three_attempts(api, broker,
                                                                           receiver):
    recipient = register(api, "pi-case-manager", name="pi-flaky", webhook_url=f"{receiver}/flaky")
    api.call("POST", f"/recipients/{recipient['id']}/subscriptions", "pi-case-manager",
             {"pattern": "participant.withdrawn"})
    participant = str(uuid.uuid4())
    broker.publish("intake", "participant.withdrawn", {
        "participant_id": participant, "reason": "transferred", "withdrawn_on": "2027-01-15"})
    query = f"/deliveries?recipient_id={recipient['id']}&channel=webhook&status=delivered"
    [delivery] = wait_for(lambda: api.call("GET", query, "pi-case-manager").json())
    assert [a["succeeded"] for a in delivery["attempts"]] == [False, False, True]
    assert "HTTP 500" in delivery["last_error"]
    assert len([c for c in Receiver.calls if c[0] == "/flaky"]) == 3
    broker.facts("notification.delivered")


def test_a_receiver_that_always_fails_ends_failed_and_can_be_sent_again(api, broker, receiver):
    recipient = register(api, "probation-officer", name="reclassering",
                         webhook_url=f"{receiver}/down")
    api.call("POST", f"/recipients/{recipient['id']}/subscriptions", "probation-officer",
             {"pattern": "participant.released"})
    released(broker, municipality="0344")
    query = f"/deliveries?recipient_id={recipient['id']}&status=failed"
    [failed] = wait_for(lambda: api.call("GET", query, "probation-officer").json())
    assert len(failed["attempts"]) == 3 and failed["next_attempt_at"] is None
    [fact] = broker.facts("notification.failed")
    assert fact["data"]["attempts"] == 3 and fact["data"]["recipient"] == "reclassering"
    again = api.call("POST", f"/deliveries/{failed['id']}/resend", "probation-officer")
    assert again.status_code == 200 and again.json()["status"] == "pending"
    assert api.call("POST", f"/deliveries/{failed['id']}/resend", CASEWORKER).status_code == 404


def test_a_digest_recipient_gets_one_email_a_day(api, broker, smtp, directory, config):
    _, maildir = smtp
    api.issue_key("zwijndrecht", CASEWORKER, organisation="municipality:0642")
    recipient = register(api, "zwijndrecht", name="zwijndrecht", email="zw@example.org",
                         digest=True)
    api.call("POST", f"/recipients/{recipient['id']}/subscriptions", "zwijndrecht",
             {"pattern": "participant.released"})
    first, _ = released(broker, municipality="0642")
    second, _ = released(broker, municipality="0642")
    query = f"/deliveries?recipient_id={recipient['id']}&status=queued-for-digest"
    assert len(wait_for(lambda: len(api.call("GET", query, "zwijndrecht").json()) == 2 and
                        api.call("GET", query, "zwijndrecht").json())) == 2
    engine = make_engine(f"sqlite:///{directory / 'service.db'}")
    uow = NotificationsUnitOfWork(session_factory(engine), settings=Settings.from_config(config))
    morning = datetime(2030, 1, 2, 8, tzinfo=timezone.utc)
    assert handlers.send_digests(uow, now=morning) == 1
    assert handlers.send_digests(uow, now=morning) == 0
    engine.dispose()
    [digest] = mails(maildir, "zw@example.org")
    assert first in digest.get_payload() and second in digest.get_payload()


def test_organisations_keep_to_their_own_recipients(api, receiver):
    mine = register(api, CASEWORKER, name="gorinchem")
    assert api.call("GET", f"/recipients/{mine['id']}", "probation-officer").status_code == 404
    assert api.call("POST", "/recipients", "probation-officer",
                    {"name": "sneaky", "organisation": "municipality"}).status_code == 403
    names = [r["name"] for r in api.call("GET", "/recipients", "probation-officer").json()]
    assert "gorinchem" not in names and "probation" in names
    assert api.call("POST", f"/recipients/{mine['id']}/subscriptions", CASEWORKER,
                    {"pattern": "training.*"}).status_code == 422
    bad = api.call("POST", "/recipients", CASEWORKER,
                   {"name": "insecure", "webhook_url": "http://hooks.example.org/x"})
    assert bad.status_code == 422 and "webhook_url" in bad.json()["fields"]
    assert api.call("GET", "/recipients", None).status_code == 401
