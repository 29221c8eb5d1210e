"""Scenario 5: notifications is killed with SIGKILL while its delivery timer is sending a webhook,
then restarted with the same config, database and port.

Deterministic, not by luck: the PI registers a webhook recipient subscribed to
participant.admitted; the test's receiver holds the first webhook it gets open without
answering, and the test kills notifications at that moment, so the timer is inside the
transaction that claimed the delivery (the row is locked, the sending is under way, nothing is
noted yet). From the restart on the receiver answers 204.

E-mails and webhooks are at least once (docs/faults.md): after the restart the webhook comes
again with the same fact id (and delivery id), by which a receiver deduplicates. Notifications
itself is exactly once: one delivery row per recipient, fact and channel, which ends delivered
with one (successful) attempt noted, the killed one having rolled back; the fact is in the PI's
inbox once, nothing is parked, every outbox is empty and everything healthy.
"""
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from services.notifications.channels import (DELIVERY_HEADER, SIGNATURE_HEADER,
                                             TIMESTAMP_HEADER, signature)
from shared.events import source_for
from tests.faults.judge import judge, log_findings
from tests.faults.running import CaseManager

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

BEFORE_KILL = 1  # admissions until the first webhook is held (it is that one's)
WHILE_AWAY = 2  # admissions while notifications is dead: a backlog of webhooks
AFTER_RESTART = 1
HOLD_TIMEOUT = 30.0  # seconds to wait for the first webhook, and at most to hold it
SENT_TIMEOUT = 30.0  # seconds for every webhook to be delivered after the restart


class HoldingReceiver:
    """A webhook endpoint on this machine that keeps every request it got. The first it holds
    open, unanswered, until `release()`, then drops the connection; every later one gets 204."""

    def __init__(self):
        self.receipts = []  # (monotonic time, headers, raw body, envelope)
        self.held = threading.Event()
        self._release = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    first = not receiver.receipts
                    receiver.receipts.append((time.monotonic(), dict(self.headers), body,
                                              json.loads(body)))
                if first:
                    receiver.held.set()
                    receiver._release.wait(HOLD_TIMEOUT)
                    self.close_connection = True  # never answered
                    return
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/doorstroom"
        threading.Thread(target=self.server.serve_forever, daemon=True,
                         name="webhook-receiver").start()

    def release(self):
        self._release.set()

    def stop(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()


def notifications_call(running, method, path, body, role="pi-case-manager"):
    response = requests.request(
        method, f"{running.url('notifications')}{path}", json=body, timeout=10,
        headers={"Authorization": f"Bearer {running.keys[role]['key']}",
                 "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code in (200, 201), \
        f"{method} notifications{path} answered {response.status_code}: {response.text[:300]}"
    return response.json()


def open_transactions(running, service):
    """Backends of the service's database inside a transaction waiting for the client."""
    return running.rows(service, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                 "current_database() AND state LIKE 'idle in transaction%'")[0][0]


def webhook_rows(running, recipient_id):
    return running.rows(
        "notifications",
        "SELECT id, event_source, event_id, lower(status), attempts, delivered_at, last_error "
        "FROM deliveries WHERE recipient_id = :r AND channel = 'webhook' ORDER BY created_at",
        r=recipient_id)


def test_a_webhook_in_flight_when_notifications_is_killed_is_sent_again_and_noted_once(running):
    env = running.instances["notifications"].env
    assert env.get("WEBHOOK_ALLOW_INSECURE_LOCALHOST", "").lower() == "true", \
        "notifications must allow plain-http webhooks on this machine, as `doorstroom up` does"
    receiver = HoldingReceiver()
    try:
        _scenario(running, receiver)
    finally:
        receiver.stop()


def _scenario(running, receiver):
    pi = CaseManager(running)
    # The PI case manager registers a recipient of its own organisation with a webhook.
    recipient = notifications_call(running, "POST", "/recipients", {
        "name": "pi-webhook", "language": "en", "webhook_url": receiver.url})
    assert recipient["organisation"] == "pi" and recipient["webhook_secret"], recipient
    assert recipient["channels"] == ["inbox", "webhook"], recipient
    notifications_call(running, "POST", f"/recipients/{recipient['id']}/subscriptions",
                       {"pattern": "participant.admitted"})

    for _ in range(BEFORE_KILL):
        pi.admit(len(pi.admitted))
    assert receiver.held.wait(HOLD_TIMEOUT), \
        f"no webhook reached the receiver in {HOLD_TIMEOUT}s\n{running.logs()}"
    # The timer is sending: its claim of the delivery is open, uncommitted.
    held_envelope = receiver.receipts[0][3]
    [held_row] = [row for row in webhook_rows(running, recipient["id"])
                  if row[2] == held_envelope["id"]]
    in_transaction = open_transactions(running, "notifications")
    running.kill_9("notifications")
    killed_at = time.monotonic()
    receiver.release()
    assert held_row[3] == "pending" and not held_row[4], \
        f"the delivery in flight was already noted before the kill: {held_row}"
    assert in_transaction >= 1, "the timer's transaction was not open at the kill"

    for _ in range(WHILE_AWAY):
        pi.admit(len(pi.admitted))
    running.restart("notifications")
    for _ in range(AFTER_RESTART):
        pi.admit(len(pi.admitted))

    # Every admission's webhook is noted (delivered or failed) after the restart.
    deadline = time.monotonic() + SENT_TIMEOUT
    while time.monotonic() < deadline:
        rows = webhook_rows(running, recipient["id"])
        if len(rows) >= len(pi.admitted) and all(row[3] != "pending" for row in rows):
            break
        time.sleep(0.3)

    verdict = judge(running, answered=pi.admitted)
    receipts = receiver.receipts
    _judge_webhooks(verdict, running, recipient, receipts, held_envelope, killed_at)

    fact_ids = [envelope["id"] for _, _, _, envelope in receipts]
    print(verdict.figures({
        "faults injected": 1, "kill -9 of notifications while sending a webhook": 1,
        "restarts": 1, "timer transactions open at the kill": in_transaction,
        "admissions": len(pi.admitted)}))
    print(f"webhook receipts {len(receipts)} with distinct fact ids {len(set(fact_ids))} "
          f"(the held one {fact_ids.count(held_envelope['id'])} times; after the restart "
          f"{sum(1 for at, *_ in receipts if at > killed_at)})")
    print(log_findings(running))
    problems = verdict.problems()
    assert not problems, "\n".join(problems) + f"\nlogs: {running.data_dir / 'logs'}"


def _judge_webhooks(verdict, running, recipient, receipts, held_envelope, killed_at):
    """What the receiver got, and what notifications' database says it sent."""
    intake = source_for("intake")
    admitted = {fact["id"]: fact for (fact,) in (
        (json.loads(e) if isinstance(e, str) else e,) for (e,) in running.rows(
            "intake", "SELECT envelope FROM outbox"))
        if fact["type"] == "participant.admitted"}

    # The receiver: every admission at least once, verified; only the held one twice.
    by_fact = {}
    for at, headers, body, envelope in receipts:
        by_fact.setdefault(envelope["id"], []).append((at, headers))
        verdict.checked["webhook receipts verified"] += 1
        timestamp = headers.get(TIMESTAMP_HEADER)
        if headers.get(SIGNATURE_HEADER) != signature(recipient["webhook_secret"], timestamp,
                                                      headers.get(DELIVERY_HEADER), body):
            verdict.unhealthy.append(f"webhook about {envelope.get('subject')} carries a bad "
                                     f"signature")
        if envelope["id"] not in admitted:
            verdict.duplicated.append(f"webhook with fact id {envelope['id']} "
                                      f"({envelope.get('type')}) that intake never admitted")
    for fact_id, fact in admitted.items():
        verdict.checked["admissions sent by webhook"] += 1
        got = by_fact.get(fact_id, [])
        if not got:
            verdict.lost.append(f"the webhook never got participant.admitted about "
                                f"{fact['subject']} (fact {fact_id})")
        elif len({headers.get(DELIVERY_HEADER) for _, headers in got}) > 1:
            verdict.duplicated.append(f"fact {fact_id} came by webhook under several delivery "
                                      f"ids: {[h.get(DELIVERY_HEADER) for _, h in got]}")
        if fact_id == held_envelope["id"]:
            again = [at for at, _ in got if at > killed_at]
            if not again:
                verdict.lost.append(f"the webhook held at the kill (fact {fact_id}) was not "
                                    "sent again after the restart")
        elif len(got) > 1:
            verdict.duplicated.append(f"fact {fact_id}, not in flight at the kill, came by "
                                      f"webhook {len(got)} times")

    # Notifications' database: per fact one webhook delivery and one inbox entry, ended
    # delivered, the killed attempt not noted.
    rows = running.rows(
        "notifications",
        "SELECT event_source, event_id, channel, lower(status), attempts, delivered_at "
        "FROM deliveries "
        "WHERE recipient_id = :r", r=recipient["id"])
    for fact_id, fact in admitted.items():
        for channel in ("webhook", "inbox"):
            verdict.checked[f"{channel} deliveries noted once"] += 1
            same = [row for row in rows if row[:3] == (intake, fact_id, channel)]
            what = f"{channel} delivery of participant.admitted about {fact['subject']}"
            if not same:
                verdict.lost.append(f"no {what} in notifications' database")
                continue
            if len(same) > 1:
                verdict.duplicated.append(f"{len(same)} rows for the {what}: {same}")
            _, _, _, status, attempts, delivered_at = same[0]
            attempts = json.loads(attempts) if isinstance(attempts, str) else attempts
            if status != "delivered" or delivered_at is None:
                verdict.lost.append(f"the {what} ended {status}: {same[0]}")
            elif [a.get("succeeded") for a in attempts] != [True]:
                verdict.duplicated.append(f"the {what} notes attempts {attempts} (the killed "
                                          "one should have rolled back)")
    strangers = [row for row in rows if row[1] not in admitted]
    if strangers:
        verdict.duplicated.append(f"deliveries to pi-webhook of facts it did not subscribe to: "
                                  f"{strangers}")
    # The PI's own inbox holds the held fact once (judge() checks every admission).
    verdict.checked["held fact in the PI's inbox"] += 1
    [(count,)] = running.rows(
        "notifications", "SELECT count(*) FROM deliveries d JOIN recipients r ON "
        "r.id = d.recipient_id WHERE r.name = 'pi' AND d.channel = 'inbox' AND d.event_id = :e",
        e=held_envelope["id"])
    if count != 1:
        (verdict.lost if count == 0 else verdict.duplicated).append(
            f"the PI's inbox holds the fact held at the kill {count} times")
