"""A commissioning programme's figures, by financial year and in all: what it had, committed, paid and left;
its providers and strands (VCSE and public bodies); for interventions, the share rated high impact.

The budget of a year is what the programme's incoming grants bring that year (the Home Office VRU grant,
the MoJ victims' grant); the earmark is the Budget of the programme's stream for the year (the VRU's
£2.3m for commissioned interventions). Committed is the live allocations (current amounts, after any
uplift); paid is their paid instalments. A handful of statements whatever the programme's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from grants import access
from grants.commissioning.money_by_year import Allocation, allocations, is_vcse
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import money, pounds_text
from grants.models import Budget, Contract, IncomingGrant, IncomingGrantYear, Programme
from grants.models.budgets import financial_year_label
from grants.reports.charts import BarChart, bar_chart

VIEWERS = frozenset({"officer", "finance", "decision_maker", "admin"})


def percent(part: int, whole: int) -> Decimal:
    """A share as a percentage to one decimal place, halves up (0 when there is no whole)."""
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    label: str  # "2023/24", or "2022/23 to 2024/25"
    year: int | None
    budget: int | None = None
    earmarked: int | None = None
    committed: int = 0
    paid: int = 0
    strands: int = 0
    providers: int = 0
    vcse_providers: int = 0
    public_providers: int = 0
    vcse_money: int = 0
    public_money: int = 0
    interventions: int = 0
    high_impact: int = 0
    high_impact_money: int = 0

    @property
    def remaining(self) -> int:
        return self.committed - self.paid

    @property
    def earmark_left(self) -> int | None:
        return None if self.earmarked is None else self.earmarked - self.committed

    @property
    def high_impact_share_by_count(self) -> Decimal:
        return percent(self.high_impact, self.interventions)

    @property
    def high_impact_share_by_money(self) -> Decimal:
        return percent(self.high_impact_money, self.committed)


@dataclass
class ProgrammeFigures:
    programme: Programme
    years: list[Figures] = field(default_factory=list)
    whole: Figures | None = None

    @property
    def interventions(self) -> bool:
        return self.programme.kind == "commissioning"


def _add_up(label: str, year: int | None, items: list[Allocation]) -> Figures:
    figures = Figures(label, year)
    contracts: dict[int, bool] = {}
    money_of: dict[int, int] = {}
    providers: dict[int, bool] = {}
    for item in items:
        figures.committed += item.amount
        figures.paid += item.paid
        contracts[item.contract_id] = item.high_impact
        money_of[item.contract_id] = money_of.get(item.contract_id, 0) + item.amount
        providers[item.provider_id] = is_vcse(item.org_type)
        if is_vcse(item.org_type):
            figures.vcse_money += item.amount
        else:
            figures.public_money += item.amount
    figures.strands = figures.interventions = len(contracts)
    figures.high_impact = sum(1 for high in contracts.values() if high)
    figures.high_impact_money = sum(money_of[c] for c, high in contracts.items() if high)
    figures.providers = len(providers)
    figures.vcse_providers = sum(1 for vcse in providers.values() if vcse)
    figures.public_providers = figures.providers - figures.vcse_providers
    return figures


def _budgets(programme: Programme) -> tuple[dict[int, int], dict[int, int]]:
    """What the programme's incoming grants bring by year, and its stream's Budget by year."""
    brought = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(IncomingGrantYear.financial_year, func.sum(IncomingGrantYear.amount_pence))
            .join(IncomingGrant, IncomingGrant.id == IncomingGrantYear.incoming_grant_id)
            .where(IncomingGrant.programme_id == programme.id)
            .group_by(IncomingGrantYear.financial_year)
        ).all()
    )
    earmarked: dict[int, int] = {}
    if programme.budget_stream:
        earmarked = dict(
            db.session.execute(  # type: ignore[arg-type]
                select(Budget.financial_year, Budget.amount_pence).where(
                    Budget.budget_stream == programme.budget_stream
                )
            ).all()
        )
    return {int(k): int(v) for k, v in brought.items()}, earmarked


def programme_figures(programme: Programme, year: int | None = None) -> ProgrammeFigures:
    """Every year of the programme (or just `year`), and the whole programme."""
    items = allocations(Contract.programme_id == programme.id)
    brought, earmarked = _budgets(programme)
    years = sorted({i.year for i in items} | set(brought) | ({year} if year is not None else set()))
    if year is not None:
        years = [year]
    found = ProgrammeFigures(programme)
    for each in years:
        figures = _add_up(financial_year_label(each), each, [i for i in items if i.year == each])
        figures.budget = brought.get(each)
        figures.earmarked = earmarked.get(each)
        found.years.append(figures)
    if year is None:
        all_years = sorted({i.year for i in items})
        label = (
            f"{financial_year_label(all_years[0])} to {financial_year_label(all_years[-1])}"
            if all_years
            else "No years"
        )
        whole = _add_up(label, None, items)
        whole.budget = sum(brought.values()) if brought else None
        whole.earmarked = sum(earmarked[y] for y in all_years if y in earmarked) if earmarked else None
        found.whole = whole
    else:
        found.whole = found.years[0]
    return found


def programme_for(user: Any, code: str) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.code == code[:16]))
    if (
        programme is None
        or programme.kind not in ("commissioning", "sub_grant")
        or not access.staff_roles(user, programme.id) & VIEWERS
    ):
        raise NotFound(code)
    return programme


def find_programme(code: str) -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.code == code))


def report_json(found: ProgrammeFigures) -> dict[str, Any]:
    """The figures as the CLI prints them: money as pounds in strings, counts as integers."""
    figures = found.whole
    assert figures is not None

    def pounds(value: int | None) -> str | None:
        return None if value is None else pounds_text(value)

    data: dict[str, Any] = {
        "programme": found.programme.code,
        "year": figures.year,
        "period": figures.label,
        "budget": pounds(figures.budget),
        "earmarked": pounds(figures.earmarked),
        "committed": pounds(figures.committed),
        "allocated": pounds(figures.committed),
        "paid": pounds(figures.paid),
        "remaining": pounds(figures.remaining),
        "providers": figures.providers,
        "strands": figures.strands,
        "vcse_providers": figures.vcse_providers,
        "public_providers": figures.public_providers,
        "vcse_allocated": pounds(figures.vcse_money),
        "public_allocated": pounds(figures.public_money),
    }
    if found.interventions:
        data |= {
            "interventions": figures.interventions,
            "high_impact": figures.high_impact,
            "high_impact_share_by_count": str(figures.high_impact_share_by_count),
            "high_impact_share_by_money": str(figures.high_impact_share_by_money),
        }
    return data


def charts(found: ProgrammeFigures) -> dict[str, BarChart]:
    """Committed and paid by year; for interventions, the share rated high impact by year."""
    years = [f for f in found.years if f.committed or f.budget]
    drawn = {
        "committed": bar_chart(
            "committed-by-year",
            "Committed by financial year",
            [(f.label, f.committed, money(f.committed)) for f in years],
        ),
        "paid": bar_chart("paid-by-year", "Paid by financial year", [(f.label, f.paid, money(f.paid)) for f in years]),
    }
    if found.interventions:
        drawn["high_impact_count"] = bar_chart(
            "high-impact-count",
            "Interventions rated high impact, share by count",
            [
                (
                    f.label,
                    int(f.high_impact_share_by_count * 10),
                    f"{f.high_impact_share_by_count}% ({f.high_impact} of {f.interventions})",
                )
                for f in years
            ],
        )
        drawn["high_impact_money"] = bar_chart(
            "high-impact-money",
            "Interventions rated high impact, share by money",
            [(f.label, int(f.high_impact_share_by_money * 10), f"{f.high_impact_share_by_money}%") for f in years],
        )
    return drawn
