"""The schema of the first release with migrations; it also adopts a database made before
(shared/migrations/baseline.py).

Revision ID: matching_0001

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa

from shared.migrations import baseline


revision = 'matching_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    baseline.create_table('candidates',
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('municipality', sa.String(length=80), nullable=False),
    sa.Column('expected_release_date', sa.Date(), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('may_work_outside_from', sa.Date(), nullable=True),
    sa.Column('language_level', sa.String(length=2), nullable=False),
    sa.Column('occupations', sa.JSON(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('preferred_sectors', sa.JSON(), nullable=False),
    sa.Column('hours_per_week', sa.Integer(), nullable=True),
    sa.Column('restrictions', sa.JSON(), nullable=False),
    sa.Column('banned_municipalities', sa.JSON(), nullable=False),
    sa.Column('vog_risk_areas', sa.JSON(), nullable=False),
    sa.Column('curfew_starts_at', sa.String(length=5), nullable=True),
    sa.Column('curfew_ends_at', sa.String(length=5), nullable=True),
    sa.Column('certificates', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('IN_TRAINING', 'READY', 'DROPPED_OUT', 'PLACED', name='candidatestatus', native_enum=False, length=20), nullable=False),
    sa.Column('ranked_on', sa.Date(), nullable=True),
    sa.Column('available_day', sa.Integer(), nullable=False),
    sa.Column('language_rank', sa.Integer(), nullable=False),
    sa.Column('certificate_bits', sa.Integer(), nullable=False),
    sa.Column('skill_bits', sa.Integer(), nullable=False),
    sa.Column('occupation_bits', sa.Integer(), nullable=False),
    sa.Column('sector_bits', sa.Integer(), nullable=False),
    sa.Column('vog_bits', sa.Integer(), nullable=False),
    sa.Column('restriction_bits', sa.Integer(), nullable=False),
    sa.Column('vocabulary_version', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('participant_id')
    )
    baseline.create_index('ix_candidates_available_day', 'candidates', ['available_day'], unique=False)
    baseline.create_index('ix_candidates_status', 'candidates', ['status'], unique=False)

    baseline.create_table('departures',
    sa.Column('participant', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('participant')
    )
    baseline.create_table('employers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('municipality', sa.String(length=80), nullable=False),
    sa.Column('contact_name', sa.String(length=120), nullable=False),
    sa.Column('contact_email', sa.String(length=200), nullable=False),
    sa.Column('social_return', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    baseline.reliability_tables()
    baseline.create_table('proposals',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('vacancy_id', sa.String(length=36), nullable=False),
    sa.Column('employer_id', sa.String(length=36), nullable=False),
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('employer_view', sa.JSON(), nullable=False),
    sa.Column('candidate_summary', sa.JSON(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('PROPOSED', 'ACCEPTED', 'DECLINED', 'EXPIRED', name='proposalstatus', native_enum=False, length=20), nullable=False),
    sa.Column('employer_accepted', sa.Boolean(), nullable=False),
    sa.Column('candidate_accepted', sa.Boolean(), nullable=False),
    sa.Column('declined_by', sa.String(length=20), nullable=True),
    sa.Column('decline_reason', sa.String(length=200), nullable=True),
    sa.Column('expiry_reason', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('vacancy_id', 'participant_id', name='uq_proposal_vacancy_candidate')
    )
    baseline.create_index('ix_proposals_employer_id', 'proposals', ['employer_id'], unique=False)
    baseline.create_index('ix_proposals_expires_at', 'proposals', ['expires_at'], unique=False)
    baseline.create_index('ix_proposals_participant_id', 'proposals', ['participant_id'], unique=False)
    baseline.create_index('ix_proposals_status', 'proposals', ['status'], unique=False)
    baseline.create_index('ix_proposals_vacancy_id', 'proposals', ['vacancy_id'], unique=False)
    baseline.create_index('uq_proposal_pending_candidate', 'proposals', ['participant_id'], unique=True, postgresql_where=sa.text("status = 'PROPOSED'"), sqlite_where=sa.text("status = 'PROPOSED'"))

    baseline.create_table('vacancies',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('employer_id', sa.String(length=36), nullable=False),
    sa.Column('occupation', sa.String(length=60), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('municipality', sa.String(length=80), nullable=False),
    sa.Column('postcode', sa.String(length=7), nullable=True),
    sa.Column('hours_per_week', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('positions', sa.Integer(), nullable=False),
    sa.Column('required_certificates', sa.JSON(), nullable=False),
    sa.Column('desired_certificates', sa.JSON(), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('min_language_level', sa.String(length=2), nullable=True),
    sa.Column('vog_required', sa.Boolean(), nullable=False),
    sa.Column('vog_risk_areas', sa.JSON(), nullable=False),
    sa.Column('works_with_minors', sa.Boolean(), nullable=False),
    sa.Column('works_with_vulnerable_people', sa.Boolean(), nullable=False),
    sa.Column('shift_starts_at', sa.String(length=5), nullable=True),
    sa.Column('shift_ends_at', sa.String(length=5), nullable=True),
    sa.Column('accepted', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('OPEN', 'FILLED', 'CLOSED', name='vacancystatus', native_enum=False, length=20), nullable=False),
    sa.Column('start_day', sa.Integer(), nullable=False),
    sa.Column('required_certificate_bits', sa.Integer(), nullable=False),
    sa.Column('desired_certificate_bits', sa.Integer(), nullable=False),
    sa.Column('desired_certificate_count', sa.Integer(), nullable=False),
    sa.Column('skill_bits', sa.Integer(), nullable=False),
    sa.Column('skill_count', sa.Integer(), nullable=False),
    sa.Column('vog_bits', sa.Integer(), nullable=False),
    sa.Column('min_language_rank', sa.Integer(), nullable=False),
    sa.Column('vocabulary_version', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    baseline.create_index('ix_vacancies_employer_id', 'vacancies', ['employer_id'], unique=False)
    baseline.create_index('ix_vacancies_start_day', 'vacancies', ['start_day'], unique=False)
    baseline.create_index('ix_vacancies_status', 'vacancies', ['status'], unique=False)
    # Adopting a database of before municipalities were CBS codes.
    baseline.municipality_codes('employers', 'municipality')
    baseline.municipality_codes('vacancies', 'municipality')
    baseline.municipality_codes('candidates', 'municipality')
    baseline.municipality_codes('candidates', 'banned_municipalities', many=True)
