"""Who hears about which facts, and the inbox entries that tell them."""
import fnmatch
import uuid
from dataclasses import dataclass
from datetime import datetime

# The chain's default rules: which organisation hears about which facts.
DEFAULT_SUBSCRIPTIONS = {
    "pi": ("participant.admitted", "placement.started"),
    "municipality": ("participant.release_date_changed", "participant.basic_conditions_updated",
                     "participant.released", "placement.started"),
    "probation": ("participant.released", "participant.withdrawn", "placement.started",
                  "placement.ended"),
    "work-company": ("participant.admitted", "participant.release_date_changed",
                     "participant.withdrawn", "match.accepted", "training.certificate_awarded"),
    "social-service": ("training.programme_completed", "placement.started", "placement.ended",
                       "placement.sustained"),
    "employer": ("match.proposed", "match.expired"),
}

SUMMARIES = {
    "participant.admitted": "Deelnemer {subject} is toegelaten tot de keten.",
    "participant.release_date_changed": "De verwachte vrijlatingsdatum van deelnemer {subject} "
                                        "is gewijzigd.",
    "participant.basic_conditions_updated": "De basisvoorwaarden van deelnemer {subject} zijn "
                                            "bijgewerkt.",
    "participant.released": "Deelnemer {subject} is vrijgelaten.",
    "participant.withdrawn": "Deelnemer {subject} is uit de keten gegaan.",
    "training.certificate_awarded": "Deelnemer {subject} heeft een certificaat behaald.",
    "training.programme_completed": "Deelnemer {subject} heeft het programma afgerond.",
    "match.proposed": "Er is een kandidaat ({subject}) voorgesteld voor een vacature.",
    "match.expired": "Een voorstel voor een vacature is verlopen.",
    "match.accepted": "De match voor deelnemer {subject} is door beide partijen geaccepteerd.",
    "placement.started": "Deelnemer {subject} is aan het werk gegaan.",
    "placement.ended": "De plaatsing van deelnemer {subject} is beëindigd.",
    "placement.sustained": "Deelnemer {subject} werkt zes maanden: een duurzame plaatsing.",
}


def recipients_for(event_type, subscriptions=DEFAULT_SUBSCRIPTIONS):
    return sorted(recipient for recipient, patterns in subscriptions.items()
                  if any(fnmatch.fnmatchcase(event_type, p) for p in patterns))


@dataclass
class InboxEntry:
    id: str
    recipient: str
    event_source: str
    event_id: str
    event_type: str
    subject: str | None
    summary: str
    received_at: datetime

    @classmethod
    def for_fact(cls, recipient, fact, received_at):
        template = SUMMARIES.get(fact.type, "Nieuw feit: {type} over {subject}.")
        return cls(str(uuid.uuid4()), recipient, fact.source, fact.id, fact.type, fact.subject,
                   template.format(subject=fact.subject or "-", type=fact.type), received_at)
