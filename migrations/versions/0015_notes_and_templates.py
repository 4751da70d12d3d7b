"""Notes and messages on cases, programmes' own email wording, and a round's assessment due date

Revision ID: 0015_notes_and_templates
Revises: 0014_passkeys
Create Date: 2026-12-04 06:16:42.060647

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_notes_and_templates'
down_revision = '0014_passkeys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_kind', sa.String(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('from_organisation', sa.Boolean(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_case_notes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_case_notes_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_case_notes_case', ['case_kind', 'case_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_notes_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_notes_programme_id'), ['programme_id'], unique=False)

    op.create_table('email_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_email_templates_programme_id_programmes')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_email_templates_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_templates')),
    sa.UniqueConstraint('programme_id', 'key', name=op.f('uq_email_templates_programme_id'))
    )
    with op.batch_alter_table('email_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_email_templates_programme_id'), ['programme_id'], unique=False)

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessment_due_on', sa.Date(), nullable=True))



def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('assessment_due_on')

    with op.batch_alter_table('email_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_email_templates_programme_id'))

    op.drop_table('email_templates')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_programme_id'))
        batch_op.drop_index(batch_op.f('ix_case_notes_organisation_id'))
        batch_op.drop_index('ix_case_notes_case')
        batch_op.drop_index(batch_op.f('ix_case_notes_author_id'))

    op.drop_table('case_notes')
