"""Case officers: the officer who looks after a case, one per case of any kind

Revision ID: 0017_case_officers
Revises: 0016_scheduler_heartbeat
Create Date: 2026-12-04 09:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_case_officers'
down_revision = '0016_scheduler_heartbeat'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_kind', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['users.id'], name=op.f('fk_case_officers_officer_id_users')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_case_officers_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_case_officers_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_officers')),
    sa.UniqueConstraint('case_kind', 'case_id', name='uq_case_officers_case')
    )
    with op.batch_alter_table('case_officers', schema=None) as batch_op:
        batch_op.create_index('ix_case_officers_officer', ['officer_id', 'case_kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_officers_programme_id'), ['programme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_officers_programme_id'))
        batch_op.drop_index('ix_case_officers_officer')
    op.drop_table('case_officers')
