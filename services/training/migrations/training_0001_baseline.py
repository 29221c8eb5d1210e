"""The schema of the first release with migrations; it also adopts a database made before
(shared/migrations/baseline.py).

Revision ID: training_0001

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa

from shared.migrations import baseline


revision = 'training_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    baseline.create_table('certificate_numbers',
    sa.Column('number', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('number')
    )
    baseline.create_table('cohorts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('module', sa.String(length=60), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('trainer', sa.String(length=120), nullable=False),
    sa.Column('members', sa.JSON(), nullable=False),
    sa.Column('sessions', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    baseline.create_index('ix_cohorts_module', 'cohorts', ['module'], unique=False)

    baseline.reliability_tables()
    baseline.create_table('modules',
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('certificate', sa.String(length=60), nullable=False),
    sa.Column('issuer', sa.String(length=120), nullable=False),
    sa.Column('valid_years', sa.Integer(), nullable=True),
    sa.Column('sectors', sa.JSON(), nullable=False),
    sa.Column('required_modules', sa.JSON(), nullable=False),
    sa.Column('min_language_level', sa.String(length=2), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    baseline.create_table('programmes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('language_level', sa.String(length=2), nullable=False),
    sa.Column('release_date', sa.Date(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('ACTIVE', 'COMPLETED', 'DROPPED_OUT', 'ENDED', name='status', native_enum=False, length=20), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('drop_out_reason', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('participant_id')
    )
    baseline.create_table('vacancy_demand',
    sa.Column('vacancy_id', sa.String(length=36), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('open', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('vacancy_id')
    )
    baseline.create_table('waiting_list',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('module', sa.String(length=60), nullable=False),
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('module', 'participant_id', name='uq_waiting_module_participant')
    )
    baseline.create_index('ix_waiting_list_module', 'waiting_list', ['module'], unique=False)
    baseline.create_index('ix_waiting_list_participant_id', 'waiting_list', ['participant_id'], unique=False)

