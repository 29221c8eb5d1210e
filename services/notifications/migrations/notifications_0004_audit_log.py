"""The audit log of reads of personal data: every attempt to read what notifications holds about a
participant (GET /events), allowed or refused, is logged in a
tamper-evident hash chain that the privacy officer checks (GET /audit/verify,
`doorstroom audit verify`). Until this release only intake kept one.

Revision ID: notifications_0004
Revises: notifications_0003

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
from shared.migrations.audit_log import create_audit_log

revision = 'notifications_0004'
down_revision = 'notifications_0003'
branch_labels = None
depends_on = None


def upgrade():
    # The log's head row is written when the service starts (UnitOfWork.prepare).
    create_audit_log()
