"""Per-participant order on PostgreSQL with two instances of training and of matching, each
with the production worker count (tests/instances.py; MAX_WORKERS=16 runs it wider): whatever
the interleaving, the outcome is as if each participant's facts were handled one by one, in the
order their producer recorded them."""
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import requests

from tests.databases import fresh_database
from tests.harness import Relay
from tests.instances import drained, instances, queue_depth, rows, wait_until

pytestmark = pytest.mark.e2e

TODAY = date.today()
PER_SCENARIO = 25
# Short retries and a short hold limit keep the parked-and-replayed case quick.
CONFIG = {"EVENT_RETRY_DELAY_MS": 200, "EVENT_MAX_ATTEMPTS": 5, "EVENT_HOLD_MAX_SECONDS": 20}


@pytest.fixture(scope="module")
def databases(directory):
    with fresh_database("postgresql", directory) as training, \
            fresh_database("postgresql", directory) as matching:
        yield {"training": training, "matching": matching}


def admitted(participant_id):
    return dict(participant_id=participant_id, target_group="detainee-last-phase",
                municipality="0505", expected_release_date=str(TODAY + timedelta(days=90)),
                language_level="B1", occupations=["office-cleaner"], skills=["teamwork"],
                preferred_sectors=["cleaning"])


def consent_withdrawn(participant_id, purpose):
    return dict(participant_id=participant_id, purpose=purpose,
                withdrawn_at=datetime.now(timezone.utc).isoformat())


QUEUES = ("training.on_intake_fact", "matching.follow_intake", "matching.follow_training")


def settled(channel):
    return drained(channel, *QUEUES)


@pytest.fixture(scope="module")
def chain(amqp_uri, databases, directory, channel):
    """Two instances each of training and matching, started on a backlog."""
    def start():
        return (instances("training", 2, amqp_uri, databases["training"], directory / "t",
                          TRAINING_DEMAND="cleaning-diploma", **CONFIG),
                instances("matching", 2, amqp_uri, databases["matching"], directory / "m",
                          **CONFIG))
    # Once, so that their queues exist; then the backlog builds while they are away.
    training, matching = start()
    with training, matching:
        pass
    return start


def test_a_backlog_of_back_to_back_facts_is_applied_as_if_one_by_one_in_order(
        chain, channel, producers, databases):
    intake = Relay(producers)
    people = {name: [str(uuid.uuid4()) for _ in range(PER_SCENARIO)]
              for name in ("withdrawn", "erased", "moved", "admitted")}
    last_release = {}
    for number in range(PER_SCENARIO):
        person = people["withdrawn"][number]
        intake.publish("intake", "participant.admitted", **admitted(person))
        intake.publish("intake", "participant.withdrawn", participant_id=person,
                       reason="recalled-to-custody", withdrawn_on=str(TODAY))
        person = people["erased"][number]
        intake.publish("intake", "participant.admitted", **admitted(person))
        for purpose in ("training", "matching"):
            intake.publish("intake", "participant.consent_withdrawn",
                           **consent_withdrawn(person, purpose))
        person = people["moved"][number]
        intake.publish("intake", "participant.admitted", **admitted(person))
        release = TODAY + timedelta(days=90)
        for days in (30, 60, 45):
            moved = TODAY + timedelta(days=90 + days)
            intake.publish("intake", "participant.release_date_changed", participant_id=person,
                           expected_release_date=str(moved), previous_release_date=str(release))
            release = moved
        last_release[person] = release
        intake.publish("intake", "participant.admitted", **admitted(people["admitted"][number]))

    training, matching = chain()
    with training as training_instances, matching as matching_instances:
        wait_until(settled(channel))
        held = sum(_held(instance) for instance in training_instances + matching_instances)

    programmes = dict((p, (s, r)) for p, s, r in rows(
        databases["training"], "SELECT participant_id, status, release_date FROM programmes"))
    waiting = [p for (p,) in rows(databases["training"],
                                  "SELECT participant_id FROM waiting_list ORDER BY seq")]
    candidates = dict(rows(databases["matching"],
                           "SELECT participant_id, expected_release_date FROM candidates"))

    assert {programmes[p][0] for p in people["withdrawn"]} == {"ENDED"}
    assert not set(people["erased"]) & set(programmes)
    assert {programmes[p][0] for p in people["moved"] + people["admitted"]} == {"ACTIVE"}
    assert {p: programmes[p][1] for p in people["moved"]} == last_release
    assert sorted(waiting) == sorted(people["moved"] + people["admitted"])

    assert set(candidates) == set(people["moved"] + people["admitted"])
    assert {p: candidates[p] for p in people["moved"]} == last_release

    dropped = rows(databases["training"], "SELECT subject FROM outbox "
                                          "WHERE event_type = 'training.dropped_out'")
    assert sorted(subject for (subject,) in dropped) == sorted(people["withdrawn"])
    assert queue_depth(channel, "training.dlq", "matching.dlq") == 0
    print(f"{held} facts were held back for their turn")


def test_a_retried_fact_keeps_its_successor_waiting(chain, channel, producers, databases):
    """A certificate about someone matching does not know yet fails and is retried; the
    drop-out training recorded after it waits, although it could be applied at once."""
    intake, person = Relay(producers), str(uuid.uuid4())
    training, matching = chain()
    with training, matching:
        _certificate_then_drop_out(intake, person)
        time.sleep(1.0)
        intake.publish("intake", "participant.admitted", **admitted(person))
        wait_until(settled(channel))
    assert _candidate(databases, person) == [("DROPPED_OUT", ["cleaning-diploma"])]
    assert queue_depth(channel, "matching.dlq") == 0


def test_a_parked_fact_replayed_from_the_dead_letter_queue_comes_before_its_successor(
        chain, channel, producers, databases, amqp_uri, directory):
    """The certificate is parked (its candidate never came), its successor after waiting
    too; once the admission has come, `doorstroom dlq replay` applies both, in order."""
    intake, person = Relay(producers), str(uuid.uuid4())
    training, matching = chain()
    with training, matching:
        _certificate_then_drop_out(intake, person)
        wait_until(lambda: queue_depth(channel, "matching.dlq") == 2,
                   timeout=CONFIG["EVENT_HOLD_MAX_SECONDS"] + 30, quiet=0.5)
        intake.publish("intake", "participant.admitted", **admitted(person))
        wait_until(settled(channel))
        replay = subprocess.run(
            [sys.executable, "-m", "doorstroom.cli", "dlq", "replay", "matching"],
            env={**os.environ, "AMQP_URI": amqp_uri}, capture_output=True, text=True, timeout=60)
        assert replay.returncode == 0, replay.stderr
        wait_until(settled(channel))
    assert _candidate(databases, person) == [("DROPPED_OUT", ["cleaning-diploma"])]
    assert queue_depth(channel, "matching.dlq") == 0


def test_an_operator_moves_past_a_fact_that_never_comes(chain, channel, producers, databases,
                                                        amqp_uri):
    """Training's number 1 about someone never reaches matching (purged, say): number 2 waits
    in vain and is parked; `doorstroom dlq replay --skip-gaps` applies it."""
    relay, person = Relay(producers), str(uuid.uuid4())
    training, matching = chain()
    with training, matching:
        relay.publish("intake", "participant.admitted", **admitted(person))
        wait_until(lambda: _candidate(databases, person), quiet=0)
        relay.numbers[("training", person)] = 1
        relay.publish("training", "training.dropped_out", participant_id=person,
                      programme_id=str(uuid.uuid4()), reason="motivation")
        wait_until(lambda: queue_depth(channel, "matching.dlq") == 1,
                   timeout=CONFIG["EVENT_HOLD_MAX_SECONDS"] + 30, quiet=0.5)
        replay = subprocess.run(
            [sys.executable, "-m", "doorstroom.cli", "dlq", "replay", "matching", "--skip-gaps"],
            env={**os.environ, "AMQP_URI": amqp_uri}, capture_output=True, text=True, timeout=60)
        assert replay.returncode == 0, replay.stderr
        wait_until(settled(channel))
    assert _candidate(databases, person) == [("DROPPED_OUT", [])]
    assert queue_depth(channel, "matching.dlq") == 0


def _certificate_then_drop_out(intake, person):
    programme = str(uuid.uuid4())
    intake.publish("training", "training.certificate_awarded", participant_id=person,
                   programme_id=programme, certificate_id=str(uuid.uuid4()), number="DS-1",
                   certificate="cleaning-diploma", module="cleaning", issuer="Drechtwerk",
                   issued_on=str(TODAY), expires_on=None)
    intake.publish("training", "training.dropped_out", participant_id=person,
                   programme_id=programme, reason="motivation")


def _candidate(databases, person):
    return [(status, json.loads(certificates) if isinstance(certificates, str) else certificates)
            for status, certificates in rows(
                databases["matching"],
                f"SELECT status, certificates FROM candidates WHERE participant_id = '{person}'")]


def _held(instance):
    metrics = requests.get(f"{instance.url}/metrics", timeout=5).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
               if line.startswith("doorstroom_events_held_total{"))
