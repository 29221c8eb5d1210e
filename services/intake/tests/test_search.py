"""Finding participants at the PI, over real HTTP on SQLite and PostgreSQL: filters by
municipality and institution with the total count of all pages, and search by name or BSN
through keyed hashes (the database holds no word of a name in readable form), each search
logged as a read of everyone it finds, of what they were found by."""
import uuid

import pytest
from sqlalchemy import create_engine, delete

from doorstroom.up import key_files
from services.intake.store import IntakeUnitOfWork, name_index
from services.intake.tests.test_api import CASE_MANAGER, identity, registration, unique_bsn
from services.intake.tests.test_audit import PRIVACY_OFFICER
from services.intake.vault import IdentityVault
from shared.database import session_factory
from tests.harness import running_intake


@pytest.fixture(scope="module")
def api(amqp_uri, directory, database_url):
    with running_intake(amqp_uri, directory, DATABASE_URL=database_url) as api:
        yield api


def register(api, name="Jan de Vries", bsn=None, **overrides):
    body = registration(**overrides)
    body["identity"] = identity(bsn or unique_bsn(), name=name)
    response = api.call("POST", "/participants", CASE_MANAGER, body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def listed(api, query, role=CASE_MANAGER):
    response = api.call("GET", f"/participants?{query}", role)
    assert response.status_code == 200, response.text
    return [participant["id"] for participant in response.json()], response.headers


def test_filters_by_municipality_and_institution_with_the_total_of_all_pages(api):
    institution = f"PI {uuid.uuid4().hex[:8]}"
    here = [register(api, institution=institution, municipality="0599") for _ in range(3)]
    elsewhere = register(api, institution=institution, municipality="0363")
    ids, headers = listed(api, f"institution={institution}&municipality=0599&limit=2")
    assert len(ids) == 2 and set(ids) < set(here)
    assert headers["X-Total-Count"] == "3"
    ids, headers = listed(api, f"institution={institution}&offset=4")
    assert ids == [] and headers["X-Total-Count"] == "4"
    assert listed(api, f"institution={institution}&municipality=0363")[0] == [elsewhere]
    bad = api.call("GET", "/participants?municipality=Atlantis", CASE_MANAGER)
    assert bad.status_code == 422 and "municipality" in bad.json()["fields"]


def test_a_participant_is_found_by_words_of_their_name_regardless_of_accents_and_capitals(api):
    surname = f"Özdemir{uuid.uuid4().hex[:6]}"
    found = register(api, name=f"Ayşe van {surname}")
    other = register(api, name=f"Mehmet {surname}")
    plain = surname.replace("Ö", "o").lower()
    assert set(listed(api, f"name={plain}")[0]) == {found, other}
    assert listed(api, f"name=AYSE%20{plain}")[0] == [found]
    assert listed(api, f"name=Ay%20{plain}")[0] == [], "words are found whole, never in part"
    assert api.call("GET", "/participants?name=%20-%20", CASE_MANAGER).status_code == 422


@pytest.mark.parametrize("registered, typed", [
    ("Yılmaz", "yilmaz"), ("Wałęsa", "walesa"), ("Straße", "strasse"), ("Øvergaard", "overgaard"),
    ("İnce", "ince"), ("Петров", "ПЕТРОВ")])
def test_a_name_is_found_as_a_keyboard_without_its_letters_types_it(api, registered, typed):
    marker = uuid.uuid4().hex[:8]
    found = register(api, name=f"{registered} {marker}")
    assert listed(api, f"name={typed}%20{marker}")[0] == [found]


def test_a_participant_in_the_chain_is_found_by_bsn(api):
    bsn = unique_bsn()
    found = register(api, bsn=bsn)
    assert listed(api, f"bsn={bsn}")[0] == [found]
    assert listed(api, f"bsn={unique_bsn()}")[0] == []
    bad = api.call("GET", "/participants?bsn=123456789", CASE_MANAGER)
    assert bad.status_code == 422 and "bsn" in bad.json()["fields"]


def test_a_search_is_logged_as_a_read_of_what_they_were_found_by(api):
    bsn, name = unique_bsn(), f"Kim {uuid.uuid4().hex[:8]}"
    found = register(api, name=name, bsn=bsn)
    assert listed(api, f"name={name.split()[1]}&bsn={bsn}")[0] == [found]
    entries = api.call("GET", f"/audit/personal-data-reads?participant_id={found}",
                       PRIVACY_OFFICER).json()
    assert [entry["fields"] for entry in entries] == [
        ["screening", "consents", "basic_conditions", "name", "bsn"]]
    refused = api.call("GET", f"/participants?bsn={bsn}", "trainer")
    assert refused.status_code == 403


def test_a_search_is_logged_as_a_read_of_everyone_it_finds(api):
    """Its total tells of those on other pages too."""
    surname = f"Bakker{uuid.uuid4().hex[:6]}"
    found = {register(api, name=f"Sam {surname}") for _ in range(2)}
    ids, headers = listed(api, f"name={surname}&offset=5")
    assert ids == [] and headers["X-Total-Count"] == "2"
    for participant in found:
        entries = api.call("GET", f"/audit/personal-data-reads?participant_id={participant}",
                           PRIVACY_OFFICER).json()
        assert [entry["fields"] for entry in entries] == [
            ["screening", "consents", "basic_conditions", "name"]]


def test_names_sealed_before_they_were_indexed_are_indexed_when_intake_starts(
        api, directory, database_url):
    name = f"Noor {uuid.uuid4().hex[:8]}"
    found = register(api, name=name)
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(delete(name_index).where(name_index.c.participant_id == found))
    assert listed(api, f"name={name.split()[1]}")[0] == []
    vault = IdentityVault.from_config(key_files("intake", directory))
    IntakeUnitOfWork.prepare(session_factory(engine), vault=vault)
    engine.dispose()
    assert listed(api, f"name={name.split()[1]}")[0] == [found]
