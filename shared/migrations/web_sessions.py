"""The tables of the pages' sessions and sign-in attempts (shared/web/store.py web_tables), as
each service's `*_web_sessions` revision creates them: one step for the five, so that they are
the same tables."""
import sqlalchemy as sa
from alembic import op


def create_web_tables():
    op.create_table(
        "web_sessions",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("person", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("second_factor_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("account_version", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("token_sha256"),
    )
    op.create_index("ix_web_sessions_person", "web_sessions", ["person"], unique=False)
    op.create_index("ix_web_sessions_started_at", "web_sessions", ["started_at"], unique=False)
    op.create_table(
        "sign_in_attempts",
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_code_step", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("account"),
    )
