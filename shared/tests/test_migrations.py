"""Every service's migrations, on SQLite and PostgreSQL: they build exactly the tables the code
declares, adopt a database an earlier release made without them, keep data from revision to
revision, change nothing when they fail halfway, and a service refuses a database that is not
at its revision."""
import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (JSON, Boolean, Date, DateTime, Integer, LargeBinary, MetaData, String,
                        create_engine, insert, inspect, select, text)

from doorstroom.chain import PROJECT_ROOT, SERVICES, service_command
from doorstroom.up import key_files
from shared import migrations
from shared.migrations import baseline
from shared.store import session_factory
from tests.broker import service_uri
from tests.databases import KINDS, fresh_database
from tests.harness import api_keys_file

BEFORE_MIGRATIONS = Path(__file__).parent / "before_migrations"

# Values as the release before migrations stored them, and what they mean now.
OLD_VALUES = {
    ("participants", "municipality"): ("Gorinchem", "0512"),
    ("employers", "municipality"): ("Dordrecht", "0505"),
    ("vacancies", "municipality"): ("Den Haag", "0518"),
    ("candidates", "municipality"): ("Gorinchem", "0512"),
    ("candidates", "banned_municipalities"): (["Den Haag", "Dordrecht"], ["0518", "0505"]),
    ("subscriptions", "municipality"): ("Dordrecht", "0505"),
    ("participant_places", "municipality"): ("Gorinchem", "0512"),
    ("recipients", "organisation"): ("employer", "employer:aaaaaaaa"),
}


def differences(url, service):
    """What Alembic's autogenerate would still do to make the database match the code."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, migrations.metadata_of(service))
    finally:
        engine.dispose()


def sample(column):
    """A value for any column, the same for columns of one type and length, so that a row
    referring to another by a key of the same kind finds it."""
    kind = column.type
    if isinstance(kind, Boolean):
        return True
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 5, 12, 30, tzinfo=timezone.utc)
    if isinstance(kind, Date):
        return date(2026, 1, 5)
    if isinstance(kind, JSON):
        return ["a"]
    if isinstance(kind, LargeBinary):
        return b"a"
    if isinstance(kind, String):
        return "a" * min(kind.length or 8, 8)
    raise AssertionError(f"no sample for {column.table.name}.{column.name} ({kind!r})")


def fill(url, overrides=None):
    """One row in every table."""
    overrides = overrides or {}
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            if table.name != "alembic_version":
                connection.execute(insert(table).values({
                    column.name: overrides.get((table.name, column.name), sample(column))
                    for column in table.columns}))
    engine.dispose()


def stored(url):
    """Every row of every table, as {table: [{column: value}]}."""
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        rows = {table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                for table in metadata.sorted_tables if table.name != "alembic_version"}
    engine.dispose()
    return rows


def load_schema_before_migrations(url, service, kind):
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in (BEFORE_MIGRATIONS / f"{service}.{kind}.sql").read_text().split(";\n"):
            if statement.strip():
                connection.exec_driver_sql(statement)
    engine.dispose()


def revisions(service):
    """The service's revisions, first to last."""
    script = ScriptDirectory.from_config(migrations.alembic_config(service, None))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("service", SERVICES)
def test_the_migrations_build_the_tables_the_code_declares(service, kind, tmp_path):
    with fresh_database(kind, tmp_path) as url:
        assert migrations.upgrade(service, url) == (None, migrations.head_revision(service))
        assert differences(url, service) == []
        # Run again, it finds nothing to do.
        assert migrations.upgrade(service, url) == (migrations.head_revision(service),) * 2


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("service", SERVICES)
def test_a_database_made_before_migrations_is_adopted(service, kind, tmp_path):
    """A database the release of 2026-11-23 made with create_all, holding a row in every table,
    ends at the first revision with the schema of now, every value kept or rewritten to what
    it means now (municipalities as codes, employers in their organisation)."""
    with fresh_database(kind, tmp_path) as url:
        load_schema_before_migrations(url, service, kind)
        overrides = {key: old for key, (old, _) in OLD_VALUES.items()}
        if service == "intake":
            from services.intake.domain import Identity
            from services.intake.store import IntakeUnitOfWork
            from services.intake.vault import IdentityVault
            vault = IdentityVault.from_config(key_files("intake", tmp_path))
            overrides["identities", "sealed"] = vault.seal(
                Identity("Jan de Vries", "111222333", date(1991, 4, 17)))
        fill(url, overrides)
        before = stored(url)
        migrations.upgrade(service, url)
        if service == "intake":
            # Its reads of personal data join the hash-chained audit log, and the names of its
            # identities their index, when intake starts.
            engine = create_engine(url)
            IntakeUnitOfWork.prepare(session_factory(engine), vault=vault)
            engine.dispose()
        assert differences(url, service) == []
        after = stored(url)
        for table, [row] in before.items():
            if table == "personal_data_reads":
                [entry] = after["audit_entries"]
                assert (entry["reader"], entry["participant_id"]) == (row["reader"],
                                                                      row["participant_id"])
                continue
            [kept] = after[table]
            for column, value in row.items():
                if (table, column) == ("recipients", "employer_id"):
                    continue
                expected = OLD_VALUES.get((table, column), (None, value))[1]
                assert kept[column] == expected, f"{table}.{column}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("service", SERVICES)
def test_every_revision_keeps_the_data_of_the_one_before(service, kind, tmp_path):
    with fresh_database(kind, tmp_path) as url:
        history = revisions(service)
        migrations.upgrade(service, url, history[0])
        fill(url)
        rows = stored(url)
        for revision in history[1:]:
            migrations.upgrade(service, url, revision)
        after = stored(url)
        for table, [row] in rows.items():
            # Alembic's own row says which revision the database is at: that changes.
            if table in after and table != "alembic_version":
                [kept] = after[table]
                assert {column: kept[column] for column in row if column in kept} == \
                    {column: value for column, value in row.items() if column in kept}, table


@pytest.mark.parametrize("kind", KINDS)
def test_programmes_that_stopped_before_they_had_an_end_date_end_on_their_last_result(
        kind, tmp_path):
    with fresh_database(kind, tmp_path) as url:
        migrations.upgrade("training", url, "training_0001")
        engine = create_engine(url)
        programme = {"language_level": "B1", "release_date": date(2026, 6, 1),
                     "enrolled_on": date(2026, 1, 5), "steps": []}
        results = [{"module": "employee-skills", "passed": True, "completed_on": "2026-03-02"},
                   {"module": "bhv", "passed": False, "completed_on": "2026-04-20"}]
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO programmes (id, participant_id, language_level, release_date, "
                "enrolled_on, steps, status, results, certificates) VALUES (:id, :id, "
                ":language_level, :release_date, :enrolled_on, '[]', :status, :results, '[]')"),
                [{**programme, "id": "p1", "status": "DROPPED_OUT", "results": json.dumps(results)},
                 {**programme, "id": "p2", "status": "ENDED", "results": "[]"},
                 {**programme, "id": "p3", "status": "ACTIVE", "results": "[]"}])
        migrations.upgrade("training", url)
        with engine.connect() as connection:
            ended = dict(connection.execute(text("SELECT id, ended_on FROM programmes")).all())
        engine.dispose()
        as_date = {key: value if value is None or isinstance(value, date)
                   else date.fromisoformat(value) for key, value in ended.items()}
        assert as_date == {"p1": date(2026, 4, 20), "p2": date(2026, 1, 5), "p3": None}


@pytest.mark.parametrize("kind", KINDS)
def test_a_placement_anonymised_before_gets_an_id_of_its_own(kind, tmp_path):
    with fresh_database(kind, tmp_path) as url:
        migrations.upgrade("placement", url, "placement_0004")
        fill(url)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("UPDATE placements SET anonymised = :yes"), {"yes": True})
        [before] = stored(url)["placements"]
        migrations.upgrade("placement", url, "placement_0005")
        [after] = stored(url)["placements"]
        engine.dispose()
        assert after["id"] != before["id"]
        assert {**after, "id": before["id"]} == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_migration_that_fails_halfway_changes_nothing(kind, tmp_path, monkeypatch):
    """Each revision runs in one transaction, on SQLite too: a failure after some of its tables
    were made leaves none of them, and no revision; the next run does it all."""
    made = []
    create_table = baseline.create_table

    def fails_at_the_fourth(name, *elements):
        if len(made) == 3:
            raise RuntimeError("the disk is full")
        made.append(name)
        create_table(name, *elements)

    with fresh_database(kind, tmp_path) as url:
        monkeypatch.setattr(baseline, "create_table", fails_at_the_fourth)
        with pytest.raises(RuntimeError, match="the disk is full"):
            migrations.upgrade("training", url)
        assert len(made) == 3
        engine = create_engine(url)
        assert inspect(engine).get_table_names() == []
        monkeypatch.setattr(baseline, "create_table", create_table)
        migrations.upgrade("training", url)
        assert set(inspect(engine).get_table_names()) > set(made)
        engine.dispose()
        assert differences(url, "training") == []


def migrate_command(service, url):
    return subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "doorstroom"), "migrate", service,
         "--database-url", url], cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)


def test_instances_that_migrate_at_once_take_turns(tmp_path):
    """As two containers of a service do, each running `doorstroom migrate` before it starts."""
    with fresh_database("postgresql", tmp_path) as url:
        commands = [migrate_command("matching", url) for _ in range(2)]
        outputs = [command.communicate(timeout=120)[0] for command in commands]
        assert [command.returncode for command in commands] == [0, 0], outputs
        assert sorted("was without a revision" in output for output in outputs) == [False, True]
        assert differences(url, "matching") == []


def start_refused(service, url, amqp_uri, directory):
    """`nameko run` of the service on `url`: its exit code and what it said."""
    env = {**os.environ, "DATABASE_URL": url, "AMQP_URI": service_uri(amqp_uri, service),
           "WEB_SERVER_ADDRESS": "127.0.0.1:0", "API_KEYS_FILE": str(api_keys_file(directory)[0]),
           **key_files(service, directory)}
    command = [os.path.join(os.path.dirname(sys.executable), "nameko"),
               *service_command(service)[1:]]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_a_service_does_not_start_on_a_database_that_is_not_at_its_revision(kind, tmp_path,
                                                                           amqp_uri):
    with fresh_database(kind, tmp_path) as url:
        code, said = start_refused("placement", url, amqp_uri, tmp_path)
        assert code != 0
        assert "has no schema revision" in said
        assert "Run `doorstroom migrate placement`" in said
        migrations.upgrade("placement", url)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'placement_0999'"))
        engine.dispose()
        code, said = start_refused("placement", url, amqp_uri, tmp_path)
        assert code != 0
        assert "placement_0999, which this release does not know" in said


def test_migrate_check_says_which_database_is_behind(tmp_path):
    url = f"sqlite:///{tmp_path / 'training.db'}"
    doorstroom = os.path.join(os.path.dirname(sys.executable), "doorstroom")
    behind = subprocess.run([doorstroom, "migrate", "--check", "training", "--database-url", url],
                            capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert behind.returncode == 1
    assert "Run `doorstroom migrate training`" in behind.stdout
    migrations.upgrade("training", url)
    current = subprocess.run([doorstroom, "migrate", "--check", "training", "--database-url", url],
                             capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert current.returncode == 0
    assert f"training: {migrations.head_revision('training')} (current)" in current.stdout


def test_migrate_says_what_it_did_as_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'training.db'}"
    doorstroom = os.path.join(os.path.dirname(sys.executable), "doorstroom")
    head = migrations.head_revision("training")
    runs = [subprocess.run([doorstroom, "migrate", "training", "--database-url", url, "--json"],
                           capture_output=True, text=True, cwd=PROJECT_ROOT) for _ in range(2)]
    assert [json.loads(run.stdout) for run in runs] == [
        {"training": {"revision": head, "was": None}},
        {"training": {"revision": head, "was": head}}]
