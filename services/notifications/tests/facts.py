"""Facts as intake publishes them, for notifications' tests."""
import uuid


def released(broker, municipality="0505", basis="legal-obligation"):
    """A participant's release, after the basis for informing the municipality (if any)."""
    participant = str(uuid.uuid4())
    facts = [("participant.released", {"participant_id": participant,
                                       "released_on": "2027-01-15",
                                       "municipality": municipality})]
    if basis:
        facts.insert(0, ("participant.consent_given", {
            "participant_id": participant, "purpose": "inform-municipality",
            "legal_basis": basis, "given_at": "2027-01-01T09:00:00+00:00"}))
    *_, body = broker.publish_in_order("intake", participant, *facts)
    return participant, body
