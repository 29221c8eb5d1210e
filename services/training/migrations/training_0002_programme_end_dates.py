"""Programmes remember when they ended (completed, dropped out, ended) and whether they were
anonymised, so that each is anonymised once, when its retention has passed (shared/retention.py).

Revision ID: training_0002
Revises: training_0001

A programme that stopped before this revision gets, as its end, the day of its last result, or
else the day it was enrolled: never later than it really ended, so its retention never runs
longer than the one it should have had.
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = 'training_0002'
down_revision = 'training_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('anonymised', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_programmes_ended_on'), ['ended_on'], unique=False)
    programmes = sa.table("programmes", sa.column("id"), sa.column("status"),
                          sa.column("enrolled_on", sa.Date), sa.column("results", sa.JSON),
                          sa.column("ended_on", sa.Date))
    connection = op.get_bind()
    # A status is stored by its name.
    stopped = connection.execute(sa.select(programmes).where(programmes.c.status != "ACTIVE"))
    for programme in stopped.mappings().all():
        connection.execute(sa.update(programmes).where(programmes.c.id == programme["id"])
                           .values(ended_on=_last_day(programme)))


def _last_day(programme):
    days = [date.fromisoformat(result["completed_on"]) for result in programme["results"] or []
            if isinstance(result, dict) and result.get("completed_on")]
    return max(days, default=programme["enrolled_on"])
