"""Notifications remembers whom it informed of whom for which purpose (by a hash of the
participant's id) once the deliveries and forwarded copies themselves are purged, so that a
later withdrawal of that purpose still reaches every recipient and integrator that was told
(shared/retention.py, shared/tests/test_retention.py).

Revision ID: notifications_0003
Revises: notifications_0002

Deliveries and copies purged before this revision left no such trace: there were none, as
purging came with it.
"""
import sqlalchemy as sa
from alembic import op

revision = 'notifications_0003'
down_revision = 'notifications_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'informed',
        sa.Column('party', sa.String(length=120), nullable=False),
        sa.Column('participant', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('party', 'participant', 'purpose'),
    )
