"""People sign in to the organisations' pages: their sessions and how the sign-ins of each
account went (shared/web/store.py web_tables).

Revision ID: intake_0003
Revises: intake_0002

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
from shared.migrations.web_sessions import create_web_tables

revision = 'intake_0003'
down_revision = 'intake_0002'
branch_labels = None
depends_on = None


def upgrade():
    create_web_tables()
