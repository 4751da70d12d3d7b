"""What an incoming grant asks of the team: its reporting dates, and the partners' match funding.
And the commissioning reminders (reporting dates, contracts ending), each sent once."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, utcnow
from grants.models.commissioning import IncomingGrant


class GrantReport(Base):
    """A report the funder wants by a date ("Q2 return to the Ministry of Justice")."""

    __tablename__ = "grant_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incoming_grant_id: Mapped[int] = mapped_column(ForeignKey("incoming_grants.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    what: Mapped[str] = mapped_column(String(200))
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    incoming_grant: Mapped[IncomingGrant] = relationship()


class MatchContribution(Base):
    """Money a partner puts in beside an incoming grant, for a financial year (match funding)."""

    __tablename__ = "match_contributions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incoming_grant_id: Mapped[int] = mapped_column(ForeignKey("incoming_grants.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    partner: Mapped[str] = mapped_column(String(200))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CommissioningReminder(Base):
    """One reminder about one thing (a grant report, a contract ending) on one day: it makes it happen once."""

    __tablename__ = "commissioning_reminders"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "rule", "on_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(32))  # grant_report | contract
    subject_id: Mapped[int] = mapped_column(Integer)
    rule: Mapped[str] = mapped_column(String(32))
    on_date: Mapped[date] = mapped_column(Date)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Uplift(Base):
    """One decision varying many allocations at once (the Mayor's 9% for MoJ-funded VCSE providers).

    Prepared with a preview of each allocation before and after (`items`: award id, its version, the
    amounts), approved once by a decision maker: each allocation then gets its own Variation pointing
    here, and an allocation changed since the preview is skipped and listed with the reason.
    """

    __tablename__ = "uplifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # MOJ-UPLIFT-2023-01
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    scope: Mapped[str] = mapped_column(String(16))  # vcse | public | all
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(16), default="prepared"
    )  # prepared | approved | refused (not a workflow)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    skipped: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    prepared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    prepared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}
