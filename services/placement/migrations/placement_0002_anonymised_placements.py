"""Placements say whether they were anonymised, so that an ended placement past its retention is
anonymised once (shared/retention.py).

Revision ID: placement_0002
Revises: placement_0001

One anonymised before this revision (on a withdrawal of consent) cannot be told apart and is
anonymised again when its retention passes: new random ids once more, nothing lost.
"""
import sqlalchemy as sa
from alembic import op

revision = 'placement_0002'
down_revision = 'placement_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
