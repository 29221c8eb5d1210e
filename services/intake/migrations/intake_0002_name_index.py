"""Participants are found by name through the keyed hashes of its words (services/intake/vault.py
name_index); the names of identities sealed before are indexed when the service starts, since
only it holds the key (IdentityRepository.index_names).

Revision ID: intake_0002
Revises: intake_0001
"""
import sqlalchemy as sa
from alembic import op

revision = 'intake_0002'
down_revision = 'intake_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('name_index',
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('word', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['identities.participant_id'], ),
    sa.PrimaryKeyConstraint('participant_id', 'word')
    )
    op.create_index('ix_name_index_word', 'name_index', ['word'], unique=False)
