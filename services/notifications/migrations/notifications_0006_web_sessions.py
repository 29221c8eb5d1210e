"""People sign in to the organisations' pages: their sessions and how the sign-ins of each
account went (shared/web/store.py web_tables).

Revision ID: notifications_0006
Revises: notifications_0005

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
from shared.migrations.web_sessions import create_web_tables

revision = 'notifications_0006'
down_revision = 'notifications_0005'
branch_labels = None
depends_on = None


def upgrade():
    create_web_tables()
