from datetime import date, datetime, timedelta, timezone

import pytest

from services.notifications.domain import (Delivery, DeliveryStatus, Recipient, RetryPolicy,
                                           describe, redacted_for, validate_webhook_url)
from shared.contracts import all_contracts
from shared.errors import Conflict, Invalid

NOW = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
PARTICIPANT = "3f1e1b9e-8a5c-4d0f-9a43-0b7b2f0c2d11"
EMPLOYER = "7d4b0c6e-1f2a-4c3b-8d5e-6f7a8b9c0d1e"


def fact(event_type="participant.released", **data):
    return {"specversion": "1.0", "id": "f-1", "source": "/doorstroom/intake",
            "type": event_type, "time": "2026-11-23T09:00:00Z", "subject": PARTICIPANT,
            "data": {"participant_id": PARTICIPANT, **data}}


def returning_to(code):
    return lambda envelope: code


def test_an_organisation_subscribes_only_to_what_it_may_see():
    municipality = Recipient.register("dordrecht", "municipality:0505")
    assert municipality.subscribe("participant.*", all_contracts()).pattern == "participant.*"
    with pytest.raises(Invalid, match="municipality may hear"):
        municipality.subscribe("training.*", all_contracts())
    assert not municipality.may_receive(fact("participant.admitted"), returning_to("0505"))
    assert municipality.may_receive(fact("participant.released"), returning_to("0505"))


def test_a_municipality_hears_only_of_the_participants_returning_to_it():
    dordrecht = Recipient.register("dordrecht", "municipality:Dordrecht")
    assert dordrecht.organisation == "municipality:0505" and dordrecht.municipality == "0505"
    assert not dordrecht.may_receive(fact("participant.released"), returning_to("0512"))
    assert not dordrecht.may_receive(fact("participant.released"), returning_to(None))
    with pytest.raises(Invalid, match="returning to it"):
        dordrecht.subscribe("participant.released", all_contracts(), municipality="0512")
    for nobody_in_particular in ("municipality", "municipality:gorinchem", "employer"):
        with pytest.raises(Invalid):
            Recipient.register("all-of-them", nobody_in_particular)


def test_an_employer_receives_only_facts_about_itself_and_never_the_participant_id():
    employer = Recipient.register("bakkerij", f"employer:{EMPLOYER}")
    proposed = {**fact("match.proposed", employer_id=EMPLOYER), "source": "/doorstroom/matching"}
    assert employer.may_receive(proposed, returning_to(None))
    assert not employer.may_receive(fact("match.proposed", employer_id="someone-else"),
                                    returning_to(None))
    shared = redacted_for("employer", proposed)
    assert "subject" not in shared and "participant_id" not in shared["data"]
    assert PARTICIPANT not in Delivery.of(employer, "inbox", proposed, NOW).summary
    with pytest.raises(Invalid):
        Recipient.register("nameless", "employer")


def test_messages_are_written_in_the_recipients_language():
    released = fact(released_on="2027-01-15", municipality="0505")
    assert describe(released, "nl") == (f"Deelnemer {PARTICIPANT} is op 15 januari 2027 "
                                        "vrijgelaten en keert terug naar Dordrecht (0505).")
    assert describe(released, "en").startswith(f"Participant {PARTICIPANT} was released")


def test_a_recipients_channels_follow_what_it_registered():
    recipient = Recipient.register("pi-x", "pi", email="pi@example.org",
                                   webhook_url="https://pi.example.org/hook")
    assert recipient.channels == ["inbox", "email", "webhook"]
    assert Recipient.register("pi-y", "pi").channels == ["inbox"]


def test_an_inbox_delivery_is_done_at_once_and_a_digest_email_waits():
    recipient = Recipient.register("gemeente", "municipality:0505", email="g@example.org", digest=True)
    assert Delivery.of(recipient, "inbox", fact(), NOW).status is DeliveryStatus.DELIVERED
    assert Delivery.of(recipient, "email", fact(), NOW).status is \
        DeliveryStatus.QUEUED_FOR_DIGEST


def test_failed_attempts_back_off_with_jitter_then_the_delivery_fails_and_can_be_resent():
    policy = RetryPolicy(max_attempts=3, base_seconds=10)
    recipient = Recipient.register("r", "pi", webhook_url="https://x.example.org")
    delivery = Delivery.of(recipient, "webhook", fact(), NOW)
    assert delivery.fail(NOW, "HTTP 500", policy, recipient) is False
    assert NOW + timedelta(seconds=5) <= delivery.next_attempt_at <= NOW + timedelta(seconds=10)
    assert delivery.fail(NOW, "HTTP 500", policy, recipient) is False
    assert NOW + timedelta(seconds=10) <= delivery.next_attempt_at <= NOW + timedelta(seconds=20)
    assert delivery.fail(NOW, "HTTP 502", policy, recipient) is True
    assert delivery.status is DeliveryStatus.FAILED and delivery.last_error == "HTTP 502"
    delivery.resend(NOW)
    assert delivery.status is DeliveryStatus.PENDING and delivery.attempts_this_round == []
    delivery.succeed(NOW, recipient)
    with pytest.raises(Conflict):
        delivery.resend(NOW)
    assert [a.succeeded for a in delivery.attempts] == [False, False, False, False, True]
    # What it says of each outcome, the failure once given up on.
    assert [(f.type, f.recipient) for f in delivery.take_facts()] == [
        ("notification.failed", "r"), ("notification.delivered", "r")]


@pytest.mark.parametrize("url, insecure_localhost, ok", [
    ("https://hooks.example.org/doorstroom", False, True),
    ("http://hooks.example.org/doorstroom", False, False),
    ("https://user:pw@hooks.example.org/", False, False),
    ("https://10.0.0.8/hook", False, False),
    ("https://127.0.0.1/hook", False, False),
    ("http://127.0.0.1:9000/hook", True, True),
    ("http://127.0.0.1:9000/hook", False, False),
])
def test_webhook_urls_are_validated(url, insecure_localhost, ok):
    if ok:
        assert validate_webhook_url(url, insecure_localhost) == url
    else:
        with pytest.raises(Invalid):
            validate_webhook_url(url, insecure_localhost)


def test_a_digest_is_due_once_a_day_from_its_hour_and_not_while_a_retry_waits():
    recipient = Recipient.register("g", "municipality:0505", email="g@example.org", digest=True)
    morning = datetime(2026, 11, 23, 8, tzinfo=timezone.utc)
    assert not recipient.digest_due(morning.replace(hour=5), 7)
    assert recipient.digest_due(morning, 7)
    recipient.digest_retry_at = morning + timedelta(hours=1)
    assert not recipient.digest_due(morning, 7)
    assert recipient.digest_due(morning + timedelta(hours=1), 7)
    recipient.last_digest_on = morning.date()
    assert not recipient.digest_due(morning + timedelta(hours=2), 7)
    assert recipient.digest_due(morning + timedelta(days=1), 7)


def test_a_digest_is_due_from_its_hour_as_the_clocks_in_amsterdam_say():
    recipient = Recipient.register("g", "municipality:0505", email="g@example.org", digest=True)
    winter, summer = (datetime(2026, month, 23, hour, tzinfo=timezone.utc)
                      for month, hour in ((11, 6), (6, 5)))
    for seven_in_amsterdam in (winter, summer):
        assert not recipient.digest_due(seven_in_amsterdam - timedelta(minutes=1), 7)
        assert recipient.digest_due(seven_in_amsterdam, 7)
    # Sent on 25 November in Amsterdam: not again that day, though UTC's 26th starts later.
    recipient.last_digest_on = date(2026, 11, 25)
    assert not recipient.digest_due(datetime(2026, 11, 25, 22, 59, tzinfo=timezone.utc), 0)
    assert recipient.digest_due(datetime(2026, 11, 25, 23, tzinfo=timezone.utc), 0)
