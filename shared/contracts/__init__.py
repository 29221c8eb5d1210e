"""The published event contracts of the chain: one marshmallow schema per event type.

Producers validate their own output strictly; consumers load tolerantly (unknown fields are
ignored, unknown codes of open vocabularies kept), so adding an optional field or a code to an
open vocabulary is a compatible change. Any other change is a new type (e.g.
`participant.admitted.v2`) published beside the old one until every consumer has upgraded
(docs/events.md#versioning).
"""
from dataclasses import dataclass

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

    @property
    def dataschema(self):
        return f"urn:doorstroom:{self.producer}:{self.type}:v{self.version}"


def event_contract(event_type, producer, version=1, ordered=False):
    def register(schema):
        if event_type in _CONTRACTS:
            raise ValueError(f"{event_type} is registered twice")
        _CONTRACTS[event_type] = Contract(event_type, producer, version, schema, ordered)
        return schema
    return register


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
