"""The schema of the first release with migrations; it also adopts a database made before
(shared/migrations/baseline.py).

Revision ID: notifications_0001

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

from shared.migrations import baseline


revision = 'notifications_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    baseline.create_table('deliveries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('recipient_id', sa.String(length=36), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('event_source', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('event_type', sa.String(length=200), nullable=False),
    sa.Column('envelope', sa.JSON(), nullable=False),
    sa.Column('summary', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('PENDING', 'QUEUED_FOR_DIGEST', 'DELIVERED', 'FAILED', name='deliverystatus', native_enum=False, length=20), nullable=False),
    sa.Column('attempts', sa.JSON(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('recipient_id', 'event_source', 'event_id', 'channel', name='uq_delivery_recipient_fact_channel')
    )
    baseline.create_index('ix_deliveries_event_id', 'deliveries', ['event_id'], unique=False)
    baseline.create_index('ix_deliveries_next_attempt_at', 'deliveries', ['next_attempt_at'], unique=False)
    baseline.create_index('ix_deliveries_recipient_id', 'deliveries', ['recipient_id'], unique=False)
    baseline.create_index('ix_deliveries_status', 'deliveries', ['status'], unique=False)

    baseline.reliability_tables()
    baseline.create_table('participant_places',
    sa.Column('participant_id', sa.String(length=36), nullable=False),
    sa.Column('municipality', sa.String(length=80), nullable=True),
    sa.Column('informs_municipality', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('participant_id')
    )
    baseline.create_table('recipients',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('organisation', sa.String(length=160), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('webhook_url', sa.String(length=500), nullable=True),
    sa.Column('webhook_secret', sa.String(length=200), nullable=True),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('last_digest_on', sa.Date(), nullable=True),
    sa.Column('digest_retry_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    baseline.create_index('ix_recipients_organisation', 'recipients', ['organisation'], unique=False)

    baseline.create_table('subscriptions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('recipient_id', sa.String(length=36), nullable=False),
    sa.Column('pattern', sa.String(length=200), nullable=False),
    sa.Column('municipality', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['recipients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    baseline.create_index('ix_subscriptions_recipient_id', 'subscriptions', ['recipient_id'], unique=False)
    # Adopting a database of before organisations were tenants and municipalities CBS codes.
    _employers_named_in_their_organisation()
    baseline.municipality_codes('subscriptions', 'municipality')
    baseline.municipality_codes('participant_places', 'municipality')


def _employers_named_in_their_organisation():
    """An employer's recipient was organisation "employer" with its id in a column of its own;
    now its organisation is "employer:<id>" (shared/organisations.py)."""
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("recipients")}
    if "employer_id" not in columns:
        return
    recipients = sa.table("recipients", sa.column("organisation"), sa.column("employer_id"))
    op.get_bind().execute(
        sa.update(recipients)
        .where(recipients.c.organisation == "employer", recipients.c.employer_id.is_not(None))
        .values(organisation="employer:" + recipients.c.employer_id))
    baseline.drop_column_if_present("recipients", "employer_id")
