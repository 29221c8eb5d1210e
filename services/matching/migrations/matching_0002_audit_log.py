"""The audit log of reads of personal data: every attempt to read what matching holds about a
participant (candidate profiles and their assessments, GET /events), allowed or refused, is
logged in a tamper-evident hash chain that the privacy officer checks (GET /audit/verify,
`doorstroom audit verify`). Until this release only intake kept one.

Revision ID: matching_0002
Revises: matching_0001
Create Date: 2026-12-02

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
from shared.migrations.audit_log import create_audit_log

revision = 'matching_0002'
down_revision = 'matching_0001'
branch_labels = None
depends_on = None


def upgrade():
    # The log's head row is written when the service starts (UnitOfWork.prepare).
    create_audit_log()
