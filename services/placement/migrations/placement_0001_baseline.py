"""The schema of the first release with migrations; it also adopts a database made before
(shared/migrations/baseline.py).

Revision ID: placement_0001

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa

from shared.migrations import baseline


revision = 'placement_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    baseline.reliability_tables()
    baseline.create_table('participants',
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('target_group', sa.String(length=40), nullable=False),
    sa.Column('municipality', sa.String(length=80), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('participant_id')
    )
    baseline.create_table('placements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('match_id', sa.String(length=36), nullable=False),
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('employer_id', sa.String(length=36), nullable=False),
    sa.Column('vacancy_id', sa.String(length=36), nullable=False),
    sa.Column('occupation', sa.String(length=60), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('PLANNED', 'STARTED', 'ENDED', name='status', native_enum=False, length=20), nullable=False),
    sa.Column('contract_type', sa.String(length=40), nullable=True),
    sa.Column('hourly_wage_cents', sa.Integer(), nullable=True),
    sa.Column('job_coach', sa.String(length=120), nullable=True),
    sa.Column('subsidy', sa.JSON(), nullable=True),
    sa.Column('no_risk_policy', sa.Boolean(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('sustained', sa.Boolean(), nullable=False),
    sa.Column('risk', sa.String(length=20), nullable=False),
    sa.Column('check_ins', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('match_id')
    )
    baseline.create_index('ix_placements_employer_id', 'placements', ['employer_id'], unique=False)
    baseline.create_index('ix_placements_participant_id', 'placements', ['participant_id'], unique=False)
    baseline.create_index('ix_placements_started_on', 'placements', ['started_on'], unique=False)
    baseline.create_index('ix_placements_status', 'placements', ['status'], unique=False)

    # Adopting a database of before municipalities were CBS codes.
    baseline.municipality_codes('participants', 'municipality')
