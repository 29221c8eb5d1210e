"""Intake's HTTP API over real HTTP, on the real broker in a fresh vhost, with its own database."""
import json
import time
import uuid
from datetime import date, timedelta

import pytest

from shared import clock
from tests.databases import stored_bytes
from tests.harness import running_intake

WATCHED = ["intake"]
CASE_MANAGER = "pi-case-manager"
NAME = "Johanna Pietersen-Uitdewilligen"
BSN = "111222333"
RELEASE = date.today() + timedelta(days=90)
# The day in Amsterdam, as intake counts it: a release or withdrawal may not lie after it.
TODAY = clock.today()


@pytest.fixture(scope="module")
def api(amqp_uri, directory, database_url):
    with running_intake(amqp_uri, directory, DATABASE_URL=database_url,
                        OUTBOX_SWEEP_SECONDS=0.2) as api:
        yield api


@pytest.fixture(scope="module")
def facts(api, broker):
    """Facts intake published, as `facts(type, subject)`; `facts.drain()` gives all so far."""
    def published(event_type, subject):
        return broker.facts(event_type, subject)
    published.drain = broker.drain
    return published


def identity(bsn=BSN, name=NAME):
    return {"name": name, "bsn": bsn, "date_of_birth": "1991-04-17"}


def registration(bsn=BSN, **overrides):
    return {"identity": identity(bsn), "target_group": "detainee-last-phase",
            "institution": "PI Dordtse Poorten", "municipality": "0505",
            "expected_release_date": str(RELEASE), **overrides}


SCREENING = {
    "motivation": 4,
    "safety": {"cleared": True, "assessed_by": "Security officer Bakker", "assessed_on": "2026-11-02"},
    "language_level": "B1",
    "occupations": ["warehouse-worker", "forklift-driver"],
    "skills": ["teamwork", "stock-handling"],
    "drivers_and_ambitions": "Wants to provide for his daughter; after a fight in 2019 never again",
    "preferred_sectors": ["logistics"],
    "hours_per_week": 32,
    "restrictions": {"no_work_with_minors": True, "banned_municipalities": ["0512"],
                     "vog_risk_areas": ["money"],
                     "curfew": {"starts_at": "22:00", "ends_at": "06:00",
                                "electronic_monitoring": True}},
    "may_work_outside_from": "2026-12-01",
}


def new_participant(api, bsn=None):
    bsn = bsn or unique_bsn()
    response = api.call("POST", "/participants", CASE_MANAGER, registration(bsn))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def admitted_participant(api):
    participant = new_participant(api)
    path = f"/participants/{participant}"
    assert api.call("PUT", f"{path}/screening", CASE_MANAGER, SCREENING).ok
    for purpose in ("training", "matching"):
        assert api.call("POST", f"{path}/consents", CASE_MANAGER, consent(purpose)).ok
    assert api.call("POST", f"{path}/selection", CASE_MANAGER, {"decision": "admit"}).ok
    return participant


def consent(purpose, basis="consent"):
    return {"purpose": purpose, "legal_basis": basis, "version": "2026-1"}


_issued = set()


def unique_bsn():
    """A fresh BSN that passes the eleven-test."""
    while True:
        candidate = f"{uuid.uuid4().int % 10**8:08d}"
        weighted = sum(int(d) * w for d, w in zip(candidate, range(9, 1, -1)))
        check = weighted % 11
        if check < 10 and candidate + str(check) not in _issued:
            _issued.add(candidate + str(check))
            return candidate + str(check)


# --- registration and identity -------------------------------------------------------------

def test_registration_answers_a_random_id_and_no_identity(api, facts):
    response = api.call("POST", "/participants", CASE_MANAGER, registration())
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "registered" and "identity" not in body
    assert BSN not in body["id"]
    [fact] = facts("participant.registered", body["id"])
    assert fact["data"]["municipality"] == "0505"


def test_a_bsn_already_in_the_chain_answers_409_with_the_existing_id(api):
    bsn = unique_bsn()
    first = new_participant(api, bsn)
    again = api.call("POST", "/participants", CASE_MANAGER, registration(bsn))
    assert again.status_code == 409
    assert again.json()["participant_id"] == first


def test_a_bsn_may_be_registered_again_once_its_participant_left_the_chain(api):
    bsn = unique_bsn()
    first = new_participant(api, bsn)
    assert api.call("POST", f"/participants/{first}/selection", CASE_MANAGER,
                    {"decision": "reject", "reason": "no-consent"}).ok
    assert new_participant(api, bsn) != first


@pytest.mark.parametrize("change, field", [
    ({"identity": identity(bsn="123456789")}, "identity"),
    ({"identity": {"name": NAME, "date_of_birth": "1991-04-17"}}, "identity"),
    ({"identity": identity() | {"date_of_birth": "2999-01-01"}}, "identity"),
    ({"target_group": "tourists"}, "target_group"),
    ({"expected_release_date": "soon"}, "expected_release_date"),
    ({"municipality": ""}, "municipality"),
])
def test_invalid_registrations_get_422_naming_the_field(api, change, field):
    response = api.call("POST", "/participants", CASE_MANAGER, registration() | change)
    assert response.status_code == 422, response.text
    assert field in response.json()["fields"]


def test_the_bsn_field_is_named_inside_the_identity(api):
    response = api.call("POST", "/participants", CASE_MANAGER,
                        registration() | {"identity": identity(bsn="123456789")})
    assert "eleven-test" in response.json()["fields"]["identity"]["bsn"][0]


def test_reading_an_identity_is_audited_with_reader_and_fields(api):
    participant = new_participant(api)
    before = api.call("GET", f"/audit/personal-data-reads?participant_id={participant}",
                      "pi-privacy-officer").json()
    assert before == []
    response = api.call("GET", f"/participants/{participant}/identity", CASE_MANAGER)
    assert response.status_code == 200
    assert response.json()["name"] == NAME and response.json()["date_of_birth"] == "1991-04-17"
    [read] = api.call("GET", f"/audit/personal-data-reads?participant_id={participant}",
                      "pi-privacy-officer").json()
    assert read["reader"] == CASE_MANAGER and read["organisation"] == "pi"
    assert read["fields"] == ["name", "bsn", "date_of_birth"]
    assert read["read_at"].endswith("+00:00")


def test_the_audit_log_is_filtered_by_reader_and_time_and_paged(api):
    participant = new_participant(api)
    for _ in range(3):
        assert api.call("GET", f"/participants/{participant}/identity", CASE_MANAGER).ok
    query = f"/audit/personal-data-reads?participant_id={participant}"
    assert len(api.call("GET", query + "&limit=2", "pi-privacy-officer").json()) == 2
    assert len(api.call("GET", query + "&offset=2", "pi-privacy-officer").json()) == 1
    assert api.call("GET", query + "&reader=someone-else", "pi-privacy-officer").json() == []
    assert api.call("GET", query + "&since=2999-01-01T00:00:00%2B00:00",
                    "pi-privacy-officer").json() == []
    assert api.call("GET", query + "&since=2000-01-01T00:00:00", "pi-privacy-officer"
                    ).status_code == 422  # a time without offset is ambiguous


@pytest.mark.parametrize("role", ["trainer", "employer-desk", "employer", "operator",
                                  "pi-privacy-officer"])
def test_only_the_case_manager_reads_an_identity(api, role):
    participant = new_participant(api)
    response = api.call("GET", f"/participants/{participant}/identity", role)
    assert response.status_code == 403
    assert NAME not in response.text
    [refused] = api.call("GET", f"/audit/personal-data-reads?participant_id={participant}",
                         "pi-privacy-officer").json()
    assert (refused["reader"], refused["outcome"]) == (role, "refused")


def test_the_database_holds_no_readable_name_or_bsn(api, directory, database_url):
    participant = admitted_participant(api)
    bsn = api.call("GET", f"/participants/{participant}/identity", CASE_MANAGER).json()["bsn"]
    raw = stored_bytes(database_url, directory)
    assert participant.encode() in raw, "the database was not found"
    for secret in (NAME, bsn, BSN, "1991-04-17"):
        assert secret.encode() not in raw
        assert secret.encode("utf-16-le") not in raw


# --- screening, consent, selection ------------------------------------------------------------

def test_screening_is_shared_as_codes_without_reasons(api, facts):
    participant = new_participant(api)
    response = api.call("PUT", f"/participants/{participant}/screening", CASE_MANAGER, SCREENING)
    assert response.status_code == 200
    assert response.json()["screening"]["restrictions"]["curfew"]["electronic_monitoring"]
    [fact] = facts("participant.screened", participant)
    data = fact["data"]
    assert data["restrictions"] == ["no-work-with-minors", "area-ban", "vog-risk-area",
                                    "curfew", "electronic-monitoring"]
    assert data["vog_risk_areas"] == ["money"] and data["banned_municipalities"] == ["0512"]
    assert data["curfew"] == {"starts_at": "22:00", "ends_at": "06:00"}
    assert data["may_work_outside_from"] == "2026-12-01"
    assert "drivers_and_ambitions" not in data and "safety" not in data


@pytest.mark.parametrize("change, field", [
    ({"motivation": 9}, "motivation"),
    ({"language_level": "Z9"}, "language_level"),
    ({"skills": ["lock-picking"]}, "skills"),
    ({"occupations": ["astronaut"]}, "occupations"),
    ({"safety": {"cleared": True}}, "safety"),
    ({"restrictions": {"vog_risk_areas": ["everything"]}}, "restrictions"),
    ({"restrictions": {"curfew": {"starts_at": "25:00", "ends_at": "06:00"}}}, "restrictions"),
    ({"hours_per_week": 80}, "hours_per_week"),
])
def test_invalid_screenings_get_422_naming_the_field(api, change, field):
    participant = new_participant(api)
    response = api.call("PUT", f"/participants/{participant}/screening", CASE_MANAGER,
                        SCREENING | change)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_admission_publishes_the_profile_and_needs_consent(api, facts):
    participant = new_participant(api)
    path = f"/participants/{participant}"
    api.call("PUT", f"{path}/screening", CASE_MANAGER, SCREENING)
    refused = api.call("POST", f"{path}/selection", CASE_MANAGER, {"decision": "admit"})
    assert refused.status_code == 409 and "consent" in refused.json()["error"]
    for purpose in ("training", "matching"):
        assert api.call("POST", f"{path}/consents", CASE_MANAGER, consent(purpose)).status_code == 201
    admitted = api.call("POST", f"{path}/selection", CASE_MANAGER, {"decision": "admit"})
    assert admitted.json()["status"] == "admitted"
    [fact] = facts("participant.admitted", participant)
    assert fact["data"]["occupations"] == ["warehouse-worker", "forklift-driver"]
    assert fact["data"]["expected_release_date"] == str(RELEASE)


def test_a_rejection_needs_a_reason(api):
    participant = new_participant(api)
    response = api.call("POST", f"/participants/{participant}/selection", CASE_MANAGER,
                        {"decision": "reject"})
    assert response.status_code == 422 and "reason" in response.json()["fields"]


def test_consent_withdrawal_is_honoured_at_once_and_announced(api, facts):
    participant = new_participant(api)
    path = f"/participants/{participant}"
    api.call("PUT", f"{path}/screening", CASE_MANAGER, SCREENING)
    for purpose in ("training", "matching"):
        api.call("POST", f"{path}/consents", CASE_MANAGER, consent(purpose))
    response = api.call("DELETE", f"{path}/consents/matching", CASE_MANAGER)
    assert response.status_code == 200
    [matching] = [c for c in response.json()["consents"] if c["purpose"] == "matching"]
    assert matching["withdrawn_at"]
    [fact] = facts("participant.consent_withdrawn", participant)
    assert fact["data"]["purpose"] == "matching"
    refused = api.call("POST", f"{path}/selection", CASE_MANAGER, {"decision": "admit"})
    assert refused.status_code == 409
    assert api.call("DELETE", f"{path}/consents/matching", CASE_MANAGER).status_code == 404


def test_a_consent_in_force_has_no_withdrawal_time_as_its_document_allows(api):
    participant = new_participant(api)
    response = api.call("POST", f"/participants/{participant}/consents", CASE_MANAGER,
                        consent("training"))
    assert response.status_code == 201
    [given] = response.json()["consents"]
    assert given["withdrawn_at"] is None
    document = api.call("GET", "/openapi.json", CASE_MANAGER).json()
    assert document["components"]["schemas"]["Consent"]["properties"]["withdrawn_at"]["nullable"]


def test_the_pi_sees_which_services_confirmed_an_erasure(api, facts, broker):
    participant = new_participant(api)
    path = f"/participants/{participant}"
    for purpose in ("training", "matching"):
        api.call("POST", f"{path}/consents", CASE_MANAGER, consent(purpose))
    [given] = [f for f in broker.facts("participant.consent_given", participant, count=2)
               if f["data"]["purpose"] == "training"]
    assert given["data"]["legal_basis"] == "consent"
    assert api.call("GET", f"{path}/erasure", CASE_MANAGER).json() == []
    api.call("DELETE", f"{path}/consents/training", CASE_MANAGER)
    [withdrawal] = facts("participant.consent_withdrawn", participant)
    receipt = {"withdrawal_id": withdrawal["id"], "purpose": "training"}
    broker.publish("training", "training.participant_erased", receipt)
    broker.publish("training", "training.participant_erased", receipt)  # once is enough
    deadline = time.monotonic() + 10
    while not (erasure := api.call("GET", f"{path}/erasure", "pi-privacy-officer").json())[0][
            "confirmed"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    [training] = erasure
    assert training["purpose"] == "training" and training["withdrawn_at"]
    assert [c["service"] for c in training["confirmed"]] == ["training"]
    assert training["awaited"] == ["notifications"]
    broker.publish("notifications", "notifications.participant_erased", receipt)
    deadline = time.monotonic() + 10
    while api.call("GET", f"{path}/erasure", CASE_MANAGER).json()[0]["awaited"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert api.call("GET", f"{path}/erasure", "trainer").status_code == 403


def test_a_legal_obligation_cannot_be_withdrawn(api):
    participant = new_participant(api)
    path = f"/participants/{participant}"
    api.call("POST", f"{path}/consents", CASE_MANAGER, consent("inform-municipality",
                                                              "legal-obligation"))
    assert api.call("DELETE", f"{path}/consents/inform-municipality",
                    CASE_MANAGER).status_code == 409


def test_an_unknown_consent_purpose_gets_422(api):
    participant = new_participant(api)
    response = api.call("POST", f"/participants/{participant}/consents", CASE_MANAGER,
                        consent("marketing"))
    assert response.status_code == 422 and "purpose" in response.json()["fields"]


# --- release planning ---------------------------------------------------------------------

def test_a_changed_release_date_is_announced_with_the_previous_one(api, facts):
    participant = admitted_participant(api)
    later = RELEASE + timedelta(days=30)
    response = api.call("PUT", f"/participants/{participant}/release-date", CASE_MANAGER,
                        {"expected_release_date": str(later)})
    assert response.json()["expected_release_date"] == str(later)
    [fact] = facts("participant.release_date_changed", participant)
    assert fact["data"] == {"participant_id": participant, "expected_release_date": str(later),
                            "previous_release_date": str(RELEASE)}
    same = api.call("PUT", f"/participants/{participant}/release-date", CASE_MANAGER,
                    {"expected_release_date": str(later)})
    assert same.status_code == 409


def test_basic_conditions_reach_the_municipality_only_on_a_legal_basis(api, facts):
    participant = new_participant(api)
    path = f"/participants/{participant}"
    update = {"conditions": [{"condition": "id-document", "status": "settled", "since": "2026-11-10"},
                             {"condition": "housing", "status": "in-progress", "since": "2026-11-12"}]}
    response = api.call("PUT", f"{path}/basic-conditions", CASE_MANAGER, update)
    assert [c["status"] for c in response.json()["basic_conditions"]] == ["settled", "in-progress"]
    api.call("POST", f"{path}/consents", CASE_MANAGER, consent("inform-municipality"))
    api.call("PUT", f"{path}/basic-conditions", CASE_MANAGER, {"conditions": [
        {"condition": "income", "status": "not-settled", "since": "2026-11-15"}]})
    [fact] = facts("participant.basic_conditions_updated", participant)
    assert [c["condition"] for c in fact["data"]["conditions"]] == ["id-document", "housing", "income"]
    assert fact["data"]["municipality"] == "0505"


def test_unknown_basic_conditions_get_422(api):
    participant = new_participant(api)
    response = api.call("PUT", f"/participants/{participant}/basic-conditions", CASE_MANAGER,
                        {"conditions": [{"condition": "luck", "status": "settled",
                                         "since": "2026-11-10"}]})
    assert response.status_code == 422 and "conditions" in response.json()["fields"]


def test_release_then_withdrawal(api, facts):
    participant = admitted_participant(api)
    path = f"/participants/{participant}"
    released = api.call("POST", f"{path}/release", CASE_MANAGER, {"released_on": str(TODAY)})
    assert released.json()["status"] == "released"
    assert facts("participant.released", participant)[0]["data"]["released_on"] == str(TODAY)
    withdrawn = api.call("POST", f"{path}/withdrawal", CASE_MANAGER,
                         {"reason": "recalled-to-custody", "withdrawn_on": str(TODAY)})
    assert withdrawn.json()["status"] == "withdrawn"
    [fact] = facts("participant.withdrawn", participant)
    assert fact["data"]["reason"] == "recalled-to-custody"
    again = api.call("POST", f"{path}/withdrawal", CASE_MANAGER,
                     {"reason": "dropped-out", "withdrawn_on": str(TODAY)})
    assert again.status_code == 409


def test_an_unknown_withdrawal_reason_gets_422(api):
    participant = admitted_participant(api)
    response = api.call("POST", f"/participants/{participant}/withdrawal", CASE_MANAGER,
                        {"reason": "bored", "withdrawn_on": str(TODAY)})
    assert response.status_code == 422 and "reason" in response.json()["fields"]


# --- days: what happened lies not after today, what is expected not before it ----------------

TOMORROW, YESTERDAY = TODAY + timedelta(days=1), TODAY - timedelta(days=1)


def test_a_registration_expecting_a_release_in_the_past_gets_422(api):
    response = api.call("POST", "/participants", CASE_MANAGER,
                        registration(unique_bsn(), expected_release_date=str(YESTERDAY)))
    assert response.status_code == 422, response.text
    assert "in the past" in response.json()["fields"]["expected_release_date"][0]
    assert api.call("POST", "/participants", CASE_MANAGER,
                    registration(unique_bsn(), expected_release_date=str(TODAY))).ok


def test_moving_the_expected_release_into_the_past_gets_422_and_changes_nothing(api):
    participant = admitted_participant(api)
    response = api.call("PUT", f"/participants/{participant}/release-date", CASE_MANAGER,
                        {"expected_release_date": str(YESTERDAY)})
    assert response.status_code == 422 and "expected_release_date" in response.json()["fields"]
    record = api.call("GET", f"/participants/{participant}", CASE_MANAGER).json()
    assert record["expected_release_date"] == str(RELEASE)


@pytest.mark.parametrize("suffix, body, field", [
    ("/release", {"released_on": str(TOMORROW)}, "released_on"),
    ("/withdrawal", {"reason": "transferred", "withdrawn_on": str(TOMORROW)}, "withdrawn_on"),
])
def test_a_release_or_withdrawal_dated_in_the_future_gets_422_and_is_not_published(
        api, facts, suffix, body, field):
    participant = admitted_participant(api)
    response = api.call("POST", f"/participants/{participant}{suffix}", CASE_MANAGER, body)
    assert response.status_code == 422 and field in response.json()["fields"]
    record = api.call("GET", f"/participants/{participant}", CASE_MANAGER).json()
    assert record["status"] == "admitted"
    facts("participant.admitted", participant)
    assert not [f for f in facts.drain() if f["subject"] == participant
                and f["type"] in ("participant.released", "participant.withdrawn")]


# --- correcting a recorded release --------------------------------------------------------

def test_a_recorded_release_is_corrected_with_a_reason_and_the_history_shows_both(api, facts):
    participant = admitted_participant(api)
    path = f"/participants/{participant}"
    assert api.call("POST", f"{path}/release", CASE_MANAGER, {"released_on": str(TODAY)}).ok
    corrected = api.call("POST", f"{path}/release/correction", CASE_MANAGER,
                         {"released_on": str(YESTERDAY), "reason": "entry-error"})
    assert corrected.status_code == 200, corrected.text
    assert (corrected.json()["status"], corrected.json()["released_on"]) == (
        "released", str(YESTERDAY))
    [fact] = facts("participant.release_corrected", participant)
    assert fact["data"] == {"participant_id": participant, "released_on": str(YESTERDAY),
                            "previous_released_on": str(TODAY), "reason": "entry-error"}
    history = api.call("GET", f"/events?subject={participant}", "operator").json()
    assert [f["type"] for f in history][-2:] == ["participant.released",
                                                  "participant.release_corrected"]
    assert history[-2]["data"]["released_on"] == str(TODAY)


@pytest.mark.parametrize("body, status, field", [
    ({"released_on": str(TOMORROW), "reason": "entry-error"}, 422, "released_on"),
    ({"released_on": str(YESTERDAY), "reason": "felt-like-it"}, 422, "reason"),
    ({"released_on": str(YESTERDAY)}, 422, "reason"),
    ({"released_on": str(TODAY), "reason": "entry-error"}, 409, None),
])
def test_a_correction_to_the_future_without_a_reason_or_to_the_same_day_is_refused(
        api, facts, body, status, field):
    participant = admitted_participant(api)
    path = f"/participants/{participant}"
    assert api.call("POST", f"{path}/release", CASE_MANAGER, {"released_on": str(TODAY)}).ok
    response = api.call("POST", f"{path}/release/correction", CASE_MANAGER, body)
    assert response.status_code == status, response.text
    if field:
        assert field in response.json()["fields"]
    assert api.call("GET", path, CASE_MANAGER).json()["released_on"] == str(TODAY)
    facts("participant.released", participant)
    assert not [f for f in facts.drain() if f["subject"] == participant
                and f["type"] == "participant.release_corrected"]


def test_only_a_recorded_release_can_be_corrected(api):
    participant = admitted_participant(api)
    response = api.call("POST", f"/participants/{participant}/release/correction", CASE_MANAGER,
                        {"released_on": str(TODAY), "reason": "entry-error"})
    assert response.status_code == 409 and "admitted" in response.json()["error"]


# --- listing ------------------------------------------------------------------------------

def test_participants_are_filtered_by_status_group_and_release_window_and_paged(api):
    # A January no other test's participants are expected to be released in, yet to come.
    january = TODAY.year + 5
    early = new_participant(api)
    api.call("PUT", f"/participants/{early}/release-date", CASE_MANAGER,
             {"expected_release_date": f"{january}-01-05"})
    other = api.call("POST", "/participants", CASE_MANAGER, registration(
        unique_bsn(), target_group="refugee-with-permit",
        expected_release_date=f"{january}-01-06"))
    window = f"released_after={january}-01-01&released_before={january}-01-31"
    listed = api.call("GET", f"/participants?{window}", CASE_MANAGER).json()
    assert [p["id"] for p in listed] == [early, other.json()["id"]]
    refugees = api.call("GET", f"/participants?{window}&target_group=refugee-with-permit",
                        CASE_MANAGER).json()
    assert [p["id"] for p in refugees] == [other.json()["id"]]
    page = api.call("GET", f"/participants?{window}&offset=1&limit=1", CASE_MANAGER).json()
    assert [p["id"] for p in page] == [other.json()["id"]]
    assert api.call("GET", "/participants?status=withdrawn&limit=500", CASE_MANAGER).ok
    assert api.call("GET", "/participants?status=asleep", CASE_MANAGER).status_code == 422
    assert api.call("GET", "/participants?limit=0", CASE_MANAGER).status_code == 422


# --- refusals common to every endpoint ------------------------------------------------------

UNKNOWN = "00000000-0000-4000-8000-000000000000"
PARTICIPANT_ENDPOINTS = [
    ("GET", "", None),
    ("GET", "/identity", None),
    ("PUT", "/screening", SCREENING),
    ("POST", "/consents", consent("training")),
    ("DELETE", "/consents/training", None),
    ("POST", "/selection", {"decision": "admit"}),
    ("PUT", "/release-date", {"expected_release_date": "2027-02-01"}),
    ("PUT", "/basic-conditions", {"conditions": [
        {"condition": "debts", "status": "in-progress", "since": "2026-11-10"}]}),
    ("POST", "/release", {"released_on": "2026-11-02"}),
    ("POST", "/release/correction", {"released_on": "2026-11-02", "reason": "entry-error"}),
    ("POST", "/withdrawal", {"reason": "transferred", "withdrawn_on": "2026-11-02"}),
]
ENDPOINTS = [("POST", "/participants", registration()), ("GET", "/participants", None),
             ("GET", "/audit/personal-data-reads", None)] + [
    (method, f"/participants/{UNKNOWN}{suffix}", body)
    for method, suffix, body in PARTICIPANT_ENDPOINTS]


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_every_endpoint_needs_a_valid_key(api, method, path, body):
    assert api.call(method, path, None, body).status_code == 401
    wrong = api.call(method, path, None, body, headers={"Authorization": "Bearer nonsense"})
    assert wrong.status_code == 401 and "API key" in wrong.json()["error"]


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
def test_every_endpoint_refuses_roles_outside_the_pi(api, method, path, body):
    for role in ("trainer", "job-coach", "employer-desk", "employer", "operator"):
        assert api.call(method, path, role, body).status_code == 403


@pytest.mark.parametrize("method, suffix, body", PARTICIPANT_ENDPOINTS)
def test_every_participant_endpoint_answers_404_for_an_unknown_participant(api, method, suffix,
                                                                           body):
    response = api.call(method, f"/participants/{UNKNOWN}{suffix}", CASE_MANAGER, body)
    assert response.status_code == 404, response.text


@pytest.mark.parametrize("method, suffix, body", [
    (method, suffix, body) for method, suffix, body in PARTICIPANT_ENDPOINTS
    if suffix in ("/selection", "/release", "/release/correction", "/screening")])
def test_illegal_transitions_answer_409(api, method, suffix, body):
    participant = admitted_participant(api)
    assert api.call("POST", f"/participants/{participant}/withdrawal", CASE_MANAGER,
                    {"reason": "transferred", "withdrawn_on": "2026-11-02"}).ok
    response = api.call(method, f"/participants/{participant}{suffix}", CASE_MANAGER, body)
    assert response.status_code == 409 and "withdrawn" in response.json()["error"]


def test_no_fact_published_by_intake_carries_personal_data(api, facts):
    participant = admitted_participant(api)
    facts("participant.admitted", participant)
    published = facts.drain()
    assert len({f["type"] for f in published}) >= 8
    for fact in published:
        text = json.dumps(fact)
        for secret in (NAME, "1991-04-17", "Security officer", "daughter", "fight", *_issued):
            assert secret not in text, fact["type"]
        assert not {"name", "bsn", "date_of_birth", "identity"} & set(fact["data"])
