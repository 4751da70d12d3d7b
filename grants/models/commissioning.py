"""Commissioning: contracts and strands of provision, and the incoming grants that fund them.

A Contract is what the team commissions from a provider: a VRU intervention or an MoJ strand of
provision. It walks the "contract" workflow (need → route → procurement → award → mobilising →
delivering → review → extended / decommissioned / ended). Its money is its allocations: one Award
per financial year (`Award.contract_id`), each with its own payments.

An IncomingGrant is money the team receives (the MoJ victims' grant, the Home Office GRIP grant):
contracts it funds name it as their funding agreement, and its years carry the amount and any
match-funding target for that year.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.models.base import Base, UTCDateTime, Workflowed, utcnow
from grants.models.people import Organisation, User
from grants.models.programmes import Programme

# A contract above this value (in pence: £100,000) needs a second, different decision maker to approve it.
SECOND_APPROVAL_ABOVE_PENCE = 10_000_000

ROUTES = {"competed": "Competed", "direct_award": "Direct award"}

# Youth Endowment Fund toolkit: the impact an approach has, as the toolkit rates it.
YEF_IMPACTS = {"high": "High impact", "moderate": "Moderate impact", "low": "Low impact", "unclear": "Unclear"}
YEF_COSTS = {"low": "Low cost", "moderate": "Moderate cost", "high": "High cost"}


class IncomingGrant(Base):
    """Money the team receives under a grant agreement: its funder, scheme reference and conditions."""

    __tablename__ = "incoming_grants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. MOJ-VS-2022, GRIP-2023
    title: Mapped[str] = mapped_column(String(200))
    funder: Mapped[str] = mapped_column(String(200))  # "Ministry of Justice", "Home Office"
    scheme_reference: Mapped[str | None] = mapped_column(String(64))  # the government scheme's own reference
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(BigInteger)  # the whole agreement
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    conditions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    programme: Mapped[Programme | None] = relationship()
    years: Mapped[list[IncomingGrantYear]] = relationship(
        back_populates="incoming_grant", order_by="IncomingGrantYear.financial_year", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}


class IncomingGrantYear(Base):
    """One financial year of an incoming grant: what it brings and the match funding it asks for."""

    __tablename__ = "incoming_grant_years"
    __table_args__ = (UniqueConstraint("incoming_grant_id", "financial_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incoming_grant_id: Mapped[int] = mapped_column(ForeignKey("incoming_grants.id"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)  # starting year: 2023 is 2023/24
    amount_pence: Mapped[int] = mapped_column(BigInteger)
    # Match funding partners must add, as a percentage of the year's amount (GRIP: 20, 30, 40).
    match_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))

    incoming_grant: Mapped[IncomingGrant] = relationship(back_populates="years")


class Contract(Workflowed, Base):
    """A commissioned intervention (VRU) or a strand of provision (MoJ) with its provider."""

    __tablename__ = "contracts"
    __audit_type__ = "contract"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_reference: Mapped[str] = mapped_column(String(32), unique=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The funding agreement it is charged to (the MoJ victims' grant for an MoJ strand), if any.
    incoming_grant_id: Mapped[int | None] = mapped_column(ForeignKey("incoming_grants.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    specification: Mapped[str] = mapped_column(Text, default="")
    amount_pence: Mapped[int] = mapped_column(BigInteger, default=0)  # the contract's value, all years
    budget_stream: Mapped[str | None] = mapped_column(String(64))
    starts_on: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # the current end, after any extension
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The need: what, why, the evidence for it, and what it may cost.
    need_summary: Mapped[str] = mapped_column(Text, default="")
    need_reason: Mapped[str] = mapped_column(Text, default="")
    need_evidence: Mapped[str] = mapped_column(Text, default="")
    estimated_value_pence: Mapped[int | None] = mapped_column(BigInteger)

    # The route: competed, or a direct award with its written justification and the Contract
    # Standing Orders exception it relies on.
    route: Mapped[str | None] = mapped_column(String(16))
    direct_award_justification: Mapped[str] = mapped_column(Text, default="")
    cso_exception: Mapped[str | None] = mapped_column(String(200))

    # Procurement.
    procurement_opens_on: Mapped[date | None] = mapped_column(Date)
    procurement_closes_on: Mapped[date | None] = mapped_column(Date)
    bidders: Mapped[int | None] = mapped_column(Integer)
    evaluation_outcome: Mapped[str] = mapped_column(Text, default="")

    # The award of the contract.
    cso_reference: Mapped[str | None] = mapped_column(String(64))
    original_end_date: Mapped[date | None] = mapped_column(Date)
    extension_months_allowed: Mapped[int] = mapped_column(Integer, default=0)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    second_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    second_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # What is delivered, and where: a "service_type" term, "district" terms served (the beneficiary
    # location in open data), and for VRU interventions the cohort and the YEF toolkit rating.
    service_type: Mapped[str | None] = mapped_column(String(64))
    districts_served: Mapped[list[str]] = mapped_column(JSON, default=list)
    yef_approach: Mapped[str | None] = mapped_column(String(200))
    yef_impact: Mapped[str | None] = mapped_column(String(16))  # a YEF_IMPACTS key
    yef_evidence_strength: Mapped[int | None] = mapped_column(Integer)  # 1 (very low) to 5 (very high)
    yef_cost: Mapped[str | None] = mapped_column(String(16))  # a YEF_COSTS key
    cohort_age_from: Mapped[int | None] = mapped_column(Integer)
    cohort_age_to: Mapped[int | None] = mapped_column(Integer)
    settings: Mapped[list[str]] = mapped_column(JSON, default=list)  # "setting" terms: A&E, custody, …
    reach: Mapped[int | None] = mapped_column(Integer)  # people it expects to reach a year

    programme: Mapped[Programme] = relationship()
    provider: Mapped[Organisation | None] = relationship()
    incoming_grant: Mapped[IncomingGrant | None] = relationship()
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    second_approved_by: Mapped[User | None] = relationship(foreign_keys=[second_approved_by_id])

    @property
    def reference(self) -> str:
        return self.public_reference

    @property
    def high_impact(self) -> bool:
        return self.yef_impact == "high"

    def owning_programme_id(self) -> int:
        return self.programme_id

    def owning_organisation_id(self) -> int | None:
        return self.provider_id

    # -- what the workflow asks of it (None, or a sentence why not; grants/commissioning/cases.py) --------
    def need_problem(self) -> str | None:
        missing = [
            label
            for label, value in (
                ("what is needed", self.need_summary),
                ("why it is needed", self.need_reason),
                ("the evidence", self.need_evidence),
                ("the budget stream", self.budget_stream),
            )
            if not (value or "").strip()
        ]
        if not self.estimated_value_pence or self.estimated_value_pence <= 0:
            missing.append("the estimated value")
        return f"Record the need first: {', '.join(missing)}." if missing else None

    def direct_award_problem(self) -> str | None:
        if not self.direct_award_justification.strip():
            return "A direct award needs a written justification."
        if not (self.cso_exception or "").strip():
            return "A direct award must cite the Contract Standing Orders exception it relies on."
        return None

    def terms_problem(self) -> str | None:
        if self.provider_id is None:
            return "Choose the provider the contract is awarded to."
        if not self.amount_pence or self.amount_pence <= 0:
            return "The contract's value must be more than £0."
        if self.starts_on is None or self.end_date is None:
            return "The contract needs a start date and an end date."
        if self.end_date < self.starts_on:
            return "The contract cannot end before it starts."
        if not (self.cso_reference or "").strip():
            return "Give the Contract Standing Orders reference for the award."
        return None

    def needs_second_approval(self) -> bool:
        return (self.amount_pence or 0) > SECOND_APPROVAL_ABOVE_PENCE

    def extension_problem(self, new_end: date | None = None) -> str | None:
        """Whether the contract may run to `new_end` (its current end_date when not given)."""
        end = new_end or self.end_date
        base = self.original_end_date or self.end_date
        if end is None or base is None:
            return "The contract has no end date to extend."
        if self.extension_months_allowed <= 0:
            return "The contract allows no extension."
        limit = add_months(base, self.extension_months_allowed)
        if end > limit:
            return (
                f"The contract allows extension by {self.extension_months_allowed} months at most, "
                f"to {limit.day} {limit:%B %Y}."
            )
        return None


def add_months(day: date, months: int) -> date:
    """The same day `months` months later (the month's last day when that month is shorter)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # the same day of the month, or the month's last day when it has fewer
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover
