"""The bit sets of candidates' and vacancies' codes are 64-bit integers: a kind of code may have
up to 62 codes (services/matching/store.py, bit_positions). On SQLite they already were.

Revision ID: matching_0004
Revises: matching_0003
Create Date: 2026-12-03

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'matching_0004'
down_revision = 'matching_0003'
branch_labels = None
depends_on = None

BIT_SETS = {
    'candidates': ('certificate_bits', 'skill_bits', 'occupation_bits', 'sector_bits',
                   'vog_bits', 'restriction_bits'),
    'vacancies': ('required_certificate_bits', 'desired_certificate_bits', 'skill_bits',
                  'vog_bits'),
}


def upgrade():
    for table, columns in BIT_SETS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.alter_column(column, existing_type=sa.Integer(), type_=sa.BigInteger(),
                                      existing_nullable=False)
