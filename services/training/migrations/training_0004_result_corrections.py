"""Programmes keep the corrections of their recorded results: what a result was, what it
became, the reason, who corrected it and when.

Revision ID: training_0004
Revises: training_0003

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'training_0004'
down_revision = 'training_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrections', sa.JSON(), server_default=sa.text("'[]'"),
                                      nullable=False))
