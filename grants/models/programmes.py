"""Programmes (funding streams), their rounds, and the vocabularies projects are tagged with."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, Workflowed, utcnow

PROGRAMME_KINDS = {
    "grant_rounds": "Open, competitive grant rounds",
    "commissioning": "Commissioned interventions",
    "sub_grant": "Sub-granted or contracted strands of an incoming grant",
}

VOCABULARIES = {
    "area_of_focus": "Area of focus",
    "district": "District",
    "priority": "Police and Crime Plan priority",
    "theme": "Cross-cutting theme",
    "budget_stream": "Budget stream",
    "service_type": "Service type",
    "setting": "Setting",
}


class Programme(Base):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    budget_stream: Mapped[str | None] = mapped_column(String(64))
    budget_pence: Mapped[int | None] = mapped_column(BigInteger)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    # Approving an instalment and marking it paid need two different finance users (segregation of duties).
    separate_payment_duties: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    # The programme lead: overdue returns are escalated to them.
    lead_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    # Optimistic lock: two admins editing the programme at once cannot overwrite each other unseen.
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    rounds: Mapped[list[Round]] = relationship(back_populates="programme", order_by="Round.number")

    __mapper_args__ = {"version_id_col": version_id}

    def __repr__(self) -> str:
        return f"<Programme {self.code}>"


class AgreementTerms(Base):
    """One version of a programme's standard grant agreement terms.

    An admin's edit adds a version and never changes one: the newest is what awards prepared from
    then on start with (each award keeps its own copy in Award.agreement_terms), the older ones say
    what earlier awards were offered under. Version 1 is the seed's (grants/setup/reference.toml).
    """

    __tablename__ = "agreement_terms"
    __table_args__ = (UniqueConstraint("programme_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Round(Workflowed, Base):
    """A grant round of a programme, e.g. MSCF Round 3. Its cap and budget are data."""

    __tablename__ = "rounds"
    __audit_type__ = "round"
    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    budget_pence: Mapped[int | None] = mapped_column(BigInteger)
    min_grant_pence: Mapped[int | None] = mapped_column(BigInteger)
    max_grant_pence: Mapped[int | None] = mapped_column(BigInteger)
    delivery_starts_on: Mapped[date | None] = mapped_column(Date)
    delivery_ends_on: Mapped[date | None] = mapped_column(Date)
    decision_on: Mapped[date | None] = mapped_column(Date)
    # The date assessors' scores are due for this round (shown to them and in their emails);
    # with none set, the decision date stands in.
    assessment_due_on: Mapped[date | None] = mapped_column(Date)
    application_workflow: Mapped[str] = mapped_column(String(64), default="application")
    application_count: Mapped[int] = mapped_column(Integer, default=0)
    question_set_id: Mapped[int | None] = mapped_column(ForeignKey("question_sets.id"))
    # Eligibility rules are data: which organisation types may apply.
    allowed_org_types: Mapped[list[str] | None] = mapped_column(JSON)
    assessors_per_bid: Mapped[int] = mapped_column(Integer, default=2)
    # Bids whose assessors' weighted totals differ by more than this are flagged for moderation.
    moderation_spread: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("5"))

    programme: Mapped[Programme] = relationship(back_populates="rounds")
    question_set: Mapped[QuestionSet | None] = relationship()

    @property
    def reference(self) -> str:
        return self.code

    def owning_programme_id(self) -> int:
        return self.programme_id


class Criterion(Base):
    """A scoring criterion of a round: its scale, descriptors per score, weight, and any minimum.

    Criteria are fixed once scoring has begun, so every score keeps its meaning.
    """

    __tablename__ = "criteria"
    __table_args__ = (UniqueConstraint("round_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    scale_min: Mapped[int] = mapped_column(Integer, default=0)
    scale_max: Mapped[int] = mapped_column(Integer, default=5)
    descriptors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # "3" -> "Satisfactory"
    weight: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("1"))
    minimum_score: Mapped[int | None] = mapped_column(Integer)
    comment_required: Mapped[bool] = mapped_column(Boolean, default=True)


class QuestionSet(Base):
    """A versioned application form: sections of questions, loaded from a TOML file by an admin.

    The parsed definition is kept as JSON so a form in use never changes under its answers;
    a new version is a new row.
    """

    __tablename__ = "question_sets"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Term(Base):
    """One entry of a vocabulary: a district, an area of focus, a priority, a theme, a budget stream."""

    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("vocabulary", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(32), index=True)
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    external_code: Mapped[str | None] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Optimistic lock for an admin's relabelling. There is no retired flag: a term is never deleted.
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}
