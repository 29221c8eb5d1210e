"""Intake's audit log of reads of personal data, over real HTTP on SQLite and PostgreSQL: every
attempt to read an identity, a participant's record or their facts leaves an entry with its
outcome; the entries form one hash chain, which `GET /audit/verify` and `doorstroom audit
verify` check, naming the first entry that a change or a removal in the database breaks; the
log exports as CSV and outlives the participant's leaving the chain."""
import csv
import io
import uuid
from datetime import datetime

import pytest
from sqlalchemy import create_engine, delete, insert, inspect, select, text, update
from sqlalchemy.engine import make_url

from doorstroom.cli import main
from services.intake.store import _unchained_reads, audit_entries, audit_head
from services.intake.tests.test_api import (CASE_MANAGER, SCREENING, consent, new_participant,
                                            registration, unique_bsn)
from shared.http import ROLES
from tests.databases import away, fresh_database
from tests.harness import free_port, running_intake

PRIVACY_OFFICER = "pi-privacy-officer"
IDENTITY = ["name", "bsn", "date_of_birth"]
RECORD = ["screening", "consents", "basic_conditions"]


@pytest.fixture(scope="module")
def port():
    return free_port()


@pytest.fixture(scope="module")
def api(amqp_uri, directory, database_url, port):
    # On a known port, where `doorstroom audit verify --port-base` finds it.
    with running_intake(amqp_uri, directory, DATABASE_URL=database_url,
                        WEB_SERVER_ADDRESS=f"127.0.0.1:{port}") as api:
        yield api


@pytest.fixture(scope="module")
def database(database_url):
    """The service's database as someone with access to it, not through intake."""
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def entries(api, **query):
    response = api.call("GET", "/audit/personal-data-reads?" + "&".join(
        f"{name}={value}" for name, value in query.items()), PRIVACY_OFFICER)
    assert response.status_code == 200, response.text
    return response.json()


def verify(api):
    response = api.call("GET", "/audit/verify", PRIVACY_OFFICER)
    assert response.status_code == 200, response.text
    return response.json()


def audit_verify(port, directory):
    """`doorstroom audit verify intake` against the module's intake, with the keys it was
    given (tests/test_audit_everywhere.py checks all five)."""
    return main(["audit", "verify", "intake", "--port-base", str(port - 1),
                 "--data-dir", str(directory)])


def read_three_times(api):
    """A participant's identity read by a case manager, refused to a trainer, then read again;
    the three entries."""
    participant = new_participant(api)
    for role in (CASE_MANAGER, "trainer", CASE_MANAGER):
        api.call("GET", f"/participants/{participant}/identity", role)
    return entries(api, participant_id=participant)


# --- what is logged -------------------------------------------------------------------------

@pytest.mark.parametrize("suffix, fields", [("/identity", IDENTITY), ("", RECORD)])
@pytest.mark.parametrize("role, known, status, outcome", [
    (CASE_MANAGER, True, 200, "allowed"),
    ("trainer", True, 403, "refused"),
    (PRIVACY_OFFICER, True, 403, "refused"),
    (CASE_MANAGER, False, 404, "not-found"),
    ("employer", False, 403, "refused"),
])
def test_every_read_attempt_is_logged_with_its_outcome(api, suffix, fields, role, known, status,
                                                       outcome):
    participant = new_participant(api) if known else str(uuid.uuid4())
    response = api.call("GET", f"/participants/{participant}{suffix}", role)
    assert response.status_code == status, response.text
    [entry] = entries(api, participant_id=participant)
    assert (entry["reader"], entry["role"], entry["outcome"], entry["fields"]) == (
        role, role, outcome, fields)
    assert entry["organisation"] == ROLES[role]


def test_an_id_that_could_be_no_participants_is_logged_without_it(api):
    logged = verify(api)["entries"]
    assert api.call("GET", "/participants/not-an-id/identity", CASE_MANAGER).status_code == 404
    [entry] = entries(api, offset=logged)
    assert (entry["participant_id"], entry["outcome"]) == (None, "not-found")


def test_listing_participants_logs_a_read_of_each_one_listed(api):
    listed = [api.call("POST", "/participants", CASE_MANAGER, registration(
        unique_bsn(), expected_release_date="2031-03-03")).json()["id"] for _ in range(2)]
    window = "released_after=2031-03-03&released_before=2031-03-03"
    assert len(api.call("GET", f"/participants?{window}", CASE_MANAGER).json()) == 2
    for participant in listed:
        [entry] = entries(api, participant_id=participant)
        assert (entry["reader"], entry["outcome"], entry["fields"]) == (
            CASE_MANAGER, "allowed", RECORD)


def test_a_refused_listing_is_logged_as_a_refused_read_of_no_one(api):
    logged = verify(api)["entries"]
    assert api.call("GET", "/participants", "trainer").status_code == 403
    [entry] = entries(api, offset=logged)
    assert (entry["participant_id"], entry["reader"], entry["outcome"], entry["fields"]) == (
        None, "trainer", "refused", RECORD)


def test_reading_a_participants_facts_is_logged_with_their_types(api):
    participant = new_participant(api)
    assert api.call("PUT", f"/participants/{participant}/screening", CASE_MANAGER, SCREENING).ok
    facts = api.call("GET", f"/events?subject={participant}", "operator").json()
    types = ["participant.registered", "participant.screened"]
    assert [fact["type"] for fact in facts] == types
    [entry] = entries(api, participant_id=participant)
    assert (entry["reader"], entry["outcome"], entry["fields"]) == ("operator", "allowed", types)


def test_the_log_outlives_the_participant_leaving_the_chain(api):
    """The log is a legal record: consent withdrawal and withdrawal leave it, and its chain,
    as they were."""
    participant = new_participant(api)
    path = f"/participants/{participant}"
    assert api.call("GET", f"{path}/identity", CASE_MANAGER).ok
    logged = entries(api, participant_id=participant)
    assert api.call("POST", f"{path}/consents", CASE_MANAGER, consent("training")).ok
    assert api.call("DELETE", f"{path}/consents/training", CASE_MANAGER).ok
    assert api.call("POST", f"{path}/withdrawal", CASE_MANAGER,
                    {"reason": "dropped-out", "withdrawn_on": "2026-11-02"}).ok
    assert entries(api, participant_id=participant) == logged
    assert verify(api)["intact"]


# --- the chain ------------------------------------------------------------------------------

def test_the_log_is_one_unbroken_chain(api, port, directory, capsys):
    read_three_times(api)
    check = verify(api)
    log = entries(api, limit=500)
    assert check == {"intact": True, "entries": len(log), "last_hash": log[-1]["hash"],
                     "broken_at": None, "broken_entry": None, "problem": None}
    assert [entry["position"] for entry in log] == list(range(1, len(log) + 1))
    assert log[0]["previous_hash"] == "0" * 64
    assert all(later["previous_hash"] == earlier["hash"] for earlier, later in zip(log, log[1:]))
    assert audit_verify(port, directory) == 0
    assert f"intact: {len(log)} entries" in capsys.readouterr().out


def test_the_log_is_not_checked_without_a_privacy_officers_key(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DOORSTROOM_PRIVACY_OFFICER_KEY", raising=False)
    assert main(["audit", "verify", "--data-dir", str(tmp_path)]) == 2
    assert "no privacy officer's key" in capsys.readouterr().err


@pytest.mark.parametrize("column, value", [("reader", "someone-else"), ("outcome", "allowed"),
                                           ("read_at", "2020-01-01 00:00:00")])
def test_an_entry_changed_in_the_database_is_named_by_the_check(
        api, database, port, directory, capsys, column, value):
    _, changed, _ = read_three_times(api)
    row = stored(database, changed["id"])
    with database.begin() as connection:
        connection.execute(text(f"UPDATE audit_entries SET {column} = :value WHERE id = :id"),
                           {"value": value, "id": changed["id"]})
    try:
        check = verify(api)
        assert (check["intact"], check["broken_at"], check["broken_entry"]) == (
            False, changed["position"], changed["id"])
        assert "changed after it was written" in check["problem"]
        assert check["entries"] == changed["position"] - 1
        assert audit_verify(port, directory) == 1
        assert f"BROKEN at position {changed['position']} (entry {changed['id']})" in \
            capsys.readouterr().out
    finally:
        with database.begin() as connection:
            connection.execute(update(audit_entries).where(audit_entries.c.id == changed["id"])
                               .values(**row._mapping))
    assert verify(api)["intact"]


def test_an_entry_removed_from_the_database_is_found_at_the_next(api, database):
    _, removed, after = read_three_times(api)
    row = remove(database, removed["id"])
    try:
        check = verify(api)
        assert (check["intact"], check["broken_at"], check["broken_entry"]) == (
            False, after["position"], after["id"])
        assert f"the entry at {removed['position']} is missing" in check["problem"]
    finally:
        put_back(database, row)
    assert verify(api)["intact"]


def test_the_last_entry_removed_from_the_database_is_missed(api, database, port, directory,
                                                            capsys):
    *_, last = read_three_times(api)
    row = remove(database, last["id"])
    try:
        check = verify(api)
        assert (check["intact"], check["broken_at"], check["broken_entry"]) == (
            False, last["position"], None)
        assert "the last are missing" in check["problem"]
        assert audit_verify(port, directory) == 1
        assert f"BROKEN at position {last['position']} (entry missing)" in \
            capsys.readouterr().out
    finally:
        put_back(database, row)
    assert verify(api)["intact"]


def test_a_log_without_its_head_is_not_intact_and_not_read(api, database):
    """Without the record of how many entries were written, entries removed at the end could
    not be missed: the check says so, and reads fail rather than go unlogged."""
    participant = new_participant(api)
    with database.begin() as connection:
        head = connection.execute(select(audit_head)).one()
        connection.execute(delete(audit_head))
    try:
        check = verify(api)
        assert not check["intact"] and "how many entries were written" in check["problem"]
        assert api.call("GET", f"/participants/{participant}/identity",
                        CASE_MANAGER).status_code == 500
    finally:
        with database.begin() as connection:
            connection.execute(insert(audit_head).values(**head._mapping))
    assert verify(api)["intact"]
    assert api.call("GET", f"/participants/{participant}/identity", CASE_MANAGER).ok


def stored(database, entry_id):
    """The entry's row as the database holds it."""
    with database.connect() as connection:
        return connection.execute(select(audit_entries)
                                  .where(audit_entries.c.id == entry_id)).one()


def remove(database, entry_id):
    """Delete the entry from the database; returns its row, to put back."""
    row = stored(database, entry_id)
    with database.begin() as connection:
        connection.execute(delete(audit_entries).where(audit_entries.c.id == entry_id))
    return row


def put_back(database, row):
    with database.begin() as connection:
        connection.execute(insert(audit_entries).values(**row._mapping))


# --- export ---------------------------------------------------------------------------------

def test_the_log_exports_as_csv_a_row_per_entry(api):
    logged = read_three_times(api)
    participant = logged[0]["participant_id"]
    query = f"/audit/personal-data-reads?participant_id={participant}&format=csv"
    response = api.call("GET", query, PRIVACY_OFFICER)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows == [{**entry, "position": str(entry["position"]),
                     "fields": " ".join(entry["fields"])} for entry in logged]
    page = csv.DictReader(io.StringIO(api.call("GET", f"{query}&offset=1&limit=1",
                                               PRIVACY_OFFICER).text))
    assert [row["id"] for row in page] == [logged[1]["id"]]
    whole = api.call("GET", "/audit/personal-data-reads?format=csv&limit=500", PRIVACY_OFFICER)
    assert len(list(csv.DictReader(io.StringIO(whole.text)))) == verify(api)["entries"]
    wrong = api.call("GET", "/audit/personal-data-reads?format=xml", PRIVACY_OFFICER)
    assert wrong.status_code == 422 and "format" in wrong.json()["fields"]


def test_the_openapi_document_describes_the_audit(api):
    document = api.call("GET", "/openapi.json").json()
    reads = document["paths"]["/audit/personal-data-reads"]["get"]
    assert {"participant_id", "reader", "since", "until", "format"} <= {
        parameter["name"] for parameter in reads["parameters"]}
    assert "as CSV with format=csv" in reads["summary"]
    verified = document["paths"]["/audit/verify"]["get"]
    assert verified["summary"].endswith("which entry first breaks its hash chain.")
    assert set(document["components"]["schemas"]["ChainCheck"]["properties"]) == {
        "intact", "entries", "last_hash", "broken_at", "broken_entry", "problem"}
    assert "outcome" in document["components"]["schemas"]["PersonalDataRead"]["properties"]


@pytest.mark.parametrize("role", ["pi-case-manager", "operator", "trainer"])
def test_only_the_privacy_officer_checks_the_log(api, role):
    assert api.call("GET", "/audit/verify", role).status_code == 403
    assert api.call("GET", "/audit/verify").status_code == 401


# --- the database ---------------------------------------------------------------------------

def test_reads_logged_before_the_chain_join_it(amqp_uri, database_url, tmp_path):
    """A log from before it was a chain (only allowed reads were logged then) is chained at
    start, oldest first, and its old table goes."""
    old = [{"id": str(uuid.uuid4()), "participant_id": str(uuid.uuid4()), "reader": CASE_MANAGER,
            "role": CASE_MANAGER, "organisation": "pi", "fields": IDENTITY, "read_at": read_at}
           for read_at in ("2026-03-02T10:00:00+00:00", "2026-03-01T09:30:00.250000+00:00")]
    with fresh_database(make_url(database_url).get_backend_name(), tmp_path) as url:
        engine = create_engine(url)
        with engine.begin() as connection:
            _unchained_reads.create(connection)
            connection.execute(insert(_unchained_reads), [
                {**read, "read_at": datetime.fromisoformat(read["read_at"])} for read in old])
        with running_intake(amqp_uri, tmp_path, DATABASE_URL=url) as api:
            logged = entries(api)
            assert [(entry["id"], entry["position"], entry["outcome"], entry["read_at"])
                    for entry in logged] == [(old[1]["id"], 1, "allowed", old[1]["read_at"]),
                                             (old[0]["id"], 2, "allowed", old[0]["read_at"])]
            assert verify(api)["intact"]
        assert not inspect(engine).has_table("personal_data_reads")
        engine.dispose()


def test_a_read_while_the_database_is_away_answers_503(api, database_url):
    """Refused or allowed, a read that cannot be logged is not answered: 503, as for any
    request while the database is away."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the outage is caused on PostgreSQL")
    participant = new_participant(api)
    with away(database_url):
        for role in (CASE_MANAGER, "trainer"):
            response = api.call("GET", f"/participants/{participant}/identity", role)
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == "2"
    assert entries(api, participant_id=participant) == []
    assert api.call("GET", f"/participants/{participant}/identity", CASE_MANAGER).ok
    assert [entry["outcome"] for entry in entries(api, participant_id=participant)] == ["allowed"]
