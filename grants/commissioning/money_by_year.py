"""Commissioned money by financial year: allocated (live allocations), paid, remaining.

An allocation is an Award with a contract; its financial year is the one it starts in. Two statements
whatever the number of allocations: one for the allocations, one for what was paid on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select

from grants.extensions import db
from grants.models import Award, Contract, Organisation, Payment
from grants.models.budgets import financial_year_label, financial_year_of
from grants.workflow_states import states

PUBLIC_TYPES = frozenset({"public_body", "school"})


def is_vcse(org_type: str | None) -> bool:
    """Voluntary, community and social enterprise: anything that is not a public body."""
    return (org_type or "") not in PUBLIC_TYPES


@dataclass
class Allocation:
    id: int
    reference: str
    contract_id: int
    year: int
    amount: int
    paid: int
    org_type: str | None
    provider_id: int
    high_impact: bool


@dataclass
class Year:
    year: int
    allocated: int = 0
    paid: int = 0
    allocations: int = 0

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def remaining(self) -> int:
        return self.allocated - self.paid


@dataclass
class Years:
    rows: list[Year] = field(default_factory=list)
    items: list[Allocation] = field(default_factory=list)

    @property
    def total(self) -> Year:
        total = Year(0)
        for row in self.rows:
            total.allocated += row.allocated
            total.paid += row.paid
            total.allocations += row.allocations
        return total


def allocations(where: ColumnElement[bool]) -> list[Allocation]:
    """Live allocations of the contracts matching `where`, with what was paid on each (two statements)."""
    fallen = states("award", "fallen_away")
    rows = db.session.execute(
        select(
            Award.id,
            Award.public_reference,
            Award.contract_id,
            Award.starts_on,
            Award.amount_pence,
            Organisation.org_type,
            Award.organisation_id,
            Contract.yef_impact,
        )
        .join(Contract, Contract.id == Award.contract_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .where(where, Award.state.not_in(fallen))
        .order_by(Award.starts_on, Award.public_reference)
    ).all()
    ids = [r.id for r in rows]
    paid: dict[int, int] = {}
    if ids:
        paid = dict(
            db.session.execute(  # type: ignore[arg-type]
                select(Payment.award_id, func.sum(Payment.amount_pence))
                .join(Award, Award.id == Payment.award_id)
                .join(Contract, Contract.id == Award.contract_id)
                .where(where, Award.state.not_in(fallen), Payment.state == "paid")
                .group_by(Payment.award_id)
            ).all()
        )
    return [
        Allocation(
            r.id,
            r.public_reference,
            r.contract_id,
            financial_year_of(r.starts_on) if r.starts_on else 0,
            r.amount_pence,
            int(paid.get(r.id, 0)),
            r.org_type,
            r.organisation_id,
            r.yef_impact == "high",
        )
        for r in rows
    ]


def by_year(items: Iterable[Allocation]) -> Years:
    items = list(items)
    years: dict[int, Year] = {}
    for item in items:
        row = years.setdefault(item.year, Year(item.year))
        row.allocated += item.amount
        row.paid += item.paid
        row.allocations += 1
    return Years([years[y] for y in sorted(years)], items)


def contract_years(contract: Contract) -> Years:
    return by_year(allocations(Contract.id == contract.id))


def sum_of(rows: Iterable[Any], attribute: str) -> int:
    return sum(getattr(r, attribute) for r in rows)
