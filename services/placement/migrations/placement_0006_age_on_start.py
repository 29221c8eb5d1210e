"""Placements keep the employee's age on the first day where their wage is a youth wage
(wettelijk minimumjeugdloon) below the amount for 21 and over, to check the wage again when
the start is corrected; null for every placement before.

Revision ID: placement_0006
Revises: placement_0005
"""
import sqlalchemy as sa
from alembic import op

revision = 'placement_0006'
down_revision = 'placement_0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('age_on_start', sa.Integer(), nullable=True))
