"""Each service's schema as a history of Alembic revisions, in services/<service>/migrations/.

`doorstroom migrate` brings a database to the newest revision (`upgrade`); a service refuses to
start on a database that is behind or ahead of its code (`require_current`), so the schema only
ever changes by a migration an operator ran. Every revision runs in one transaction, on SQLite
as on PostgreSQL: a migration that fails halfway leaves the database as it was
(shared/tests/test_migrations.py::test_a_migration_that_fails_halfway_changes_nothing).
"""
import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event

from shared.store import one_instance_at_a_time

HERE = Path(__file__).parent
SERVICES_ROOT = HERE.parent.parent / "services"


class SchemaMismatch(Exception):
    """The database is not at the revision this release's code needs."""


def alembic_config(service, url):
    config = Config()
    # One environment and template for all; each service its own history.
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("version_locations", str(SERVICES_ROOT / service / "migrations"))
    config.set_main_option("path_separator", "os")
    config.attributes.update(service=service, url=url)
    return config


def metadata_of(service):
    """The service's tables as its code declares them (for autogenerate and its checks)."""
    store = importlib.import_module(f"services.{service}.store")
    return store.metadata


def migration_engine(url):
    """An engine for schema changes. pysqlite commits before DDL on its own, which would make
    each statement of a SQLite migration its own transaction; this one leaves the transaction
    to SQLAlchemy, so a revision commits or rolls back whole. Foreign keys stay unenforced
    while tables are rebuilt (Alembic's batch mode), as Alembic advises."""
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _no_implicit_commits(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN")
    return engine


def upgrade(service, url, revision="head"):
    """Bring the service's database at `url` to `revision`; instances that start at once take
    turns. Returns (revision before, revision after)."""
    engine = migration_engine(url)
    try:
        with one_instance_at_a_time(engine, service, "schema"):
            before = current_revision(engine)
            with engine.connect() as connection:
                config = alembic_config(service, url)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            return before, current_revision(engine)
    finally:
        engine.dispose()


def current_revision(engine):
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(service):
    return ScriptDirectory.from_config(alembic_config(service, None)).get_current_head()


def require_current(service, engine):
    """Refuse to run on a database whose schema is not the one this code was written for."""
    current, head = current_revision(engine), head_revision(service)
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        state = "has no schema revision (it is new, or was made before migrations)"
    elif _known(service, current):
        state = f"is at revision {current}, behind this release's {head}"
    else:
        raise SchemaMismatch(
            f"{service}'s database ({where}) is at revision {current}, which this release does "
            f"not know: a newer release migrated it. Run that release, or restore the database "
            f"from before the upgrade.")
    raise SchemaMismatch(f"{service}'s database ({where}) {state}. Run `doorstroom migrate "
                         f"{service}` (with the same DATABASE_URL) and start the service again.")


def _known(service, revision):
    script = ScriptDirectory.from_config(alembic_config(service, None))
    return any(r.revision == revision for r in script.walk_revisions())


def new_revision(service, message, scratch_url):
    """Write the next revision of the service's history: what its tables in code have that a
    database at the newest revision (made at `scratch_url`, an empty SQLite file) lacks."""
    upgrade(service, scratch_url)
    script = ScriptDirectory.from_config(alembic_config(service, None))
    number = len(list(script.walk_revisions())) + 1
    engine = migration_engine(scratch_url)
    try:
        with engine.connect() as connection:
            config = alembic_config(service, scratch_url)
            config.attributes["connection"] = connection
            return command.revision(config, message=message, autogenerate=True,
                                    rev_id=f"{service}_{number:04d}")
    finally:
        engine.dispose()
