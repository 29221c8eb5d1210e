"""The schema of the first release with migrations; it also adopts a database made before
(shared/migrations/baseline.py).

Revision ID: intake_0001

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa

from shared.migrations import baseline


revision = 'intake_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    baseline.create_table('audit_entries',
    sa.Column('position', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('participant_id', sa.String(length=36), nullable=True),
    sa.Column('reader', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.Enum('allowed', 'refused', 'not-found', name='outcome', native_enum=False, length=20), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('position'),
    sa.UniqueConstraint('id')
    )
    baseline.create_index('ix_audit_entries_participant_id', 'audit_entries', ['participant_id'], unique=False)
    baseline.create_index('ix_audit_entries_read_at', 'audit_entries', ['read_at'], unique=False)
    baseline.create_index('ix_audit_entries_reader', 'audit_entries', ['reader'], unique=False)

    baseline.create_table('audit_head',
    sa.Column('log', sa.String(length=40), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('log')
    )
    baseline.create_table('erasure_receipts',
    sa.Column('withdrawal_id', sa.String(length=36), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('withdrawal_id', 'service')
    )
    baseline.reliability_tables()
    baseline.create_table('participants',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('target_group', sa.String(length=40), nullable=False),
    sa.Column('institution', sa.String(length=120), nullable=False),
    sa.Column('municipality', sa.String(length=80), nullable=False),
    sa.Column('expected_release_date', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('REGISTERED', 'SCREENED', 'ADMITTED', 'REJECTED', 'RELEASED', 'WITHDRAWN', name='status', native_enum=False, length=20), nullable=False),
    sa.Column('screening', sa.JSON(), nullable=True),
    sa.Column('consents', sa.JSON(), nullable=False),
    sa.Column('basic_conditions', sa.JSON(), nullable=False),
    sa.Column('rejection_reason', sa.String(length=40), nullable=True),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=40), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    baseline.create_index('ix_participants_expected_release_date', 'participants', ['expected_release_date'], unique=False)
    baseline.create_index('ix_participants_status', 'participants', ['status'], unique=False)
    baseline.create_index('ix_participants_target_group', 'participants', ['target_group'], unique=False)

    baseline.create_table('identities',
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('active_bsn_index', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], ),
    sa.PrimaryKeyConstraint('participant_id'),
    sa.UniqueConstraint('active_bsn_index')
    )
    # Adopting a database of before municipalities were CBS codes.
    baseline.municipality_codes('participants', 'municipality')
