"""The audit log of reads of personal data: every attempt to read what training holds about a
participant (GET /events), allowed or refused, is logged in a
tamper-evident hash chain that the privacy officer checks (GET /audit/verify,
`doorstroom audit verify`). Until this release only intake kept one.

Revision ID: training_0003
Revises: training_0002

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
from shared.migrations.audit_log import create_audit_log

revision = 'training_0003'
down_revision = 'training_0002'
branch_labels = None
depends_on = None


def upgrade():
    # The log's head row is written when the service starts (UnitOfWork.prepare).
    create_audit_log()
