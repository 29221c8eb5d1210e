"""Typed facts: each contract's schema gives the fact type its producer's domain records, and the
unit of work publishes what its aggregates recorded when it commits, in the order they were
recorded."""
import gc
import uuid
from types import SimpleNamespace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services.placement.domain import Placement
from services.placement.store import PlacementUnitOfWork, metadata
from shared.contracts import Fact, all_contracts
from shared.contracts.placement import PlacementPlanned
from shared.store import make_engine, session_factory

TODAY = date.today()


def test_every_contract_gives_a_fact_type_with_the_fields_of_its_schema():
    for event_type, contract in all_contracts().items():
        fact = contract.fact
        assert issubclass(fact, Fact) and fact.type == event_type, event_type
        assert fact.__name__ == contract.schema.__name__
        assert set(fact.__dataclass_fields__) == set(contract.schema._declared_fields), event_type
    assert all_contracts()["placement.planned"].fact is PlacementPlanned


def test_a_fact_says_only_what_it_was_given_of_its_optional_fields():
    ids = {name: str(uuid.uuid4()) for name in ("placement_id", "participant_id", "employer_id",
                                                "match_id", "vacancy_id")}
    planned = PlacementPlanned(**ids, occupation="cook", start_date=TODAY, hours_per_week=32)
    assert planned.subject == ids["participant_id"]
    assert planned.data() == {**ids, "occupation": "cook", "start_date": TODAY,
                              "hours_per_week": 32}
    with pytest.raises(TypeError):
        PlacementPlanned(**ids, occupation="cook", start_date=TODAY)  # hours_per_week missing


@pytest.fixture
def uow(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'placement.db'}")
    metadata.create_all(engine)
    yield PlacementUnitOfWork(session_factory(engine))
    engine.dispose()


def plan(uow):
    with uow:
        placement = Placement.plan(str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()),
                                   str(uuid.uuid4()), "cook", TODAY, 32)
        uow.placements.add(placement)
        uow.commit()
    return placement.id


def test_facts_aggregates_record_are_published_in_the_order_recorded(uow):
    first, second = plan(uow), plan(uow)
    started_on = TODAY - timedelta(days=3)
    with uow:
        a, b = uow.placements.get(first), uow.placements.get(second)
        terms = dict(contract_type="work-trial", hours_per_week=32, hourly_wage_cents=1500,
                     job_coach="Joke", started_on=started_on, today=TODAY,
                     minimum_wage=uow.minimum_wage)
        b.start(**terms)
        a.start(**terms)
        b.end("resigned", TODAY, today=TODAY)
        uow.commit()
    with uow:
        outbox = uow.session.execute(select(uow.outbox).order_by(uow.outbox.c.seq)).all()
    published = [(row.envelope["type"], row.envelope["data"]["placement_id"])
                 for row in outbox][2:]
    assert published == [("placement.started", second), ("placement.terms_agreed", second),
                         ("placement.started", first), ("placement.terms_agreed", first),
                         ("placement.ended", second)]


def test_facts_of_a_transaction_that_does_not_commit_are_not_published(uow):
    placement_id = plan(uow)
    with uow:
        uow.placements.get(placement_id).end("resigned", TODAY, today=TODAY)
    with uow:
        types = [row.event_type for row in uow.session.execute(select(uow.outbox))]
    assert types == ["placement.planned"]


def test_facts_of_an_aggregate_let_go_of_are_published(uow):
    """A flush after the change leaves the session only a weak hold on the aggregate."""
    placements = [plan(uow), plan(uow)]
    with uow:
        for placement_id in placements:
            uow.placements.get(placement_id).end("resigned", TODAY, today=TODAY)
            uow.session.flush()
            gc.collect()
        uow.commit()
    with uow:
        ended = [row.envelope["data"]["placement_id"] for row in uow.session.execute(
            select(uow.outbox).where(uow.outbox.c.event_type == "placement.ended")
            .order_by(uow.outbox.c.seq))]
    assert ended == placements


def test_facts_of_an_aggregate_added_again_are_published(uow):
    placement = Placement.plan(str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4()),
                               str(uuid.uuid4()), "cook", TODAY, 32)
    with uow:
        uow.placements.add(placement)
        uow.commit()
    with uow:  # the placement, loaded by the transaction before, is added to this one
        uow.placements.add(placement)
        placement.end("resigned", TODAY, today=TODAY)
        uow.commit()
    assert published(uow) == ["placement.planned", "placement.ended"]


def test_facts_recorded_before_a_keyed_answer_commits_are_published(uow):
    placement_id = plan(uow)
    keyed = PlacementUnitOfWork(uow._sessions, request=SimpleNamespace(
        caller="a.coach", key="k1", fingerprint="f"))
    with keyed:
        placement = keyed.placements.get(placement_id)
        keyed.commit()  # held until the answer is known
        placement.end("resigned", TODAY, today=TODAY)
    keyed.commit_with_answer(200, "{}")
    assert published(uow) == ["placement.planned", "placement.ended"]


def published(uow):
    with uow:
        return [row.event_type for row in uow.session.execute(
            select(uow.outbox).order_by(uow.outbox.c.seq))]
