"""Notifications records, per participant, the consent purposes whose basis holds (from intake's
participant.consent_given until its withdrawal), so that a fact goes to a recipient or
integrator only while every basis its purpose needs holds (services/notifications/handlers.py
_may_share). Until this release it recorded the basis for informing the municipality alone.

Revision ID: notifications_0005
Revises: notifications_0004

It invents no consent for the participants it knew before: their rows are marked
`bases_known = false`, of whom organisations hear as they did (integrators on the basis for
informing the municipality only) until a basis for them is withdrawn
(services/notifications/tests/test_bases.py::
test_a_participant_known_before_bases_were_recorded_is_heard_of_as_before).

Revisions only go forward: a release is rolled back by restoring the backup taken before
`doorstroom migrate` (README, "Upgrading").
"""
import sqlalchemy as sa
from alembic import op

revision = 'notifications_0005'
down_revision = 'notifications_0004'
branch_labels = None
depends_on = None


def upgrade():
    # The default marks the rows there are; the service sets it on every row it adds.
    op.add_column('participant_places', sa.Column('bases_known', sa.Boolean(), nullable=False,
                                                  server_default=sa.false()))
    op.create_table(
        'consent_bases',
        sa.Column('participant_id', sa.String(length=36), nullable=False),
        sa.Column('purpose', sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint('participant_id', 'purpose'),
    )
