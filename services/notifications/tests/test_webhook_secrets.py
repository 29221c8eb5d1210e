"""Webhook signatures a receiver can trust: they cover timestamp, delivery id and body, and a
receiver rejects one more than five minutes from its clock. The signing secrets are sealed at
rest with keys outside the database, on SQLite and on PostgreSQL; deliveries still verify with
the secret the API answered."""
import uuid

import pytest
from sqlalchemy import inspect, select, text

from doorstroom.up import key_files
from services.notifications.channels import WebhookSender, WebhookSecrets
from services.notifications.service import NotificationsService
from services.notifications.store import recipients
from services.notifications.tests.receivers import Receiver, verified
from services.notifications.tests.test_service import wait_for
from shared import migrations
from shared.store import make_engine, session_factory
from tests.databases import fresh_database, stored_bytes
from tests.harness import running_service

OPERATOR = "operator"
SECRET = "a-secret-of-the-receivers-own"
PLAIN = "plain-secret-of-before-secrets-were-sealed"


def sent(receiver, secret=SECRET):
    """Headers and body of one webhook the sender POSTed to the receiver."""
    path = f"/ok?{uuid.uuid4().hex}"
    WebhookSender(timeout_seconds=2, allow_insecure_localhost=True).post(
        receiver + path, secret, {"id": "f-1", "type": "participant.released"}, "d-1")
    [(_, headers, body)] = [call for call in Receiver.calls if call[0] == path]
    return headers, body


def test_a_webhook_signs_its_timestamp_delivery_id_and_body(receiver):
    headers, body = sent(receiver)
    assert headers["X-Doorstroom-Delivery"] == "d-1"
    assert verified(SECRET, headers, body)
    assert not verified("another-secret", headers, body)
    assert not verified(SECRET, {**headers, "X-Doorstroom-Delivery": "d-2"}, body)
    assert not verified(SECRET, headers, body.replace(b"f-1", b"f-2"))
    later = str(int(headers["X-Doorstroom-Timestamp"]) + 1)
    assert not verified(SECRET, {**headers, "X-Doorstroom-Timestamp": later}, body)


def test_a_receiver_rejects_a_webhook_more_than_five_minutes_from_its_clock(receiver):
    headers, body = sent(receiver)
    at = int(headers["X-Doorstroom-Timestamp"])
    assert verified(SECRET, headers, body, now=at + 300)
    assert verified(SECRET, headers, body, now=at - 300)
    assert not verified(SECRET, headers, body, now=at + 301)  # stale, or replayed late
    assert not verified(SECRET, headers, body, now=at - 301)  # from the future
    assert verified(SECRET, headers, body, now=at + 600, tolerance_seconds=600)


@pytest.fixture(scope="module")
def api(amqp_uri, directory, database_url):
    with running_service(NotificationsService, amqp_uri, directory, DATABASE_URL=database_url,
                         WEBHOOK_ALLOW_INSECURE_LOCALHOST="true",
                         DELIVERY_RETRY_BASE_SECONDS=0.2, OUTBOX_SWEEP_SECONDS=0.2) as api:
        yield api


def webhook_recipient(api, receiver):
    """A recipient of every participant.released at a path of its own; its id, the secret the
    API answered, and the path."""
    path = f"/ok?{uuid.uuid4().hex}"
    answer = api.call("POST", "/recipients", OPERATOR,
                      {"name": f"hook-{uuid.uuid4().hex[:8]}", "webhook_url": receiver + path})
    assert answer.status_code == 201, answer.text
    recipient = answer.json()
    assert api.call("POST", f"/recipients/{recipient['id']}/subscriptions", OPERATOR,
                    {"pattern": "participant.released"}).status_code == 201
    return recipient["id"], recipient["webhook_secret"], path


def delivered(broker, path):
    """The webhook a release reaches `path` with: (headers, body)."""
    broker.publish("intake", "participant.released", {
        "participant_id": str(uuid.uuid4()), "released_on": "2027-01-15",
        "municipality": "Dordrecht"})
    [(_, headers, body)] = wait_for(lambda: [c for c in Receiver.calls if c[0] == path])
    return headers, body


def stored_secret(database_url, recipient_id):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.scalar(select(recipients.c.webhook_secret)
                                     .where(recipients.c.id == recipient_id))
    finally:
        engine.dispose()


def key_file(directory):
    return key_files("notifications", directory)["WEBHOOK_SECRET_KEYS_FILE"]


def test_the_database_holds_no_readable_signing_secret(api, broker, receiver, directory,
                                                        database_url):
    recipient, secret, path = webhook_recipient(api, receiver)
    assert verified(secret, *delivered(broker, path))
    new_path = f"/ok?{uuid.uuid4().hex}"
    changed = api.call("PUT", f"/recipients/{recipient}", OPERATOR,
                       {"webhook_url": receiver + new_path}).json()
    new_secret = changed["webhook_secret"]
    assert new_secret and new_secret != secret
    headers, body = delivered(broker, new_path)
    assert verified(new_secret, headers, body) and not verified(secret, headers, body)

    raw = stored_bytes(database_url, directory)
    assert recipient.encode() in raw, "the database was not found"
    assert secret.encode() not in raw and new_secret.encode() not in raw
    # Sealed, not lost: the key file outside the database opens it.
    sealed = stored_secret(database_url, recipient)
    assert WebhookSecrets.from_file(key_file(directory)).open(sealed) == new_secret


def test_a_repeated_registration_answers_without_the_secret(api, receiver, directory,
                                                            database_url):
    body = {"name": f"keyed-{uuid.uuid4().hex[:8]}", "webhook_url": f"{receiver}/ok"}
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.call("POST", "/recipients", OPERATOR, body, headers=headers)
    again = api.call("POST", "/recipients", OPERATOR, body, headers=headers)
    assert first.status_code == again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "webhook_secret": None}
    assert first.json()["webhook_secret"].encode() not in stored_bytes(database_url, directory)


def test_a_secret_stored_in_plain_text_is_sealed_at_start(directory, database_url):
    """A database of before secrets were sealed (a plain secret, and on PostgreSQL a column of
    100 characters) is brought up to date by `doorstroom migrate` (the column) and what the
    service does at start (the secret); the secret stays the same, and a second start leaves it
    be."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    (directory / "legacy").mkdir(exist_ok=True)
    with fresh_database(kind, directory / "legacy") as url:
        engine = make_engine(url)
        try:
            recipients.create(engine)  # as a release before migrations made it
            with engine.begin() as connection:
                if kind == "postgresql":
                    connection.execute(text("ALTER TABLE recipients ALTER COLUMN webhook_secret "
                                            "TYPE VARCHAR(100)"))
                connection.execute(recipients.insert().values(
                    id=str(uuid.uuid4()), name="legacy", organisation="operator",
                    language="en", webhook_url="https://hooks.example.org/", digest=False,
                    webhook_secret=PLAIN))
            migrations.upgrade("notifications", url)
            secrets = WebhookSecrets.from_file(key_file(directory))
            NotificationsService.uow.prepare(session_factory(engine), {"secrets": secrets})
            with engine.connect() as connection:
                sealed = connection.scalar(select(recipients.c.webhook_secret)
                                           .where(recipients.c.name == "legacy"))
                [column] = [c for c in inspect(connection).get_columns("recipients")
                            if c["name"] == "webhook_secret"]
            assert secrets.open(sealed) == PLAIN
            assert kind == "sqlite" or column["type"].length == 200
            NotificationsService.uow.prepare(session_factory(engine), {"secrets": secrets})
            with engine.connect() as connection:
                assert connection.scalar(select(recipients.c.webhook_secret)
                                         .where(recipients.c.name == "legacy")) == sealed
        finally:
            engine.dispose()
