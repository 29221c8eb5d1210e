"""Modules keep the revision the chain knows them by (training.module_added, module_changed).
A module made before this revision has 0, as the chain was never told of it: training tells it
when it starts (TrainingUnitOfWork.prepare).

Revision ID: training_0005
Revises: training_0004

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'training_0005'
down_revision = 'training_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0',
                                      nullable=False))
