"""Idempotency-Key on write requests (draft-ietf-httpapi-idempotency-key-header), over real
HTTP against intake on the real broker, on SQLite and PostgreSQL: the same request sent again
gets the first answer and creates nothing; the key with another request gets a 422."""
import threading
import uuid
from datetime import date, timedelta

import pytest

from doorstroom.demo import demo_bsn
from shared.store import OutcomeUnknown, retry_transaction
from tests.harness import running_intake
from tests.instances import rows

CASE_MANAGER = "pi-case-manager"


@pytest.fixture(scope="module")
def api(amqp_uri, directory, database_url):
    with running_intake(amqp_uri, directory, DATABASE_URL=database_url) as api:
        yield api


def registration(bsn):
    return {"identity": {"name": "Karel Verbeek", "bsn": bsn, "date_of_birth": "1988-02-03"},
            "target_group": "detainee-last-phase", "institution": "PI Dordtse Poorten",
            "municipality": "0505",
            "expected_release_date": str(date.today() + timedelta(days=90))}


def register(api, body, key, role=CASE_MANAGER):
    return api.call("POST", "/participants", role, body, headers={"Idempotency-Key": key})


def registered(database_url):
    return rows(database_url, "SELECT id FROM participants")


def test_the_same_request_sent_again_gets_the_first_answer_and_creates_nothing(
        api, database_url):
    body, key = registration(demo_bsn()), f'"{uuid.uuid4()}"'
    before = len(registered(database_url))
    first = register(api, body, key)
    again = register(api, body, key)
    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(registered(database_url)) == before + 1
    facts = rows(database_url, "SELECT subject FROM outbox WHERE event_type = "
                               f"'participant.registered' AND subject = '{first.json()['id']}'")
    assert len(facts) == 1


def test_the_key_with_another_body_or_path_is_refused_with_422_naming_the_header(api):
    key = str(uuid.uuid4())
    first = register(api, registration(demo_bsn()), key)
    assert first.status_code == 201
    other_body = register(api, registration(demo_bsn()), key)
    assert other_body.status_code == 422
    assert "Idempotency-Key" in other_body.json()["fields"]
    path = f"/participants/{first.json()['id']}/consents"
    other_path = api.call("POST", path, CASE_MANAGER,
                          {"purpose": "training", "legal_basis": "consent", "version": "2026-1"},
                          headers={"Idempotency-Key": key})
    assert other_path.status_code == 422


def test_keys_are_each_callers_own(api):
    api.issue_key("second-case-manager", CASE_MANAGER)
    key = str(uuid.uuid4())
    mine = register(api, registration(demo_bsn()), key)
    theirs = register(api, registration(demo_bsn()), key, role="second-case-manager")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_spacing_and_key_order_of_the_body_make_no_new_request(api):
    key, body = str(uuid.uuid4()), registration(demo_bsn())
    first = register(api, body, key)
    reordered = dict(reversed(list(body.items())))
    again = register(api, reordered, key)
    assert again.status_code == 201 and again.json() == first.json()


def test_a_refused_request_is_not_remembered(api):
    """A 4xx changed nothing, so the key stays free for the request that succeeds."""
    key, body = str(uuid.uuid4()), registration(demo_bsn())
    invalid = register(api, {**body, "target_group": "nobody"}, key)
    assert invalid.status_code == 422
    assert register(api, {**body, "target_group": "nobody"}, key).status_code == 422


@pytest.mark.parametrize("key", ["", "x" * 256, "sleutel\u00e9"])
def test_an_unusable_key_is_refused_with_400_naming_the_header(api, key):
    response = api.call("POST", "/participants", CASE_MANAGER, registration(demo_bsn()),
                        headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]


def test_concurrent_requests_with_one_key_create_one_participant(api, database_url):
    """Eight copies at once: one is carried out; the others wait for it on its key, and get
    its answer."""
    for _ in range(5):
        key, body = str(uuid.uuid4()), registration(demo_bsn())
        before = len(registered(database_url))
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(register(api, body, key)))
                   for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(registered(database_url)) == before + 1
        assert [answer.status_code for answer in answers] == [201] * 8, [a.text for a in answers]
        assert len({answer.json()["id"] for answer in answers}) == 1


def test_the_openapi_document_offers_the_header_on_writes_only(api):
    paths = api.call("GET", "/openapi.json").json()["paths"]
    register_op, listing = paths["/participants"]["post"], paths["/participants"]["get"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header"
               for p in register_op["parameters"])
    assert not any(p.get("name") == "Idempotency-Key" for p in listing["parameters"])
    assert "503" in register_op["responses"] and "503" in listing["responses"]


def test_a_commit_of_unknown_outcome_is_run_again_only_where_that_is_safe():
    runs = []

    def transaction():
        runs.append(1)
        if len(runs) == 1:
            raise OutcomeUnknown("connection lost while committing")
        return "done"
    assert retry_transaction(transaction) == "done" and len(runs) == 2
    runs.clear()
    with pytest.raises(OutcomeUnknown):
        retry_transaction(transaction, rerun_uncertain=False)
    assert len(runs) == 1
