"""Aggregates that record what happened to them: a domain entity says which facts its change
made (shared/contracts Fact), and the unit of work that holds it publishes them when it commits,
in the order they were recorded (shared/store.py UnitOfWork.commit), as cosmic_python's
`Product.events`."""


class Aggregate:
    def record(self, fact):
        # Kept beside the mapped attributes: an entity loaded from its table has no list yet.
        self.__dict__.setdefault("_facts", []).append(fact)

    def take_facts(self):
        """The facts recorded since they were last taken, once."""
        return self.__dict__.pop("_facts", [])
