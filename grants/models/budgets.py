"""Budgets: what each budget stream may commit in a financial year, and its cost centre."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grants.models.base import Base, UTCDateTime, utcnow


def financial_year_of(day: date) -> int:
    """The UK financial year (1 April to 31 March) a day falls in, by its starting year: 2022 for 2022/23."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


class Budget(Base):
    """One budget stream's budget for one financial year (e.g. Violence Reduction Unit, 2023/24, £2.3m)."""

    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("budget_stream", "financial_year", name="uq_budgets_stream_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    budget_stream: Mapped[str] = mapped_column(String(64))  # a "budget_stream" Term code
    financial_year: Mapped[int] = mapped_column(Integer)  # starting year: 2023 is 2023/24
    cost_centre: Mapped[str] = mapped_column(String(32))
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def year_label(self) -> str:
        return financial_year_label(self.financial_year)
