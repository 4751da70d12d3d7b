"""Monitor: monitoring plans, returns with answers, metrics, targets, sign-off and review, reminders,
return documents, the award's RAG rating, the programme lead

Revision ID: 0006_monitor
Revises: 0005_reference_data
Create Date: 2026-12-02 15:13:30.037804

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006_monitor"
down_revision = "0005_reference_data"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monitoring_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_monitoring_plans_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programmes.id"], name=op.f("fk_monitoring_plans_programme_id_programmes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_plans")),
        sa.UniqueConstraint("programme_id", "version", name=op.f("uq_monitoring_plans_programme_id")),
    )
    with op.batch_alter_table("monitoring_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitoring_plans_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "monitoring_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("period_label", sa.String(length=64), nullable=False),
        sa.Column("baseline", sa.BigInteger(), nullable=True),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["award_id"], ["awards.id"], name=op.f("fk_monitoring_targets_award_id_awards")),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"], name=op.f("fk_monitoring_targets_set_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_targets")),
        sa.UniqueConstraint("award_id", "metric", "period_label", name=op.f("uq_monitoring_targets_award_id")),
    )
    with op.batch_alter_table("monitoring_targets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitoring_targets_award_id"), ["award_id"], unique=False)

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("monitoring_return_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["monitoring_return_id"],
            ["monitoring_returns.id"],
            name=op.f("fk_reminders_monitoring_return_id_monitoring_returns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("monitoring_return_id", "rule", "on_date", name=op.f("uq_reminders_monitoring_return_id")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminders_monitoring_return_id"), ["monitoring_return_id"], unique=False)

    op.create_table(
        "return_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("monitoring_return_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["monitoring_return_id"],
            ["monitoring_returns.id"],
            name=op.f("fk_return_metrics_monitoring_return_id_monitoring_returns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_metrics")),
        sa.UniqueConstraint("monitoring_return_id", "metric", name=op.f("uq_return_metrics_monitoring_return_id")),
    )
    with op.batch_alter_table("return_metrics", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_metrics_metric"), ["metric"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_return_metrics_monitoring_return_id"), ["monitoring_return_id"], unique=False
        )

    op.create_table(
        "return_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("monitoring_return_id", sa.Integer(), nullable=False),
        sa.Column("section_key", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["monitoring_return_id"],
            ["monitoring_returns.id"],
            name=op.f("fk_return_sections_monitoring_return_id_monitoring_returns"),
        ),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_return_sections_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_sections")),
        sa.UniqueConstraint(
            "monitoring_return_id", "section_key", name=op.f("uq_return_sections_monitoring_return_id")
        ),
    )
    with op.batch_alter_table("return_sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_return_sections_monitoring_return_id"), ["monitoring_return_id"], unique=False
        )

    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rag_rating", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("rag_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("rag_set_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("rag_set_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_awards_rag_set_by_id_users"), "users", ["rag_set_by_id"], ["id"])

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("monitoring_return_id", sa.Integer(), nullable=True))
        batch_op.alter_column("application_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_index(batch_op.f("ix_documents_monitoring_return_id"), ["monitoring_return_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_documents_monitoring_return_id_monitoring_returns"),
            "monitoring_returns",
            ["monitoring_return_id"],
            ["id"],
        )

    with op.batch_alter_table("monitoring_returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("question_set_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(length=16), server_default="progress", nullable=False))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("opens_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("sign_off_required", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("sent_for_sign_off_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signed_off_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("signer_position", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("evidence_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("spend_to_date_pence", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("reminders_paused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reminders_paused_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reminders_paused_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("created_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_monitoring_returns_opens_on"), ["opens_on"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_monitoring_returns_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_monitoring_returns_reviewed_by_id_users"), "users", ["reviewed_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_monitoring_returns_signed_off_by_id_users"), "users", ["signed_off_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_monitoring_returns_plan_id_monitoring_plans"), "monitoring_plans", ["plan_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_monitoring_returns_question_set_id_question_sets"),
            "question_sets",
            ["question_set_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_monitoring_returns_sent_for_sign_off_by_id_users"),
            "users",
            ["sent_for_sign_off_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_monitoring_returns_reminders_paused_by_id_users"),
            "users",
            ["reminders_paused_by_id"],
            ["id"],
        )

    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_programmes_lead_user_id_users"), "users", ["lead_user_id"], ["id"])


def downgrade():
    with op.batch_alter_table("programmes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_programmes_lead_user_id_users"), type_="foreignkey")
        batch_op.drop_column("lead_user_id")

    with op.batch_alter_table("monitoring_returns", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_monitoring_returns_reminders_paused_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_monitoring_returns_sent_for_sign_off_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_monitoring_returns_question_set_id_question_sets"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_monitoring_returns_plan_id_monitoring_plans"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_monitoring_returns_signed_off_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_monitoring_returns_reviewed_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_monitoring_returns_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_monitoring_returns_opens_on"))
        batch_op.drop_column("created_at")
        batch_op.drop_column("reminders_paused_reason")
        batch_op.drop_column("reminders_paused_by_id")
        batch_op.drop_column("reminders_paused_at")
        batch_op.drop_column("spend_to_date_pence")
        batch_op.drop_column("evidence_note")
        batch_op.drop_column("recorded_by_id")
        batch_op.drop_column("review_comment")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by_id")
        batch_op.drop_column("signer_position")
        batch_op.drop_column("signed_off_at")
        batch_op.drop_column("signed_off_by_id")
        batch_op.drop_column("sent_for_sign_off_by_id")
        batch_op.drop_column("sign_off_required")
        batch_op.drop_column("opens_on")
        batch_op.drop_column("sequence")
        batch_op.drop_column("kind")
        batch_op.drop_column("question_set_id")
        batch_op.drop_column("plan_id")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_documents_monitoring_return_id_monitoring_returns"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_documents_monitoring_return_id"))
        batch_op.alter_column("application_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("monitoring_return_id")

    with op.batch_alter_table("awards", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_awards_rag_set_by_id_users"), type_="foreignkey")
        batch_op.drop_column("rag_set_by_id")
        batch_op.drop_column("rag_set_at")
        batch_op.drop_column("rag_reason")
        batch_op.drop_column("rag_rating")

    with op.batch_alter_table("return_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_sections_monitoring_return_id"))

    op.drop_table("return_sections")
    with op.batch_alter_table("return_metrics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_return_metrics_monitoring_return_id"))
        batch_op.drop_index(batch_op.f("ix_return_metrics_metric"))

    op.drop_table("return_metrics")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_monitoring_return_id"))

    op.drop_table("reminders")
    with op.batch_alter_table("monitoring_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_targets_award_id"))

    op.drop_table("monitoring_targets")
    with op.batch_alter_table("monitoring_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_plans_programme_id"))

    op.drop_table("monitoring_plans")
