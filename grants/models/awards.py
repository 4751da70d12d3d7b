"""Awards (money offered to an organisation) and their payments (minimal for now)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from grants.models.applications import Application
from grants.models.base import Base, UTCDateTime, Workflowed, utcnow
from grants.models.people import Organisation
from grants.models.programmes import Programme


class Award(Workflowed, Base):
    __tablename__ = "awards"
    __audit_type__ = "award"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_reference: Mapped[str] = mapped_column(String(32), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    budget_stream: Mapped[str | None] = mapped_column(String(64))
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship()
    application: Mapped[Application | None] = relationship()
    payments: Mapped[list[Payment]] = relationship(back_populates="award", order_by="Payment.due_on")

    @property
    def reference(self) -> str:
        return self.public_reference

    def owning_programme_id(self) -> int:
        return self.programme_id

    def owning_organisation_id(self) -> int:
        return self.organisation_id

    def unpaid_pence(self, excluding: Payment | None = None) -> int:
        """The award less what is paid or approved for payment (optionally leaving one payment out)."""
        session = object_session(self)
        assert session is not None
        query = select(func.coalesce(func.sum(Payment.amount_pence), 0)).where(
            Payment.award_id == self.id, Payment.state.in_(("approved", "paid"))
        )
        if excluding is not None and excluding.id is not None:
            query = query.where(Payment.id != excluding.id)
        committed = int(session.execute(query).scalar_one())
        return self.amount_pence - committed


class Payment(Workflowed, Base):
    __tablename__ = "payments"
    __audit_type__ = "payment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id"), index=True)
    instalment: Mapped[int] = mapped_column(Integer, default=1)
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    due_on: Mapped[date] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finance_reference: Mapped[str | None] = mapped_column(String(64))

    award: Mapped[Award] = relationship(back_populates="payments", lazy="joined", innerjoin=True)

    @property
    def reference(self) -> str:
        return f"{self.award.public_reference}-P{self.instalment}"

    def owning_programme_id(self) -> int:
        return self.award.programme_id

    def owning_organisation_id(self) -> int:
        return self.award.organisation_id
