"""Placements anonymised before take an id of their own, as an anonymised placement now does:
the PI, the municipality and probation keep facts that name the old one
(test_a_placement_anonymised_before_gets_an_id_of_its_own).

Revision ID: placement_0005
Revises: placement_0004
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = 'placement_0005'
down_revision = 'placement_0004'
branch_labels = None
depends_on = None

placements = sa.table('placements', sa.column('id', sa.String), sa.column('anonymised', sa.Boolean))


def upgrade():
    connection = op.get_bind()
    for (known_as,) in connection.execute(
            sa.select(placements.c.id).where(placements.c.anonymised.is_(True))).all():
        connection.execute(placements.update().where(placements.c.id == known_as)
                           .values(id=str(uuid.uuid4())))
