"""Intake's audit log on PostgreSQL under concurrent reads: many identity reads at once
(allowed, refused and not found) over the real HTTP API, on two instances with the production
worker count each (production runs one; a second makes appends race across processes too),
leave one unbroken chain with an entry for each."""
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from services.intake.tests.test_api import registration, unique_bsn
from tests.databases import fresh_database
from tests.instances import instances, rows

pytestmark = pytest.mark.e2e

READERS = {"pi-case-manager": 200, "trainer": 403, "pi-privacy-officer": 403}


@pytest.fixture
def database(directory):
    with fresh_database("postgresql", directory) as url:
        yield url


def key(role):
    return {"Authorization": f"Bearer test-key-{role}"}


def test_concurrent_reads_leave_one_unbroken_chain(amqp_uri, database, directory):
    with instances("intake", 2, amqp_uri, database, directory) as started:
        urls = [instance.url for instance in started]
        participants = [requests.post(f"{urls[0]}/participants", json=registration(unique_bsn()),
                                      headers=key("pi-case-manager"), timeout=30).json()["id"]
                        for _ in range(8)]
        unknown = str(uuid.uuid4())
        asks = [(participant, role) for participant in participants + [unknown]
                for role in READERS for _ in range(8)]

        def ask(numbered):
            number, (participant, role) = numbered
            return requests.get(f"{urls[number % 2]}/participants/{participant}/identity",
                                headers=key(role), timeout=30).status_code

        with ThreadPoolExecutor(24) as pool:
            answers = list(pool.map(ask, enumerate(asks)))
        check = requests.get(f"{urls[1]}/audit/verify", headers=key("pi-privacy-officer"),
                             timeout=30).json()
    expected = [404 if participant == unknown and role == "pi-case-manager" else READERS[role]
                for participant, role in asks]
    assert answers == expected
    assert check["intact"] and check["entries"] == len(asks), check
    assert [position for (position,) in rows(
        database, "SELECT position FROM audit_entries ORDER BY position")] == list(
        range(1, len(asks) + 1))
    assert Counter(outcome for (outcome,) in rows(
        database, "SELECT outcome FROM audit_entries")) == Counter(
        {"allowed": 64, "refused": 144, "not-found": 8})
