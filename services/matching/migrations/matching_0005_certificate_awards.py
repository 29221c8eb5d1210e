"""Candidates keep the certificates training awarded by the award's id, so that a correction
takes back the one award it names, and a certificate earned again stays.

Revision ID: matching_0005
Revises: matching_0004

A candidate's awards before this revision are kept by no id: a correction taking one of them
back takes back its certificate (Candidate.holds_award).

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'matching_0005'
down_revision = 'matching_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('certificate_awards', sa.JSON(),
                                      server_default=sa.text("'{}'"), nullable=False))
