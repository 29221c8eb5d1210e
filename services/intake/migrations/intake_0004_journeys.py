"""A participant's page shows their journey through the chain: intake keeps what the other
services tell the PI of its participants (services/intake/store.py journeys).

Revision ID: intake_0004
Revises: intake_0003

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'intake_0004'
down_revision = 'intake_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('journeys',
    sa.Column('fact_id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=80), nullable=False),
    sa.Column('happened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ),
    sa.PrimaryKeyConstraint('fact_id', 'source')
    )
    op.create_index('ix_journeys_participant_id', 'journeys', ['participant_id'], unique=False)
    op.create_index('ix_journeys_happened_at', 'journeys', ['happened_at'], unique=False)
