"""Matching's invariants held by the database on PostgreSQL: with two instances ranking at once
(a backlog of candidates while the desk publishes vacancies on both), one pending proposal per
candidate, never one candidate twice for a vacancy, never more pending proposals than a vacancy
has positions; and an answer that races the expiry timer or a ranking leaves one outcome."""
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

import eventlet
import eventlet.event
import pytest
import requests

from services.matching import handlers
from services.matching.store import MatchingSettings, MatchingUnitOfWork, Proposals, Vacancies
from shared import migrations
from shared.errors import Conflict
from shared.events import new_event
from shared.store import make_engine, session_factory
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
        "municipality": "0505", "hours_per_week": 24, "positions": POSITIONS,
        "start_date": str(TODAY + timedelta(days=40)), "required_certificates": []})


def test_concurrent_rankings_keep_one_pending_proposal_per_candidate(
        amqp_uri, database, directory, channel, producers):
    with instances("matching", 2, amqp_uri, database, directory) as started:
        employer = post(started[0].url, "/employers", {
            "name": "Schoon BV", "sector": "cleaning", "municipality": "0505",
            "contact_name": "Petra", "contact_email": "petra@schoon.example.org",
            "social_return": True}).json()["id"]
        for _ in range(5):
            assert publish_vacancy(started[0].url, employer).status_code == 201
    relay = Relay(producers)
    people = [str(uuid.uuid4()) for _ in range(40)]
    for person in people:
        relay.publish("intake", "participant.admitted", participant_id=person,
                      target_group="detainee-last-phase", municipality="0505",
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


# --- an answer racing the timer and the ranking, with the interleaving forced ----------------

@pytest.fixture
def desk(directory):
    """Units of work on a fresh PostgreSQL matching database, one per caller, and a vacancy
    with one position for which one candidate has been proposed."""
    with fresh_database("postgresql", directory) as url:
        engine = make_engine(url)
        migrations.upgrade("matching", url)

        def uow():
            return MatchingUnitOfWork(session_factory(engine), settings=MatchingSettings())
        employer = handlers.register_employer(
            uow(), name="Schoon BV", sector="cleaning", municipality="0505",
            contact_name="Petra", contact_email="petra@schoon.example.org", social_return=True)
        vacancy = handlers.publish_vacancy(
            uow(), employer.id, occupation="office-cleaner", sector="cleaning",
            municipality="0505", postcode=None, hours_per_week=24, positions=1,
            start_date=TODAY + timedelta(days=40))
        first = admit(uow)
        yield uow, url, vacancy, _proposal_of(url, first)
        engine.dispose()


def admit(uow):
    person = str(uuid.uuid4())
    admitted = handlers.FOLLOWS["intake"]["participant.admitted"]
    admitted(uow(), new_event("intake", "participant.admitted", dict(
        participant_id=person, target_group="detainee-last-phase", municipality="0505",
        expected_release_date=str(TODAY + timedelta(days=20)), language_level="B1",
        occupations=["office-cleaner"], preferred_sectors=["cleaning"]),
        subject=person, sequence=1))
    return person


def _proposal_of(url, person):
    [(proposal,)] = rows(url, f"SELECT id FROM proposals WHERE participant_id = '{person}'")
    return proposal


def pausing(monkeypatch, cls, name):
    """Make the first call of `cls.name` pause for a moment after its work, so that a
    concurrent caller gets in between; returns the event sent when the pause begins."""
    original, paused = getattr(cls, name), eventlet.event.Event()

    def slowed(*args, **kwargs):
        result = original(*args, **kwargs)
        if not paused.ready():
            paused.send()
            eventlet.sleep(0.5)
        return result
    monkeypatch.setattr(cls, name, slowed)
    return paused


def test_a_proposal_accepted_while_it_lapses_is_either_accepted_or_expired(desk, monkeypatch):
    uow, url, _, proposal = desk
    handlers.respond_to_proposal(uow(), proposal, "employer", "accept")
    loaded = pausing(monkeypatch, Proposals, "due")
    housekeeping = eventlet.spawn(handlers.expire_due_proposals, uow(),
                                  now=datetime.now(timezone.utc) + timedelta(days=15))
    loaded.wait()
    answer = eventlet.spawn(handlers.respond_to_proposal, uow(), proposal, "candidate", "accept")
    housekeeping.wait()
    try:
        answer.wait()
    except Conflict:
        pass  # it had lapsed: the candidate's yes came too late
    facts = [t for (t,) in rows(url, "SELECT event_type FROM outbox WHERE envelope->'data'"
                                     f"->>'match_id' = '{proposal}' ORDER BY seq")]
    assert facts in (["match.proposed", "match.accepted"], ["match.proposed", "match.expired"])


def test_a_vacancy_filled_while_a_candidate_is_ranked_gets_no_new_proposal(desk, monkeypatch):
    uow, url, vacancy, proposal = desk
    handlers.respond_to_proposal(uow(), proposal, "employer", "accept")
    # The ranking has read the vacancy, still open, when the last position is taken.
    ranking = pausing(monkeypatch, Vacancies, "get")
    late = eventlet.spawn(admit, uow)
    ranking.wait()
    handlers.respond_to_proposal(uow(), proposal, "candidate", "accept")
    late.wait()
    assert rows(url, f"SELECT status, accepted FROM vacancies WHERE id = '{vacancy.id}'") \
        == [("FILLED", 1)]
    assert rows(url, "SELECT count(*) FROM proposals WHERE status = 'PROPOSED'") == [(0,)]
