"""The modules of training's catalogue that its facts told of (training.module_added,
module_changed), for the advice to a near miss.

Revision ID: matching_0006
Revises: matching_0005
Create Date: 2026-12-03

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'matching_0006'
down_revision = 'matching_0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'training_modules',
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('certificate', sa.String(length=60), nullable=False),
        sa.Column('weeks', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('code'),
    )
