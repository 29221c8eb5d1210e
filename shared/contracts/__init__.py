"""The published event contracts of the chain: one marshmallow schema per event type.

Producers validate their own output strictly; consumers load tolerantly (unknown fields are
ignored, unknown codes of open vocabularies kept), so adding an optional field or a code to an
open vocabulary is a compatible change. Any other change is a new type (e.g.
`participant.admitted.v2`) published beside the old one until every consumer has upgraded
(docs/events.md#versioning).
"""
import dataclasses
import itertools
import uuid
from dataclasses import dataclass
from typing import ClassVar

from marshmallow import missing

_CONTRACTS = {}


@dataclass(frozen=True)
class Contract:
    type: str
    producer: str
    version: int
    schema: type
    # Ordered facts carry a per-participant `sequence`, and consumers apply them in that order
    # (docs/ordering.md).
    ordered: bool = False
    # The fact type its producer's domain records (Fact).
    fact: type = None

    @property
    def dataschema(self):
        return f"urn:doorstroom:{self.producer}:{self.type}:v{self.version}"


# The order facts are recorded in, across the aggregates of one transaction.
_recorded = itertools.count()


class Fact:
    """Something that happened, as the producer's domain says it: a frozen dataclass with the
    fields of its contract's schema, made by `event_contract`. An aggregate records it
    (shared/aggregate.py); its unit of work publishes it when it commits, checked against the
    schema as every fact is (shared/events.py new_event)."""
    type: ClassVar[str]
    # The field that names what the fact is about (its CloudEvents subject), if any.
    subject_field: ClassVar[str | None]
    _optional: ClassVar[frozenset]

    def __post_init__(self):
        # Its id from the moment it happened, which the domain may keep (a withdrawn consent
        # keeps the id of the fact that announced it); the published fact has it as its `id`.
        object.__setattr__(self, "fact_id", str(uuid.uuid4()))
        object.__setattr__(self, "_order", next(_recorded))

    @property
    def subject(self):
        return getattr(self, self.subject_field) if self.subject_field else None

    def data(self):
        """The fact's payload: every field, but an optional one that was not given."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if not (f.name in self._optional and getattr(self, f.name) is None)}


def event_contract(event_type, producer, version=1, ordered=False, subject="participant_id"):
    """Register `schema` as the published contract of `event_type`, and give back the fact
    type made from it (Fact), by the schema's name: its domain records
    `PlacementStarted(placement_id=..., ...)`. `subject` is the field that names what the
    fact is about, where the schema has it."""
    def register(schema):
        if event_type in _CONTRACTS:
            raise ValueError(f"{event_type} is registered twice")
        fact = _fact_type(schema, event_type, subject)
        _CONTRACTS[event_type] = Contract(event_type, producer, version, schema, ordered, fact)
        return fact
    return register


def _fact_type(schema, event_type, subject):
    declared = schema._declared_fields
    required = [(name, object) for name, field in declared.items() if field.required]
    optional = [(name, object, _default(field)) for name, field in declared.items()
                if not field.required]
    fact = dataclasses.make_dataclass(
        schema.__name__, required + optional, bases=(Fact,), frozen=True, kw_only=True,
        namespace={"type": event_type, "subject_field": subject if subject in declared else None,
                   "_optional": frozenset(name for name, field in declared.items()
                                          if not field.required and field.load_default is missing),
                   "__doc__": schema.__doc__, "__module__": schema.__module__})
    return fact


def _default(field):
    """An optional field's default: the schema's, or None for one that is left out."""
    if field.load_default is missing:
        return dataclasses.field(default=None)
    if callable(field.load_default):
        return dataclasses.field(default_factory=field.load_default)
    return dataclasses.field(default=field.load_default)


def contract_for(event_type):
    _load_all()
    return _CONTRACTS[event_type]


def ordered_types(producer):
    """The producer's facts that consumers apply in order per subject: who follows one of them
    follows them all, or a gap in the sequence could never be told from a fact still on its
    way."""
    return frozenset(t for t, c in all_contracts().items() if c.producer == producer and c.ordered)


def all_contracts():
    _load_all()
    return dict(_CONTRACTS)


def _load_all():
    # Importing the modules registers their contracts.
    from shared.contracts import (erasure, intake, matching, notifications,  # noqa: F401
                                  placement, training)
