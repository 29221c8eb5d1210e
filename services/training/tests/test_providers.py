"""Training's entrypoints with its providers replaced (nameko's worker_factory): an in-memory
unit of work, no database, no relay."""
import uuid
from datetime import timedelta

import pytest
from nameko.containers import ServiceContainer
from nameko.testing.services import worker_factory

from services.training.service import TrainingService
from shared import clock
from shared.events import new_event, read_event
from shared.store import EarlyFact
from shared.testing import FakeUnitOfWork

VACANCY, EMPLOYER = str(uuid.uuid4()), str(uuid.uuid4())


class FakeDemand:
    """What each vacancy asks for, by id."""

    def __init__(self):
        self.vacancies = {}

    def vacancy(self, vacancy_id, sector=None, certificates=(), open=True):
        if sector is None:  # closed: what it asked for stays, and counts no longer
            sector, certificates, _ = self.vacancies[vacancy_id]
        self.vacancies[vacancy_id] = (sector, sorted(certificates), open)


class FakeTrainingUnitOfWork(FakeUnitOfWork):
    def __init__(self):
        super().__init__()
        self.demand = FakeDemand()


def vacancy_fact(event_type, sequence, **data):
    fact = new_event("matching", event_type, {"vacancy_id": VACANCY, "employer_id": EMPLOYER,
                                              **data}, subject=VACANCY, sequence=sequence)
    return read_event(fact.to_json(), event_type)


PUBLISHED = {"occupation": "forklift-driver", "sector": "logistics",
             "required_certificates": ["forklift"], "municipality": "0505", "hours_per_week": 32,
             "start_date": str(clock.today() + timedelta(days=30)), "positions": 1}


def test_a_vacancy_fact_changes_demand_once_and_in_order_without_a_database():
    uow = FakeTrainingUnitOfWork()
    service = worker_factory(TrainingService, uow=uow)
    first = vacancy_fact("vacancy.published", 1, **PUBLISHED)
    changed = {**PUBLISHED, "required_certificates": ["forklift", "bhv"]}
    service.follow_vacancies(first)
    service.follow_vacancies(first)  # redelivered: handled already
    assert uow.demand.vacancies == {VACANCY: ("logistics", ["forklift"], True)}
    closed = vacancy_fact("vacancy.closed", 3, reason="other")
    with pytest.raises(EarlyFact):  # number 2 is not applied yet
        service.follow_vacancies(closed)
    service.follow_vacancies(vacancy_fact("vacancy.changed", 2, **changed))
    service.follow_vacancies(closed)
    assert uow.demand.vacancies == {VACANCY: ("logistics", ["bhv", "forklift"], False)}
    assert uow.commits == 3 and len(uow.handled) == 3 and uow.recorded == []
    # The relay is a provider of its own: replaced here, nothing was published.
    assert not service.relay.mock_calls


def test_the_unit_of_work_and_the_relay_share_one_database():
    """One engine per service container, whatever number of providers use it."""
    container = ServiceContainer(TrainingService, {"AMQP_URI": "memory://"})
    providers = {dependency.attr_name: dependency for dependency in container.dependencies}
    assert providers["uow"].database is providers["relay"].database
