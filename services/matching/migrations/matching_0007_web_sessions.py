"""People sign in to the organisations' pages: their sessions and how the sign-ins of each
account went (shared/web/store.py web_tables).

Revision ID: matching_0007
Revises: matching_0006

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
from shared.migrations.web_sessions import create_web_tables

revision = 'matching_0007'
down_revision = 'matching_0006'
branch_labels = None
depends_on = None


def upgrade():
    create_web_tables()
