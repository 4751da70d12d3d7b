"""Assessing bids: the officer's screening, assessors' assignments and scores, the panel's recommendation."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from grants.models.applications import Application
from grants.models.base import Base, UTCDateTime, Workflowed, utcnow
from grants.models.people import User
from grants.models.programmes import Criterion

SCREENING_ITEMS = {
    "organisation_verified": "Organisation verified against its charity or company number",
    "governing_document": "Governing document checked",
    "accounts": "Latest accounts checked",
    "safeguarding_policy": "Safeguarding policy checked",
    "bank_details": "Bank details checked",
}
FRAUD_RISKS = {"low": "Low", "medium": "Medium", "high": "High"}


class ScreeningCheck(Base):
    """The officer's eligibility and due-diligence checklist for one application."""

    __tablename__ = "screening_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # item -> pass | fail | not_applicable
    fraud_risk: Mapped[str | None] = mapped_column(String(8))
    notes: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    application: Mapped[Application] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def complete(self) -> bool:
        return all(self.answers.get(key) for key in SCREENING_ITEMS) and self.fraud_risk in FRAUD_RISKS

    @property
    def failed_items(self) -> list[str]:
        return [label for key, label in SCREENING_ITEMS.items() if self.answers.get(key) == "fail"]


class Assessment(Workflowed, Base):
    """One assessor's assessment of one bid: conflict declaration first, then scores."""

    __tablename__ = "assessments"
    __audit_type__ = "assessment"
    __table_args__ = (UniqueConstraint("application_id", "assessor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    conflict_details: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(lazy="joined", innerjoin=True)
    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])

    @property
    def reference(self) -> str:
        return f"{self.application.reference}-A{self.id}"

    def owning_programme_id(self) -> int:
        return self.application.round.programme_id

    def owning_organisation_id(self) -> None:
        return None  # applicants never act on, or see, an assessment

    def conflict_organisation_id(self) -> int:
        return self.application.organisation_id

    def bid_id(self) -> int:
        return self.application_id

    def acting_user_id(self) -> int:
        """Only the assigned assessor acts as 'assessor' on this case."""
        return self.assessor_id

    def current_scores(self) -> dict[int, Score]:
        """The latest score per criterion (scores are append-only)."""
        session = object_session(self)
        assert session is not None
        latest = (
            select(func.max(Score.id)).where(Score.assessment_id == self.id).group_by(Score.criterion_id)
        ).scalar_subquery()
        rows = session.scalars(select(Score).where(Score.id.in_(latest))).all()
        return {row.criterion_id: row for row in rows}

    def missing_criteria(self) -> list[str]:
        session = object_session(self)
        assert session is not None
        criteria = session.scalars(
            select(Criterion).where(Criterion.round_id == self.application.round_id).order_by(Criterion.position)
        ).all()
        scored = self.current_scores()
        return [c.name for c in criteria if c.id not in scored]


class Score(Base):
    """One score with its comment. Append-only: a rescore adds a row, so history is kept."""

    __tablename__ = "scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Recommendation(Base):
    """The panel's view of one bid: moderated score, recommended amount, feedback and conditions."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    moderated_score: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    moderation_reason: Mapped[str | None] = mapped_column(Text)
    recommended_amount_pence: Mapped[int | None] = mapped_column(BigInteger)
    amount_reason: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    application: Mapped[Application] = relationship()

    __mapper_args__ = {"version_id_col": version_id}


class Approval(Base):
    """A decision maker's approval of a bid; awards above the second-approval limit need two (GovS 015)."""

    __tablename__ = "approvals"
    __table_args__ = (UniqueConstraint("application_id", "approver_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    conditions: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
