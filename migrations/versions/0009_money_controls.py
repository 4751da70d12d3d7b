"""Bank details changes are dated and verified by finance; instalments record who approved them, and a
programme says whether approving and paying need two people

Revision ID: 0009_money_controls
Revises: 0008_incoming
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_money_controls'
down_revision = '0008_incoming'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_details_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('bank_details_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('bank_details_verified_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('bank_details_verified_how', sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_organisations_bank_details_verified_by_id_users'), 'users',
            ['bank_details_verified_by_id'], ['id'],
        )


    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('separate_payment_duties', sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.create_table('payment_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('finance_reference', sa.String(length=64), nullable=False),
    sa.Column('instalments', sa.Integer(), nullable=False),
    sa.Column('total_pence', sa.BigInteger(), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['made_by_id'], ['users.id'], name=op.f('fk_payment_runs_made_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_runs')),
    sa.UniqueConstraint('reference', name=op.f('uq_payment_runs_reference'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payment_run_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_payments_approved_by_id_users'), 'users', ['approved_by_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_payments_payment_run_id_payment_runs'), 'payment_runs', ['payment_run_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_payments_payment_run_id'), ['payment_run_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_payment_run_id'))
        batch_op.drop_constraint(batch_op.f('fk_payments_payment_run_id_payment_runs'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_payments_approved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('payment_run_id')
        batch_op.drop_column('approved_by_id')
    op.drop_table('payment_runs')
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('separate_payment_duties')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisations_bank_details_verified_by_id_users'), type_='foreignkey')
        batch_op.drop_column('bank_details_verified_how')
        batch_op.drop_column('bank_details_verified_by_id')
        batch_op.drop_column('bank_details_verified_at')
        batch_op.drop_column('bank_details_changed_at')
