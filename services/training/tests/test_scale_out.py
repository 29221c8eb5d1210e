"""Training's invariants held by the database, with two instances on PostgreSQL taking one
backlog with the production worker count: places never over capacity, each waiting-list
position given once, one programme per participant."""
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
import requests

from tests.databases import fresh_database
from tests.harness import Relay
from tests.instances import drained, instances, rows, wait_until

pytestmark = pytest.mark.e2e

TODAY = date.today()
TRAINER = {"Authorization": "Bearer test-key-trainer"}


@pytest.fixture
def database(directory):
    with fresh_database("postgresql", directory) as url:
        yield url


def admitted(participant_id):
    return dict(participant_id=participant_id, target_group="detainee-last-phase",
                municipality="0505", expected_release_date=str(TODAY + timedelta(days=90)),
                language_level="B1", preferred_sectors=["cleaning"])


def take_backlog(amqp_uri, database, directory, channel, producers, publish,
                 before=lambda url: None):
    """Start two instances once (their queues), build the backlog while they are away, then
    let both take it."""
    with instances("training", 2, amqp_uri, database, directory) as started:
        before(started[0].url)
    publish(Relay(producers))
    with instances("training", 2, amqp_uri, database, directory):
        wait_until(drained(channel, "training.on_intake_fact"))


def waitlisted_positions(database):
    return [position for (position,) in rows(
        database, "SELECT envelope->'data'->>'position' FROM outbox "
                  "WHERE event_type = 'training.waitlisted'")]


def test_concurrent_admissions_get_each_waiting_list_position_once(
        amqp_uri, database, directory, channel, producers):
    people = [str(uuid.uuid4()) for _ in range(60)]
    take_backlog(amqp_uri, database, directory, channel, producers, lambda relay: [
        relay.publish("intake", "participant.admitted", **admitted(p)) for p in people])
    assert sorted(int(p) for p in waitlisted_positions(database)) == list(range(1, 61))
    assert sorted(p for (p,) in rows(database, "SELECT participant_id FROM waiting_list")) \
        == sorted(people)


def test_concurrent_admissions_never_fill_a_cohort_over_its_places(
        amqp_uri, database, directory, channel, producers):
    people = [str(uuid.uuid4()) for _ in range(40)]

    def plan_cohort(url):
        response = requests.post(f"{url}/cohorts", headers=TRAINER, timeout=10, json={
            "module": "employee-skills", "starts_on": str(TODAY + timedelta(days=7)),
            "ends_on": str(TODAY + timedelta(days=35)), "places": 7, "trainer": "Anna de Vries"})
        assert response.status_code == 201, response.text
    take_backlog(amqp_uri, database, directory, channel, producers, lambda relay: [
        relay.publish("intake", "participant.admitted", **admitted(p)) for p in people],
        before=plan_cohort)
    [(members,)] = rows(database, "SELECT members FROM cohorts")
    enrolled = [s for (s,) in rows(database, "SELECT subject FROM outbox "
                                             "WHERE event_type = 'training.enrolled'")]
    assert len(members) == 7 and sorted(enrolled) == sorted(members)
    assert sorted(int(p) for p in waitlisted_positions(database)) == list(range(1, 34))


def test_one_programme_per_participant_however_often_and_however_it_is_admitted(
        amqp_uri, database, directory, channel, producers):
    """Facts from a producer that numbers nothing (an earlier release) are not ordered: the
    unique participant in programmes keeps one programme, whatever the race."""
    people = [str(uuid.uuid4()) for _ in range(20)]

    def publish(relay):
        for _ in range(3):
            for person in people:
                relay.publish("intake", "participant.admitted", numbered=False,
                              **admitted(person))
    take_backlog(amqp_uri, database, directory, channel, producers, publish)
    counted = Counter(p for (p,) in rows(database, "SELECT participant_id FROM programmes"))
    assert counted == Counter({person: 1 for person in people})
    assert Counter(p for (p,) in rows(database, "SELECT participant_id FROM waiting_list")) \
        == counted
