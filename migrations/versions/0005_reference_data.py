"""Reference data an admin edits: programmes' standard agreement terms (versioned), edit locks

Revision ID: 0005_reference_data
Revises: 0004_award_and_pay
Create Date: 2026-12-02 12:44:30.416805

The terms' first version is put in by `grantflow setup` (grants/setup/seed.py), not here: reference
data is a seed, not schema history (docs/decisions.md). Until setup runs, awards start with the
standard text from grants/setup/reference.toml, as they did before this revision.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005_reference_data"
down_revision = "0004_award_and_pay"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agreement_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_agreement_terms_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_agreement_terms_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_terms")),
        sa.UniqueConstraint("programme_id", "version", name=op.f("uq_agreement_terms_programme_id")),
    )
    with op.batch_alter_table("agreement_terms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_terms_programme_id"), ["programme_id"], unique=False)

    # Rows that exist start at version 1 of their optimistic lock.
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_id", sa.Integer(), nullable=False, server_default="1"))

    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version_id", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    with op.batch_alter_table("terms", schema=None) as batch_op:
        batch_op.drop_column("version_id")

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_column("version_id")

    with op.batch_alter_table("agreement_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_terms_programme_id"))

    op.drop_table("agreement_terms")
