"""The audit log of reads of personal data (shared/store.py audit_tables) as the revisions that
bring it to training, matching, placement and notifications create it (their `*_audit_log` revisions); intake's
first revision has had it from the start.

One step for the four, so that their logs are the same tables; a step a revision ran is never
changed afterwards: a later change to the log is a new revision of each service."""
import sqlalchemy as sa
from alembic import op


def create_audit_log():
    op.create_table(
        "audit_entries",
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=True),
        sa.Column("reader", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("organisation", sa.String(length=160), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.Enum("allowed", "refused", "not-found", name="outcome",
                                     native_enum=False, length=20), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("position"),
        sa.UniqueConstraint("id"),
    )
    for column in ("participant_id", "read_at", "reader"):
        op.create_index(f"ix_audit_entries_{column}", "audit_entries", [column], unique=False)
    op.create_table(
        "audit_head",
        sa.Column("log", sa.String(length=40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("log"),
    )
