"""Reads of a placement with its coaching (check-ins, the coach's notes, risk signals) are
written to placement's audit log, allowed, refused or not found, one by one or in a list."""
import uuid

import pytest

from services.intake.tests.test_audit import entries
from services.placement.tests.test_service import COACH, accepted_match, api  # noqa: F401

WATCHED = ["placement"]
COACHING = ["placement", "check_ins"]


@pytest.mark.parametrize("role, status, outcome", [
    (COACH, 200, "allowed"), ("employer-desk", 403, "refused"), ("trainer", 403, "refused")])
def test_every_attempt_to_read_a_placement_is_logged_with_its_outcome(api, broker, role,
                                                                      status, outcome):
    participant, placement_id, _ = accepted_match(broker)
    assert api.call("GET", f"/placements/{placement_id}", role).status_code == status
    if outcome == "allowed":
        [entry] = entries(api, participant_id=participant)
    else:
        entry = entries(api, reader=role)[-1]
        assert entry["participant_id"] is None
    assert (entry["role"], entry["outcome"], entry["fields"]) == (role, outcome, COACHING)


def test_a_placement_not_found_is_logged_as_such(api):
    assert api.call("GET", f"/placements/{uuid.uuid4()}", COACH).status_code == 404
    assert entries(api, reader=COACH)[-1]["outcome"] == "not-found"


def test_each_placement_listed_is_logged_as_a_read_of_its_participant(api, broker):
    employer = str(uuid.uuid4())
    listed = [accepted_match(broker, employer_id=employer)[0] for _ in range(2)]
    response = api.call("GET", f"/placements?employer_id={employer}", COACH)
    assert response.status_code == 200 and len(response.json()) == 2
    for participant in listed:
        [entry] = entries(api, participant_id=participant)
        assert (entry["outcome"], entry["fields"]) == ("allowed", COACHING)
    assert api.call("GET", "/placements", "employer").status_code == 403
    assert entries(api, reader="employer")[-1]["outcome"] == "refused"
