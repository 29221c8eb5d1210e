"""Receipts of erasure: each service that held data about a participant for a consent purpose
says, once it has erased or anonymised it after `participant.consent_withdrawn`, that it holds
nothing more for that purpose. A receipt names the withdrawal it answers, not the participant:
only intake, which published the withdrawal, can tell whom it is about
(GET /participants/{id}/erasure), and no other service keeps the participant's id to say so."""
from marshmallow import Schema

from shared.contracts import event_contract, vocabulary
from shared.contracts.fields import Code, Id

# The services that hold data about a participant for each consent purpose, and so confirm its
# erasure: notifications for every purpose (deliveries about the participant).
ERASED_BY = {
    "training": ("training", "notifications"),
    "matching": ("matching", "notifications"),
    "placement-follow-up": ("placement", "notifications"),
    "inform-municipality": ("notifications",),
}


class ParticipantErased(Schema):
    withdrawal_id = Id(metadata={"description": "the id of the participant.consent_withdrawn "
                                                "fact that was honoured"})
    purpose = Code(vocabulary.CONSENT_PURPOSES, required=True)


# One schema class per event type, as the catalogue documents each on its own.
for _service in sorted({service for services in ERASED_BY.values() for service in services}):
    event_contract(f"{_service}.participant_erased", producer=_service)(
        type(f"{_service.title()}ParticipantErased", (ParticipantErased,), {}))
