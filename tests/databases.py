"""A fresh, empty database per test module: a SQLite file, or a new PostgreSQL database that is
dropped afterwards. PostgreSQL is found at TEST_POSTGRES_URL (a database the user may connect
to and create databases from)."""
import os
import uuid
from contextlib import contextmanager

from sqlalchemy import MetaData, create_engine, make_url, select, text

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
KINDS = ("sqlite", "postgresql")


@contextmanager
def fresh_database(kind, directory=None, server_url=POSTGRES_URL, prefix="doorstroom_test_"):
    if kind == "sqlite":
        yield f"sqlite:///{directory / 'service.db'}"
        return
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def chain_databases(services, server_url=POSTGRES_URL, prefix="doorstroom_test_"):
    """For `doorstroom up --postgres SERVER --database-prefix PREFIX`: a prefix of the caller's
    own and {service: URL} of the database up makes for each service; they are dropped
    afterwards."""
    prefix = f"{prefix}{uuid.uuid4().hex[:8]}_"
    server = make_url(server_url)
    try:
        yield prefix, {service: server.set(database=f"{prefix}{service}")
                       .render_as_string(hide_password=False) for service in services}
    finally:
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for service in services:
                connection.execute(
                    text(f'DROP DATABASE IF EXISTS "{prefix}{service}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def away(url, server_url=POSTGRES_URL):
    """The PostgreSQL database at `url` away while the block runs: its connections ended and no
    new one let in."""
    name = make_url(url).database
    # Only from another database may one refuse connections to it.
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name AND pid <> pg_backend_pid()"),
                           {"name": name})
    try:
        yield
    finally:
        with server.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        server.dispose()


def stored_bytes(url, directory):
    """Everything the database holds, as bytes to search: the raw files of a SQLite database,
    every value of every table of a PostgreSQL one."""
    if url.startswith("sqlite"):
        return b"".join(path.read_bytes() for path in directory.glob("service.db*"))
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return b"".join(
                value if isinstance(value, bytes) else str(value).encode()
                for table in metadata.sorted_tables
                for row in connection.execute(select(table)) for value in row)
    finally:
        engine.dispose()
