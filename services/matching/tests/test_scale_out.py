"""Matching's invariants held by the database, with two instances on PostgreSQL ranking at
once (a backlog of candidates while the desk publishes vacancies on both): one pending proposal
per candidate, never one candidate twice for a vacancy, never more pending proposals than a
vacancy has positions."""
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import requests

from tests.databases import fresh_database
from tests.harness import Relay
from tests.instances import drained, instances, rows, wait_until

pytestmark = pytest.mark.e2e

TODAY = date.today()
DESK = {"Authorization": "Bearer test-key-employer-desk"}
POSITIONS = 2


@pytest.fixture(scope="module")
def database(directory):
    with fresh_database("postgresql", directory) as url:
        yield url


def post(url, path, body):
    return requests.post(f"{url}{path}", headers=DESK, json=body, timeout=30)


def publish_vacancy(url, employer_id):
    return post(url, "/vacancies", {
        "employer_id": employer_id, "occupation": "office-cleaner", "sector": "cleaning",
        "municipality": "Dordrecht", "hours_per_week": 24, "positions": POSITIONS,
        "start_date": str(TODAY + timedelta(days=40)), "required_certificates": []})


def test_concurrent_rankings_keep_one_pending_proposal_per_candidate(
        amqp_uri, database, directory, channel):
    with instances("matching", 2, amqp_uri, database, directory) as started:
        employer = post(started[0].url, "/employers", {
            "name": "Schoon BV", "sector": "cleaning", "municipality": "Dordrecht",
            "contact_name": "Petra", "contact_email": "petra@schoon.example.org",
            "social_return": True}).json()["id"]
        for _ in range(5):
            assert publish_vacancy(started[0].url, employer).status_code == 201
    relay = Relay(channel)
    people = [str(uuid.uuid4()) for _ in range(40)]
    for person in people:
        relay.publish("intake", "participant.admitted", participant_id=person,
                      target_group="detainee-last-phase", municipality="Dordrecht",
                      expected_release_date=str(TODAY + timedelta(days=20)),
                      language_level="B1", occupations=["office-cleaner"],
                      preferred_sectors=["cleaning"])

    with instances("matching", 2, amqp_uri, database, directory) as started:
        # The desk publishes more vacancies on both instances while the backlog is ranked.
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda n: publish_vacancy(started[n % 2].url, employer),
                                    range(10)))
        assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
        wait_until(drained(channel, "matching.follow_intake"))

    proposals = rows(database, "SELECT vacancy_id, participant_id, status FROM proposals")
    pending = [(v, p) for v, p, status in proposals if status == "PROPOSED"]
    assert max(Counter(p for _, p in pending).values()) == 1
    assert max(Counter((v, p) for v, p, _ in proposals).values()) == 1
    assert max(Counter(v for v, _ in pending).values()) <= POSITIONS
    # 15 vacancies of 2 positions for 40 candidates: every position is offered.
    assert len(pending) == 15 * POSITIONS
