"""Commissioned contracts and strands of provision (minimal for now)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, Workflowed, utcnow
from grants.models.people import Organisation
from grants.models.programmes import Programme


class Contract(Workflowed, Base):
    """A commissioned intervention (VRU) or a strand of provision (MoJ) with its provider."""

    __tablename__ = "contracts"
    __audit_type__ = "contract"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_reference: Mapped[str] = mapped_column(String(32), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(Text, default="")
    amount_pence: Mapped[int] = mapped_column(BigInteger, default=0)
    budget_stream: Mapped[str | None] = mapped_column(String(64))
    yef_rating: Mapped[str | None] = mapped_column(String(32))
    starts_on: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship()
    provider: Mapped[Organisation | None] = relationship()

    @property
    def reference(self) -> str:
        return self.public_reference

    def owning_programme_id(self) -> int:
        return self.programme_id

    def owning_organisation_id(self) -> int | None:
        return self.provider_id
