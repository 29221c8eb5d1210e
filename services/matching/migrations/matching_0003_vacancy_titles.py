"""Vacancies have a title and, optionally, a description, which the vacancy list searches
(GET /vacancies?q=).

Revision ID: matching_0003
Revises: matching_0002
Create Date: 2026-12-03

A vacancy published before this revision is called after its occupation, as one published
without a title is now.

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'matching_0003'
down_revision = 'matching_0002'
branch_labels = None
depends_on = None

# The occupations' names as this revision was written (shared/contracts/vocabulary.py), so that
# it runs the same whatever the vocabulary becomes.
OCCUPATION_NAMES = {
    'office-cleaner': 'Office cleaner',
    'industrial-cleaner': 'Industrial cleaner',
    'warehouse-worker': 'Warehouse worker',
    'forklift-driver': 'Forklift driver',
    'construction-labourer': 'Construction labourer',
    'road-worker': 'Road worker',
    'kitchen-assistant': 'Kitchen assistant',
    'cook': 'Cook',
    'van-driver': 'Van driver',
    'truck-driver': 'Truck driver',
    'gardener': 'Gardener',
    'production-worker': 'Production worker',
    'building-caretaker': 'Building caretaker',
}


def upgrade():
    with op.batch_alter_table('vacancies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('description', sa.String(length=2000), nullable=True))
    vacancies = sa.table('vacancies', sa.column('occupation'), sa.column('title'))
    # An occupation this release does not know keeps its code as its title.
    op.execute(sa.update(vacancies).values(title=sa.case(
        OCCUPATION_NAMES, value=vacancies.c.occupation, else_=vacancies.c.occupation)))
    with op.batch_alter_table('vacancies', schema=None) as batch_op:
        batch_op.alter_column('title', existing_type=sa.String(length=120), nullable=False)
