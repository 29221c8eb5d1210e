"""Alembic's environment for every service: the service, its database and (for autogenerate)
its tables come from the configuration shared/migrations builds."""
from alembic import context
from sqlalchemy import types

from shared.migrations import metadata_of, migration_engine

config = context.config
service = config.attributes["service"]


def render_item(kind, item, autogen_context):
    # A revision records the column types the database holds, not our Python wrappers around
    # them (UtcDateTime, ValueObjects): it must still run when those have changed or gone.
    if kind == "type" and isinstance(item, types.TypeDecorator):
        return f"sa.{item.impl_instance!r}"
    return False


def run(connection):
    context.configure(connection=connection, target_metadata=metadata_of(service),
                      render_as_batch=True, compare_type=True, render_item=render_item,
                      transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = migration_engine(config.attributes["url"])
    with engine.connect() as connection:
        run(connection)
    engine.dispose()
