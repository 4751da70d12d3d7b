"""Background jobs name the programme their file is about, so the audit log shows a job's rows to that
programme's admins (not only to admins of every programme)

Revision ID: 0020_job_programme
Revises: 0019_open_data_files
Create Date: 2026-12-04 13:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_job_programme'
down_revision = '0019_open_data_files'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_background_jobs_programme_id_programmes'), 'programmes', ['programme_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_background_jobs_programme_id_programmes'), type_='foreignkey')
        batch_op.drop_column('programme_id')
