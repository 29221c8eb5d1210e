"""Facts forwarded to integrators wait in an outbox of their own until published to the
integrator's exchange, one row per integrator (services/notifications/forwarding.py).

Revision ID: notifications_0002
Revises: notifications_0001

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
from alembic import op
import sqlalchemy as sa


revision = 'notifications_0002'
down_revision = 'notifications_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('integrator_outbox',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('integrator', sa.String(length=80), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('envelope', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('set_aside_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('event_id', 'integrator')
    )
    op.create_index('ix_integrator_outbox_published_at', 'integrator_outbox', ['published_at'])
    op.create_index('ix_integrator_outbox_subject', 'integrator_outbox', ['subject'])
