"""Published 360Giving files of big programmes, made by a worker; the service's own background jobs

Revision ID: 0019_open_data_files
Revises: 0018_background_jobs
Create Date: 2026-12-04 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_open_data_files'
down_revision = '0018_background_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('open_data_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('output_format', sa.String(length=8), nullable=False),
    sa.Column('stored_name', sa.String(length=200), nullable=True),
    sa.Column('stamp', sa.String(length=64), nullable=True),
    sa.Column('grants', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('queued_stamp', sa.String(length=64), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['background_jobs.id'], name=op.f('fk_open_data_files_job_id_background_jobs')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_open_data_files_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_open_data_files')),
    sa.UniqueConstraint('programme_id', 'output_format', name='uq_open_data_files_programme_format')
    )
    # The service's own jobs (the published files) have no person who asked.
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.alter_column('requested_by_id', existing_type=sa.Integer(), nullable=True)


def downgrade():
    op.execute("DELETE FROM open_data_files")
    op.execute("DELETE FROM background_jobs WHERE requested_by_id IS NULL")
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.alter_column('requested_by_id', existing_type=sa.Integer(), nullable=False)
    op.drop_table('open_data_files')
