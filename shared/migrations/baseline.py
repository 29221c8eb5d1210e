"""What each service's first revision builds its tables with, in place of `op.create_table` and
`op.create_index`.

Before there were migrations each service made its tables with `create_all` when it started,
and later releases added columns, constraints and tables that reached only new databases. The
first revision therefore also adopts such a database: a table it holds already gets the columns
and unique constraints it lacks, and text columns made narrower than now are widened, so that
every database, new or made by an earlier release, ends at the same first revision with the
same schema (shared/tests/test_migrations.py::test_a_database_made_before_migrations_is_adopted).
Values whose meaning changed since are rewritten too (`municipality_codes`).
"""
import logging

import sqlalchemy as sa
from alembic import op

from shared.contracts.municipalities import meant, municipality_code

log = logging.getLogger(__name__)


def create_table(name, *elements):
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table(name):
        op.create_table(name, *elements)
        return
    present = {column["name"]: column for column in inspector.get_columns(name)}
    unique = {tuple(constraint["column_names"])
              for constraint in inspector.get_unique_constraints(name)}
    unique |= {tuple(index["column_names"]) for index in inspector.get_indexes(name)
               if index["unique"]}
    columns = [element for element in elements if isinstance(element, sa.Column)]
    missing_unique = [element for element in elements
                      if isinstance(element, sa.UniqueConstraint)
                      and tuple(_column_names(element)) not in unique]
    missing_unique += [sa.UniqueConstraint(column.name) for column in columns
                       if column.unique and (column.name,) not in unique]
    with op.batch_alter_table(name) as batch:
        for column in columns:
            found = present.get(column.name)
            if found is None:
                batch.add_column(column)
            elif _narrower(found["type"], column.type):
                batch.alter_column(column.name, type_=column.type,
                                   existing_nullable=column.nullable)
        for constraint in missing_unique:
            columns_of = _column_names(constraint)
            batch.create_unique_constraint(
                constraint.name or f"uq_{name}_{'_'.join(columns_of)}", columns_of)


def create_index(name, table, columns, **kwargs):
    if name not in {index["name"] for index in sa.inspect(op.get_bind()).get_indexes(table)}:
        op.create_index(name, table, columns, **kwargs)


def drop_column_if_present(table, column):
    if column in {found["name"] for found in sa.inspect(op.get_bind()).get_columns(table)}:
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)


def municipality_codes(table, column, many=False):
    """Municipalities were stored by name before they were CBS codes: each such name becomes
    its code (a list of them too, with `many`). A value that names no municipality is left as
    it is, and said."""
    connection = op.get_bind()
    if many:
        keys = _primary_key(table)
        whole = sa.table(table, sa.column(column, sa.JSON), *(sa.column(key) for key in keys))
        for row in connection.execute(sa.select(whole)).mappings():
            codes = [_code(value, table, column) for value in row[column] or []]
            if codes != (row[column] or []):
                connection.execute(sa.update(whole).values({column: codes}).where(
                    *(whole.c[key] == row[key] for key in keys)))
        return
    rows = sa.table(table, sa.column(column))
    for (value,) in connection.execute(sa.select(rows.c[column]).distinct()):
        code = _code(value, table, column) if value is not None else None
        if code != value:
            connection.execute(sa.update(rows).where(rows.c[column] == value)
                               .values({column: code}))


def _code(value, table, column):
    code = municipality_code(value) or (meant(value) or (None,))[0]
    if code is None:
        log.warning("%s.%s: %r names no municipality; left as it is", table, column, value)
        return value
    return code


def _primary_key(table):
    return sa.inspect(op.get_bind()).get_pk_constraint(table)["constrained_columns"]


def _column_names(constraint):
    # A constraint not yet in a table knows its columns only by the names it was given.
    return [str(column) for column in constraint._pending_colargs]


def _narrower(found, wanted):
    return (isinstance(wanted, sa.String) and wanted.length is not None
            and getattr(found, "length", None) is not None and found.length < wanted.length)


def reliability_tables():
    """The tables every service's first revision has alike (shared/store.py
    reliability_tables, as it was then): outbox, inbox, subject sequences and order, keyed
    requests."""
    create_table('inbox',
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('source', 'event_id')
    )
    create_table('keyed_requests',
    sa.Column('caller', sa.String(length=200), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('caller', 'key')
    )
    create_index('ix_keyed_requests_received_at', 'keyed_requests', ['received_at'], unique=False)
    create_table('outbox',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('envelope', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('set_aside_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('event_id')
    )
    create_index('ix_outbox_published_at', 'outbox', ['published_at'], unique=False)
    create_index('ix_outbox_subject', 'outbox', ['subject'], unique=False)
    create_table('subject_order',
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('applied', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('stream')
    )
    create_table('subject_sequences',
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('last', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('stream')
    )
