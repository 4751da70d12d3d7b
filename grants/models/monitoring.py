"""Monitoring returns due from grantees and providers (minimal for now)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.awards import Award
from grants.models.base import Base, UTCDateTime, Workflowed


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

    award: Mapped[Award] = relationship(lazy="joined", innerjoin=True)

    @property
    def reference(self) -> str:
        return f"{self.award.public_reference}-{self.period_label.replace(' ', '')}"

    def owning_programme_id(self) -> int:
        return self.award.programme_id

    def owning_organisation_id(self) -> int:
        return self.award.organisation_id
