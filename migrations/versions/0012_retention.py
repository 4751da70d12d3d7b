"""Retention: when an application's personal data was removed under the retention schedule

Revision ID: 0012_retention
Revises: 0011_two_factor
Create Date: 2026-12-04 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_retention'
down_revision = '0011_two_factor'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
