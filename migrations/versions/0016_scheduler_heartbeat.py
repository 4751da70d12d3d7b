"""The scheduler's heartbeat: one row per scheduler, rewritten each minute, read by /readyz and /metrics

Revision ID: 0016_scheduler_heartbeat
Revises: 0015_notes_and_templates
Create Date: 2026-12-04 07:02:45.620973

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_scheduler_heartbeat'
down_revision = '0015_notes_and_templates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_heartbeats',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_heartbeats'))
    )


def downgrade():
    op.drop_table('scheduler_heartbeats')
