"""Reads of what training holds of a participant (their programme, certificates and place in
cohorts) are written to training's audit log, allowed, refused or not found."""
import uuid

import pytest

from services.intake.tests.test_audit import entries
from services.training.tests.test_service import (TRAINER, admitted, api, plan_cohort,  # noqa: F401
                                                  publish, wait_for_programme)

WATCHED = ["training"]
PROGRAMME = ["programme", "attendance", "results", "certificates"]


@pytest.fixture(scope="module")
def cohort(api):
    return plan_cohort(api)


def enrolled(api, broker):
    participant = str(uuid.uuid4())
    publish(broker, "participant.admitted", **admitted(participant))
    wait_for_programme(api, participant)
    return participant


@pytest.mark.parametrize("path, fields", [("/programme", PROGRAMME),
                                          ("/certificates", ["certificates"])])
@pytest.mark.parametrize("role, status, outcome", [
    (TRAINER, 200, "allowed"), ("job-coach", 403, "refused"), ("employer", 403, "refused")])
def test_every_attempt_to_read_a_participants_training_is_logged(api, broker, cohort, path,
                                                                 fields, role, status, outcome):
    participant = enrolled(api, broker)
    assert api.call("GET", f"/participants/{participant}{path}", role).status_code == status
    entry = entries(api, participant_id=participant)[-1]
    assert (entry["role"], entry["outcome"], entry["fields"]) == (role, outcome, fields)


def test_an_unknown_participant_is_logged_as_not_found(api):
    participant = str(uuid.uuid4())
    assert api.call("GET", f"/participants/{participant}/programme", TRAINER).status_code == 404
    [entry] = entries(api, participant_id=participant)
    assert entry["outcome"] == "not-found"


def test_reading_a_cohort_is_a_read_of_each_members_attendance(api, broker, cohort):
    members = {enrolled(api, broker) for _ in range(2)}
    for path in (f"/cohorts/{cohort['id']}", "/cohorts?module=employee-skills"):
        assert api.call("GET", path, TRAINER).status_code == 200
    for member in members:
        read = [entry["fields"] for entry in entries(api, participant_id=member)
                if entry["outcome"] == "allowed" and entry["fields"] == ["attendance"]]
        assert len(read) == 2, member
    assert api.call("GET", f"/cohorts/{cohort['id']}", "job-coach").status_code == 403
    assert entries(api, reader="job-coach")[-1]["outcome"] == "refused"
