"""A unit of work in memory, for testing a service's entrypoints and use cases without a
database: put it in place of the service's `uow` provider with
nameko.testing.services.worker_factory (services/training/tests/test_providers.py)."""
from contextlib import contextmanager

from shared.store import AlreadyHandled, EarlyFact


class FakeUnitOfWork:
    """Keeps what the use cases committed: the facts recorded, the facts handled, and each
    producer's place in its sequence about a subject. What a transaction did without
    committing is forgotten as it ends, as a database's rollback forgets it. A service's test
    gives it the repositories its use cases open."""

    def __init__(self):
        self.recorded, self.handled, self.applied = [], set(), {}
        self.commits = 0

    def __enter__(self):
        self._recorded, self._handled, self._applied = [], set(), {}
        return self

    def __exit__(self, *exc):
        self._recorded, self._handled, self._applied = [], set(), {}

    def commit(self):
        self.recorded += self._recorded
        self.handled |= self._handled
        self.applied.update(self._applied)
        self.commits += 1

    def record(self, event_type, data, subject=None):
        self._recorded.append((event_type, data, subject))

    def handle_once(self, fact):
        if fact.key in self.handled | self._handled:
            raise AlreadyHandled(fact.key)
        self._handled.add(fact.key)

    def take_turn(self, fact):
        if fact.sequence is None or fact.subject is None:
            return
        stream = (fact.source, fact.subject)
        applied = self._applied.get(stream, self.applied.get(stream, 0))
        if fact.sequence <= applied:
            raise AlreadyHandled(fact.key)
        if fact.sequence > applied + 1:
            raise EarlyFact(f"number {applied + 1} of {fact.subject} is not applied yet")
        self._applied[stream] = fact.sequence

    @contextmanager
    def lease(self, name):
        yield True  # one instance: it always holds the lease

    def warnings(self, today):
        return []
