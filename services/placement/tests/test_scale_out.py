"""Placement with two instances on one PostgreSQL database: the scheduled milestone check run
by both at once, and coaches changing one placement at once."""
import uuid
from collections import Counter
from datetime import date

import eventlet
import pytest
from sqlalchemy import select

from services.placement import handlers
from services.placement.domain import add_months
from services.placement.store import PlacementUnitOfWork
from shared import migrations
from shared.events import new_event
from shared.store import make_engine, session_factory
from tests.databases import fresh_database

TODAY = date.today()
STARTED_ON = add_months(TODAY, -7)
PLACEMENTS = 40


@pytest.fixture(scope="module")
def database(directory):
    """A placement database with PLACEMENTS placements started seven months ago."""
    with fresh_database("postgresql", directory) as url:
        migrations.upgrade("placement", url)
        start_placements(url, PLACEMENTS)
        yield url


def start_placements(url, count):
    """`count` placements started seven months ago, by their ids."""
    engine = make_engine(url)
    uow = PlacementUnitOfWork(session_factory(engine))
    started = []
    for _ in range(count):
        match_id = str(uuid.uuid4())
        handlers.plan_accepted_match(uow, new_event("matching", "match.accepted", {
            "match_id": match_id, "vacancy_id": str(uuid.uuid4()),
            "employer_id": str(uuid.uuid4()), "participant_id": str(uuid.uuid4()),
            "occupation": "office-cleaner", "hours_per_week": 32,
            "start_date": str(STARTED_ON)}))
        with uow:
            placement_id = uow.placements.for_match(match_id).id
        handlers.start_placement(uow, placement_id, started_on=STARTED_ON,
                                 contract_type="paid-temporary", hours_per_week=32,
                                 hourly_wage_cents=1525, job_coach="Team Drechtwerk")
        started.append(placement_id)
    engine.dispose()
    return started


def test_two_milestone_checks_at_once_record_each_once(database):
    """Two instances run the scheduled check at the same moment, round after round, as the
    months pass: each placement's milestones at 1, 3 and 6 months are recorded once, and it
    becomes sustained once."""
    engines = [make_engine(database) for _ in range(2)]
    checkers = [PlacementUnitOfWork(session_factory(e)) for e in engines]
    rounds = [add_months(STARTED_ON, 1), add_months(STARTED_ON, 3), TODAY, TODAY]
    recorded = []
    for today in rounds:
        checks = [eventlet.spawn(handlers.record_milestones, uow, today=today)
                  for uow in checkers]
        recorded.append(sum(check.wait() for check in checks))

    outbox = PlacementUnitOfWork.outbox
    with engines[0].connect() as connection:
        envelopes = connection.execute(select(outbox.c.envelope)).scalars().all()
    for e in engines:
        e.dispose()
    milestones = Counter((e["data"]["placement_id"], e["data"]["months"]) for e in envelopes
                         if e["type"] == "placement.milestone_reached")
    sustained = Counter(e["data"]["placement_id"] for e in envelopes
                        if e["type"] == "placement.sustained")
    placements = {e["data"]["placement_id"] for e in envelopes if e["type"] == "placement.started"}
    assert len(placements) == PLACEMENTS
    assert recorded == [PLACEMENTS, PLACEMENTS, PLACEMENTS, 0]
    assert milestones == Counter({(p, m): 1 for p in placements for m in (1, 3, 6)})
    assert sustained == Counter({p: 1 for p in placements})


def test_concurrent_check_ins_on_one_placement_are_all_kept(database):
    """Coaches of two instances record check-ins on one placement at the same moment: each
    change waits for the one before, so none is lost and the risk is raised once."""
    engines = [make_engine(database) for _ in range(2)]
    # A unit of work per request, as nameko gives each worker its own.
    coaches = [PlacementUnitOfWork(session_factory(engines[n % 2])) for n in range(20)]
    with coaches[0] as uow:
        placement_id = uow.placements.list(limit=1)[0].id
    check_ins = [eventlet.spawn(handlers.check_in, coaches[n], placement_id, held_on=TODAY,
                                coach=f"coach {n}", notes="", risk="at-risk")
                 for n in range(20)]
    for check_in in check_ins:
        check_in.wait()
    with coaches[0] as uow:
        kept = {c.coach for c in uow.placements.get(placement_id).check_ins}
        raised = [e for e in uow.published_facts(subject=uow.placements.get(placement_id)
                                                 .participant_id)
                  if e["type"] == "placement.risk_raised"]
    for e in engines:
        e.dispose()
    assert kept == {f"coach {n}" for n in range(20)}
    assert len(raised) == 1


def test_start_corrections_during_the_milestone_check_leave_each_milestone_told_once(database):
    """Coaches on one instance move starts to two months ago while the other instance runs the
    scheduled check: whichever goes first, each placement holds the first milestone only, it
    is published once, and what was published beyond it the corrections withdrew."""
    placements = start_placements(database, 10)
    engines = [make_engine(database) for _ in range(2)]
    checker = PlacementUnitOfWork(session_factory(engines[0]))
    coaches = [PlacementUnitOfWork(session_factory(engines[1])) for _ in placements]
    two_months_ago = add_months(TODAY, -2)
    work = [eventlet.spawn(handlers.record_milestones, checker, today=TODAY)]
    work += [eventlet.spawn(handlers.correct_start, coach, placement_id, two_months_ago,
                            "entry-error", "coach")
             for coach, placement_id in zip(coaches, placements)]
    for done in work:
        done.wait()

    outbox = PlacementUnitOfWork.outbox
    with engines[0].connect() as connection:
        envelopes = [e for e in connection.execute(select(outbox.c.envelope)).scalars()
                     if e["data"].get("placement_id") in placements]
    with checker as uow:
        held = {p: tuple(uow.placements.get(p).milestones) for p in placements}
    for e in engines:
        e.dispose()
    told = Counter((e["data"]["placement_id"], e["data"]["months"]) for e in envelopes
                   if e["type"] == "placement.milestone_reached")
    withdrawn = Counter((e["data"]["placement_id"], m) for e in envelopes
                        if e["type"] == "placement.start_corrected"
                        for m in e["data"]["milestones_withdrawn"])
    assert held == {p: (1,) for p in placements}
    assert all(told[(p, 1)] == 1 for p in placements)
    assert told - withdrawn == Counter({(p, 1): 1 for p in placements})
