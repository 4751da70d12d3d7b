"""Applications to a grant round: answers by section, tags for reporting, uploaded documents."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from grants.models.base import Base, UTCDateTime, Workflowed, utcnow
from grants.models.people import Organisation, User
from grants.models.programmes import Criterion, QuestionSet, Round, Term

NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"
SECOND_APPROVAL_ABOVE_PENCE = 10_000_000  # £100,000: GovS 015 asks for a second approval above this


class Application(Workflowed, Base):
    __tablename__ = "applications"
    __audit_type__ = "application"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    question_set_id: Mapped[int | None] = mapped_column(ForeignKey("question_sets.id"))
    project_title: Mapped[str] = mapped_column(String(200), default="")
    amount_requested_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    people_reached: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When its answers and files were removed under the retention schedule (grants.retention).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[Round] = relationship(lazy="joined", innerjoin=True)
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    question_set: Mapped[QuestionSet | None] = relationship()
    sections: Mapped[list[ApplicationSection]] = relationship(
        back_populates="application", order_by="ApplicationSection.id"
    )
    terms: Mapped[list[Term]] = relationship(secondary="application_terms", order_by="Term.position")

    @property
    def reference(self) -> str:
        return self.public_reference or f"Draft {self.id}"

    @property
    def amount_pence(self) -> int:
        return self.amount_requested_pence

    def owning_programme_id(self) -> int:
        return self.round.programme_id

    def owning_organisation_id(self) -> int:
        return self.organisation_id

    def bid_id(self) -> int:
        return self.id

    # -- what the assess-and-decide transitions check (the application case type's guards ask) --
    def screening_problem(self) -> str | None:
        from grants.models.assessments import ScreeningCheck  # assessments.py imports Application

        session = object_session(self)
        assert session is not None
        check = session.scalar(select(ScreeningCheck).where(ScreeningCheck.application_id == self.id))
        if check is None or not check.complete:
            return "Complete the screening checklist first."
        if check.failed_items:
            return "Screening found problems: " + "; ".join(check.failed_items) + "."
        return None

    def minimum_score_problem(self) -> str | None:
        """A bid whose mean score on a criterion with a minimum is below it cannot be recommended."""
        from grants.models.assessments import Assessment, Score  # assessments.py imports Application

        session = object_session(self)
        assert session is not None
        criteria = session.scalars(
            select(Criterion).where(Criterion.round_id == self.round_id, Criterion.minimum_score.is_not(None))
        ).all()
        if not criteria:
            return None
        latest = (
            select(func.max(Score.id))
            .join(Assessment, Assessment.id == Score.assessment_id)
            .where(Assessment.application_id == self.id, Assessment.state == "submitted")
            .group_by(Score.assessment_id, Score.criterion_id)
        ).scalar_subquery()
        scores: dict[int, list[int]] = {}
        for criterion_id, score in session.execute(select(Score.criterion_id, Score.score).where(Score.id.in_(latest))):
            scores.setdefault(criterion_id, []).append(score)
        below = []
        for criterion in criteria:
            given = scores.get(criterion.id, [])
            if not given:
                below.append(f"{criterion.name} has no submitted scores")
            elif criterion.minimum_score is not None and Decimal(sum(given)) / len(given) < criterion.minimum_score:
                below.append(f"{criterion.name} scores below the minimum of {criterion.minimum_score}")
        return ("It cannot be recommended: " + "; ".join(below) + ".") if below else None

    def approval_problem(self) -> str | None:
        """Awards above the limit need a second decision maker's approval (GovS 015)."""
        from grants.models.assessments import Approval, Recommendation  # assessments.py imports Application

        session = object_session(self)
        assert session is not None
        recommendation = session.scalar(select(Recommendation).where(Recommendation.application_id == self.id))
        amount = (
            recommendation.recommended_amount_pence
            if recommendation and recommendation.recommended_amount_pence is not None
            else self.amount_requested_pence
        )
        needed = 2 if amount > SECOND_APPROVAL_ABOVE_PENCE else 1
        given = session.scalar(select(func.count()).select_from(Approval).where(Approval.application_id == self.id))
        if (given or 0) < needed:
            return (
                "Awards above £100,000 need a second approval by another decision maker."
                if needed == 2
                else "Record the decision maker's approval first."
            )
        return None


class ApplicationSection(Base):
    """The answers to one section of the form, saved as the applicant goes."""

    __tablename__ = "application_sections"
    __table_args__ = (UniqueConstraint("application_id", "section_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    section_key: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=NOT_STARTED)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False)

    application: Mapped[Application] = relationship(back_populates="sections")

    __mapper_args__ = {"version_id_col": version_id}


class ApplicationTerm(Base):
    """An application's districts, areas of focus, priorities and themes, for lists and reports."""

    __tablename__ = "application_terms"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"), primary_key=True, index=True)


class Document(Base):
    """A file uploaded with an application or a monitoring return (exactly one of the two),
    stored outside the static folder under a random name."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    monitoring_return_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_returns.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application | None] = relationship()
