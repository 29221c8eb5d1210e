"""The retrying, parking consumer against the real broker, in a fresh vhost, on classic queues
and on quorum queues (QUEUE_TYPE)."""
import json
import time

import pika
import pytest
from nameko.containers import ServiceContainer

from shared.consumer import ATTEMPT_HEADER, ERROR_HEADER, QUEUE_HEADER, publisher_accounts
from shared.events import STRUCTURED_CONTENT_TYPE
from shared.metrics import metrics_for
from tests.registrations import CALLS, FlakyService, parked, publish, registered

@pytest.fixture(params=["classic", "quorum"])
def flaky(request, amqp_uri):
    """The flaky service on queues of one type; yields a channel and the names of its
    handler's queue and its dead-letter queue. Each type has a service name of its own, as a
    queue keeps the type it was declared with."""
    CALLS.clear()
    service = type(f"Flaky{request.param.title()}", (FlakyService,),
                   {"name": f"flaky-{request.param}"})
    container = ServiceContainer(service, {
        "AMQP_URI": amqp_uri, "EVENT_RETRY_DELAY_MS": 50, "EVENT_MAX_ATTEMPTS": 4,
        "QUEUE_TYPE": request.param})
    container.start()
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    channel, queue = connection.channel(), f"{service.name}.follow_registrations"
    yield channel, queue, f"{service.name}.dlq"
    container.stop()
    # Or the other type's tests would feed this queue while nobody reads it.
    for name in (queue, f"{queue}.retry", f"{queue}.held", f"{service.name}.dlq"):
        channel.queue_delete(name)
    connection.close()


# Relays publish structured-mode CloudEvents; a fact as plain JSON is taken too.
@pytest.mark.parametrize("content_type", [STRUCTURED_CONTENT_TYPE, "application/json"])
def test_a_failing_handler_is_retried_with_backoff_until_it_succeeds(flaky, content_type):
    channel, _, dead_letters = flaky
    publish(channel, registered("0505"), content_type=content_type)
    deadline = time.monotonic() + 10
    while len(CALLS) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert len(CALLS) == 3
    assert parked(channel, dead_letters, 1, timeout=0.5) == []


def test_a_handler_that_keeps_failing_is_parked_with_its_error(flaky):
    channel, queue, dead_letters = flaky
    body = registered("0088")
    publish(channel, body)
    [(headers, parked_body)] = parked(channel, dead_letters, 1)
    assert parked_body == body.encode()
    assert headers[ATTEMPT_HEADER] == 4
    assert "the database is away" in headers[ERROR_HEADER]
    assert headers[QUEUE_HEADER] == queue
    metrics = metrics_for(queue.split(".")[0])
    assert metrics.parked.labels(queue)._value.get() >= 1
    assert metrics.failed.labels(queue, "participant.registered")._value.get() >= 4
    assert headers["x-doorstroom-original-routing-key"] == "participant.registered"
    assert len(CALLS) == 4


@pytest.mark.parametrize("body, content_type", [
    (b"\x00 not json", "application/json"),
    (b"plain words", "text/plain"),
    (json.dumps({"specversion": "1.0"}), "application/json"),
    (registered("0505").replace("2027-01-15", "someday"), "application/json"),
])
def test_unreadable_messages_are_parked_at_once(flaky, body, content_type):
    channel, _, dead_letters = flaky
    publish(channel, body, content_type=content_type)
    [(headers, _)] = parked(channel, dead_letters, 1)
    assert headers[ERROR_HEADER]
    assert CALLS == []


@pytest.mark.parametrize("config, expected", [
    ({"AMQP_URI": "amqp://doorstroom-training:p@localhost:5672/"}, "doorstroom-{service}"),
    ({"AMQP_URI": "amqp://guest:guest@localhost:5672/"}, None),
    ({"AMQP_URI": "amqp://guest:guest@localhost:5672/", "PUBLISHER_ACCOUNTS": "org-{service}"},
     "org-{service}")])
def test_a_consumer_expects_its_producers_accounts_when_it_runs_under_its_own(config, expected):
    """Under its own account (as `doorstroom up` and the tests run it), or as configured; on a
    shared account it checks no account, as it cannot tell producers apart."""
    assert publisher_accounts(config, "training") == expected
