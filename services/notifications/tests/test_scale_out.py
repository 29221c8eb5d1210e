"""Notifications run as two `nameko run` processes on one PostgreSQL database, with a real SMTP
server (aiosmtpd) and a real webhook receiver on this machine."""
import json
import mailbox
import time
import uuid
from collections import Counter

import pika
import pytest
import requests

from services.notifications.domain import DEFAULT_SUBSCRIPTIONS
from services.notifications.tests.receivers import Receiver
from shared.events import new_event
from tests.databases import fresh_database
from tests.harness import api_keys_file
from tests.instances import instances, rows

EMAIL = "integrator@example.org"
FACTS = 200
TWICE = 20
SETTLE_SECONDS = 180  # a backlog of 600 sends on a busy 2-core machine takes about a minute


@pytest.fixture(scope="module")
def database(directory):
    with fresh_database("postgresql", directory) as url:
        yield url


@pytest.fixture(scope="module")
def config(smtp):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp[0], "MAIL_FROM": "keten@example.org",
            "WEBHOOK_ALLOW_INSECURE_LOCALHOST": "true", "DELIVERY_RETRY_BASE_SECONDS": 0.2}


def call(instance, method, path, body=None, keys=None):
    return requests.request(method, instance.url + path, json=body, timeout=10, headers={
        "Authorization": f"Bearer {keys['operator']['key']}"})


def a_fact(number):
    """Facts of intake and of placement, about a participant each."""
    participant = str(uuid.uuid4())
    placement = {"placement_id": str(uuid.uuid4()), "participant_id": participant,
                 "employer_id": str(uuid.uuid4())}
    kind = number % 4
    if kind == 0:
        return new_event("intake", "participant.released", {
            "participant_id": participant, "released_on": "2027-01-15",
            "municipality": "0505"}, subject=participant)
    if kind == 1:
        return new_event("intake", "participant.withdrawn", {
            "participant_id": participant, "reason": "transferred",
            "withdrawn_on": "2027-01-15"}, subject=participant)
    if kind == 2:
        return new_event("placement", "placement.started", {
            **placement, "contract_type": "paid-temporary", "hours_per_week": 32,
            "started_on": "2027-02-01", "wage_cost_subsidy": False}, subject=participant)
    return new_event("placement", "placement.milestone_reached", {
        **placement, "months": 1, "reached_on": "2027-03-01"}, subject=participant)


def publish(producers, facts):
    for fact in facts:
        producers.publish(
            fact.source.rsplit("/", 1)[-1], fact.type, json.dumps(fact.to_json()),
            pika.BasicProperties(content_type="application/json", delivery_mode=2,
                                 message_id=fact.id),
            mandatory=True)


def parked(amqp_uri):
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    count = connection.channel().queue_declare("notifications.dlq", passive=True) \
        .method.message_count
    connection.close()
    return count


def mail_ids(maildir):
    """The fact id each e-mail to the integrator names."""
    if not maildir.exists():
        return []
    return [line.removeprefix("id: ").strip()
            for message in mailbox.Maildir(str(maildir)) if message["To"] == EMAIL
            for line in message.get_payload().splitlines() if line.startswith("id: ")]


def all_deliveries(instance, keys):
    deliveries, offset = [], 0
    while True:
        page = call(instance, "GET", f"/deliveries?limit=500&offset={offset}", keys=keys)
        assert page.status_code == 200, page.text
        deliveries += page.json()
        if len(page.json()) < 500:
            return deliveries
        offset += 500


def test_two_instances_deliver_a_backlog_once(amqp_uri, database, directory, config, smtp,
                                              receiver, producers):
    """A backlog of facts (some of them published twice) that waited while notifications was
    down is delivered by two instances side by side: each fact reaches the webhook and the
    mailbox once, the delivery log holds one delivered entry per recipient, fact and channel,
    and nothing is parked."""
    _, maildir = smtp
    _, keys = api_keys_file(directory)
    with instances("notifications", 2, amqp_uri, database, directory, **config) as running:
        registered = call(running[0], "POST", "/recipients", {
            "name": "integrator", "organisation": "operator", "email": EMAIL,
            "webhook_url": f"{receiver}/hook"}, keys=keys)
        assert registered.status_code == 201, registered.text
        recipient = registered.json()["id"]
        for pattern in ("participant.*", "placement.*"):
            assert call(running[1], "POST", f"/recipients/{recipient}/subscriptions",
                        {"pattern": pattern}, keys=keys).status_code == 201

    facts = [a_fact(number) for number in range(FACTS)]
    ids = {fact.id for fact in facts}
    publish(producers, facts + facts[::FACTS // TWICE])  # a backlog, 20 facts in it twice

    started = time.monotonic()
    with instances("notifications", 2, amqp_uri, database, directory, **config) as running:
        deadline = started + SETTLE_SECONDS
        while time.monotonic() < deadline:
            ours = [d for d in all_deliveries(running[0], keys) if d["recipient_id"] == recipient]
            if len(ours) == 3 * FACTS and all(d["status"] == "delivered" for d in ours):
                break
            time.sleep(0.5)
        settled = time.monotonic() - started
        time.sleep(3)  # anything sent twice would have arrived by now
        deliveries = all_deliveries(running[1], keys)
        logs = "".join(instance.log.read_text()[-2000:] for instance in running)

    hooks = Counter(json.loads(body)["id"] for _, _, body in Receiver.calls)
    hook_deliveries = Counter(headers["X-Doorstroom-Delivery"] for _, headers, _ in Receiver.calls)
    mails = Counter(mail_ids(maildir))
    assert settled < SETTLE_SECONDS, logs
    assert set(hooks) == ids and set(hooks.values()) == {1}, hooks.most_common(3)
    assert len(hook_deliveries) == FACTS and set(hook_deliveries.values()) == {1}
    assert set(mails) == ids and set(mails.values()) == {1}, mails.most_common(3)
    per_channel = Counter((d["recipient_id"], d["event_id"], d["channel"]) for d in deliveries)
    assert set(per_channel.values()) == {1}, per_channel.most_common(3)
    assert {d["status"] for d in deliveries} == {"delivered"}
    ours = [d for d in deliveries if d["recipient_id"] == recipient]
    assert Counter(d["channel"] for d in ours) == {"inbox": FACTS, "email": FACTS,
                                                   "webhook": FACTS}
    assert {d["event_id"] for d in ours} == ids
    assert set(hook_deliveries) == {d["id"] for d in ours if d["channel"] == "webhook"}
    assert parked(amqp_uri) == 0


def test_instances_that_start_together_on_an_empty_database_all_come_up(amqp_uri, directory):
    """Two instances started at the same moment on an empty database: one creates the tables
    and the default recipients while the other waits, so both come up and nothing is made
    twice."""
    for attempt in range(3):
        with fresh_database("postgresql") as url, \
                instances("notifications", 2, amqp_uri, url, directory / f"together-{attempt}",
                          together=True):
            assert rows(url, "SELECT organisation, count(*) FROM recipients "
                             "GROUP BY organisation HAVING count(*) > 1") == []
            assert rows(url, "SELECT count(*) FROM recipients") == \
                [(len(DEFAULT_SUBSCRIPTIONS),)]
