"""Monitoring: each programme's plan (when returns fall due, their form, sign-off, reminders),
the returns due from grantees and providers, their answers and metrics, targets, and the
reminders sent about them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.awards import Award
from grants.models.base import Base, UTCDateTime, Workflowed, utcnow
from grants.models.programmes import QuestionSet

PROGRESS, FINAL, QUARTERLY = "progress", "final", "quarterly"


class MonitoringPlan(Base):
    """One version of a programme's monitoring plan, kept as data (parsed TOML, as JSON).

    Like a question set, a plan in use never changes: an admin's edit adds a version, and each
    return remembers the version it was scheduled under. The definition says how periods are cut
    (months after the award starts, or financial-year quarters), how many working days after a
    period ends its return is due, when the window opens, which question sets the returns use,
    whether a second person at the organisation signs a return off, and the reminder rules.
    """

    __tablename__ = "monitoring_plans"
    __table_args__ = (UniqueConstraint("programme_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MonitoringReturn(Workflowed, Base):
    __tablename__ = "monitoring_returns"
    __audit_type__ = "return"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    period_label: Mapped[str] = mapped_column(String(64))
    period_starts_on: Mapped[date] = mapped_column(Date)
    period_ends_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # What the plan made it: which plan version, which form, a progress, final or quarterly return.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_plans.id"))
    question_set_id: Mapped[int | None] = mapped_column(ForeignKey("question_sets.id"))
    kind: Mapped[str] = mapped_column(String(16), default=PROGRESS, server_default=PROGRESS)
    sequence: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    opens_on: Mapped[date | None] = mapped_column(Date, index=True)
    sign_off_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    # Sign-off at the grantee: who sent it for sign-off, who signed (a different member), as what.
    sent_for_sign_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signer_position: Mapped[str | None] = mapped_column(String(200))

    # The officer's review, or a return the officer recorded on the grantee's behalf.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_comment: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    evidence_note: Mapped[str | None] = mapped_column(Text)

    # Money reported: spend to date (the final return: total spend), against the award.
    spend_to_date_pence: Mapped[int | None] = mapped_column(BigInteger)

    # Reminders an officer has paused for this return, and why.
    reminders_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminders_paused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reminders_paused_reason: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)

    award: Mapped[Award] = relationship(lazy="joined", innerjoin=True)
    plan: Mapped[MonitoringPlan | None] = relationship()
    question_set: Mapped[QuestionSet | None] = relationship()
    sections: Mapped[list[ReturnSection]] = relationship(
        back_populates="monitoring_return", order_by="ReturnSection.id"
    )

    @property
    def reference(self) -> str:
        return f"{self.award.public_reference}-{self.period_label.replace(' ', '')}"

    def owning_programme_id(self) -> int:
        return self.award.programme_id

    def owning_organisation_id(self) -> int:
        return self.award.organisation_id


class ReturnSection(Base):
    """The answers to one section of a return's form, saved as the grantee goes (as ApplicationSection)."""

    __tablename__ = "return_sections"
    __table_args__ = (UniqueConstraint("monitoring_return_id", "section_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitoring_return_id: Mapped[int] = mapped_column(ForeignKey("monitoring_returns.id"), index=True)
    section_key: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    monitoring_return: Mapped[MonitoringReturn] = relationship(back_populates="sections")

    __mapper_args__ = {"version_id_col": version_id}


class ReturnMetric(Base):
    """One typed figure a return reported (people reached, victims supported, spend to date...).

    Copied from the return's answers when its section is completed, so dashboards and the MoJ
    report add figures up in SQL instead of reading every return's JSON. Counts are whole numbers;
    money is in pence.
    """

    __tablename__ = "return_metrics"
    __table_args__ = (UniqueConstraint("monitoring_return_id", "metric"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitoring_return_id: Mapped[int] = mapped_column(ForeignKey("monitoring_returns.id"), index=True)
    metric: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[int] = mapped_column(BigInteger)


class MonitoringTarget(Base):
    """What an award (or strand) aims to reach on one metric in one period: baseline and target."""

    __tablename__ = "monitoring_targets"
    __table_args__ = (UniqueConstraint("award_id", "metric", "period_label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    metric: Mapped[str] = mapped_column(String(64))
    period_label: Mapped[str] = mapped_column(String(64))
    baseline: Mapped[int | None] = mapped_column(BigInteger)
    target: Mapped[int] = mapped_column(BigInteger)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Reminder(Base):
    """One reminder rule fired for one return on one day: the record that makes it happen once.

    The reminder pass inserts this row with ON CONFLICT DO NOTHING and queues its emails (each
    with its own outbox key) in the same transaction, so a second pass, a restarted pass or a
    second scheduler finds the row and sends nothing more. Grantees see these on their grant.
    """

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("monitoring_return_id", "rule", "on_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    monitoring_return_id: Mapped[int] = mapped_column(ForeignKey("monitoring_returns.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    on_date: Mapped[date] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(16))  # organisation, officers, lead
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
