"""Placements keep the corrections of their recorded start and end: the day recorded before,
the day it became, the reason, who corrected it and when.

Revision ID: placement_0004
Revises: placement_0003

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'placement_0004'
down_revision = 'placement_0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrections', sa.JSON(), server_default=sa.text("'[]'"),
                                      nullable=False))
