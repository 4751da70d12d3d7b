"""Budgets by budget stream and financial year: budget, committed, paid, recovered, remaining.

A UK financial year runs 1 April to 31 March and is named by its starting year (2022 is
2022/23). For a year and a stream:

- budget: the Budget row finance set (with its cost centre), or not set;
- committed: the current amounts of the awards charged to the stream whose decision falls in
  the year (the decision's date in West Yorkshire), except awards declined or cancelled;
- paid: instalments paid in the year (by the date finance paid them);
- recovered: underspend returned and clawbacks received in the year;
- remaining: budget − committed + recovered.

Each figure is one GROUP BY query over the year; the report costs the same few statements
however many awards and instalments there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from grants import access, audit
from grants.extensions import db
from grants.formatting import LONDON, london_to_utc, money, pence_from_pounds
from grants.models import Award, Budget, Payment, Programme, Recovery, Term
from grants.models.base import utcnow
from grants.models.budgets import financial_year_label, financial_year_of
from grants.payments.services import Invalid, NotFound, Stale, commit_or_stale, typed_text
from grants.workflow_states import states

VIEW_ROLES = frozenset({"officer", "finance", "decision_maker", "admin"})
SET_ROLES = frozenset({"finance"})
NO_STREAM = ""
COST_CENTRE_MAX = 32
YEARS = range(2000, 2101)


@dataclass
class Line:
    """One stream's figures for the year (or the totals)."""

    stream: str
    label: str
    cost_centre: str | None = None
    budget_pence: int | None = None  # None: no budget set for this stream and year
    committed_pence: int = 0
    paid_pence: int = 0
    recovered_pence: int = 0

    @property
    def remaining_pence(self) -> int:
        return (self.budget_pence or 0) - self.committed_pence + self.recovered_pence


@dataclass
class Report:
    year: int
    lines: list[Line]
    total: Line
    years: list[int]
    can_set: bool

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    def year_label(self, year: int) -> str:
        return financial_year_label(year)


def may_view(user: Any) -> bool:
    return bool(access.staff_roles(user) & VIEW_ROLES)


def may_set(user: Any) -> bool:
    return bool(access.staff_roles(user) & SET_ROLES)


def may_set_stream(user: Any, stream: str) -> bool:
    """Only finance sets a budget: on every programme, or on a programme charged to this stream."""
    mine = access.programmes_with(user, SET_ROLES)
    if mine is None:
        return True
    if not mine:
        return False
    charged = db.session.scalar(
        select(func.count(Programme.id)).where(Programme.id.in_(mine), Programme.budget_stream == stream)
    )
    return bool(charged)


def current_year(today: date) -> int:
    return financial_year_of(today)


def streams() -> list[tuple[str, str]]:
    return [
        (code, label)
        for code, label in db.session.execute(
            select(Term.code, Term.label).where(Term.vocabulary == "budget_stream").order_by(Term.position, Term.label)
        )
    ]


def _bounds(year: int) -> tuple[date, date, datetime, datetime]:
    start, end = date(year, 4, 1), date(year + 1, 4, 1)
    return start, end, london_to_utc(datetime(year, 4, 1)), london_to_utc(datetime(year + 1, 4, 1))


def _year_of_moment(moment: datetime | None) -> int | None:
    return None if moment is None else financial_year_of(moment.astimezone(LONDON).date())


def years_with_figures(today: date) -> list[int]:
    """Every financial year from the first with a figure to the last (and this one), newest first."""
    paid = Payment.state == "paid"
    row = db.session.execute(
        select(
            select(func.min(Award.decided_at)).scalar_subquery(),
            select(func.max(Award.decided_at)).scalar_subquery(),
            select(func.min(Payment.paid_on)).where(paid).scalar_subquery(),
            select(func.max(Payment.paid_on)).where(paid).scalar_subquery(),
            select(func.min(Recovery.received_on)).scalar_subquery(),
            select(func.max(Recovery.received_on)).scalar_subquery(),
            select(func.min(Budget.financial_year)).scalar_subquery(),
            select(func.max(Budget.financial_year)).scalar_subquery(),
        )
    ).one()
    found = {current_year(today)}
    for value in row[:2]:
        year = _year_of_moment(_aware(value))
        if year is not None:
            found.add(year)
    for value in row[2:6]:
        if value is not None:
            found.add(financial_year_of(value if isinstance(value, date) else date.fromisoformat(str(value))))
    for value in row[6:]:
        if value is not None:
            found.add(int(value))
    return sorted(range(min(found), max(found) + 1), reverse=True)


def _aware(value: Any) -> datetime | None:
    """A scalar subquery's timestamp (SQLite gives a naive UTC string or datetime) as aware UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _by_stream(sums: Select[str, int], stream: ColumnElement[str]) -> dict[str, Any]:
    """A (stream, sum) query's sums, one per budget stream."""
    return dict(db.session.execute(sums.group_by(stream)).all())


def report(user: Any, year: int, today: date) -> Report:
    start, end, decided_from, decided_to = _bounds(year)
    stream = func.coalesce(Award.budget_stream, NO_STREAM)
    committed = _by_stream(
        select(stream, func.sum(Award.amount_pence)).where(
            Award.decided_at >= decided_from,
            Award.decided_at < decided_to,
            Award.state.not_in(states("award", "fallen_away")),
        ),
        stream,
    )
    paid = _by_stream(
        select(stream, func.sum(Payment.amount_pence))
        .join(Award, Award.id == Payment.award_id)
        .where(Payment.state == "paid", Payment.paid_on >= start, Payment.paid_on < end),
        stream,
    )
    recovered = _by_stream(
        select(stream, func.sum(Recovery.amount_pence))
        .join(Award, Award.id == Recovery.award_id)
        .where(Recovery.received_on >= start, Recovery.received_on < end),
        stream,
    )
    budgets = {b.budget_stream: b for b in db.session.scalars(select(Budget).where(Budget.financial_year == year))}
    known = streams()
    codes = [code for code, _ in known]
    extra = sorted((set(committed) | set(paid) | set(recovered) | set(budgets)) - set(codes) - {NO_STREAM})
    labels = dict(known) | {code: code for code in extra} | {NO_STREAM: "Not charged to a budget stream"}
    order = codes + extra + ([NO_STREAM] if {NO_STREAM} & (set(committed) | set(paid) | set(recovered)) else [])
    lines = []
    for code in order:
        budget = budgets.get(code)
        lines.append(
            Line(
                stream=code,
                label=labels[code],
                cost_centre=budget.cost_centre if budget else None,
                budget_pence=budget.amount_pence if budget else None,
                committed_pence=int(committed.get(code) or 0),
                paid_pence=int(paid.get(code) or 0),
                recovered_pence=int(recovered.get(code) or 0),
            )
        )
    total = Line(
        stream="total",
        label="Total",
        budget_pence=sum(line.budget_pence or 0 for line in lines),
        committed_pence=sum(line.committed_pence for line in lines),
        paid_pence=sum(line.paid_pence for line in lines),
        recovered_pence=sum(line.recovered_pence for line in lines),
    )
    return Report(year=year, lines=lines, total=total, years=years_with_figures(today), can_set=may_set(user))


# -- setting a budget ------------------------------------------------------------------------------
@dataclass
class BudgetForm:
    """What the page needs to set one stream's budget for one year."""

    stream: str
    stream_label: str
    year: int
    current: Budget | None

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


def budget_for(stream: str, year: int) -> BudgetForm:
    labels = dict(streams())
    if stream not in labels or year not in YEARS:
        raise NotFound(f"{stream} {year}")
    current = db.session.scalar(select(Budget).where(Budget.budget_stream == stream, Budget.financial_year == year))
    return BudgetForm(stream=stream, stream_label=labels[stream], year=year, current=current)


def _describe(budget: Budget | None) -> str | None:
    return None if budget is None else f"{money(budget.amount_pence)} ({budget.cost_centre})"


MOST_BUDGET_PENCE = 100_000_000_000  # £1bn: far above any stream's year, and one the column holds


def set_budget(
    user: Any,
    target: BudgetForm,
    amount_typed: str,
    cost_centre: str,
    reason: str,
    expected_version: int | None,
) -> Budget:
    """Set (or change) the budget and cost centre; Invalid or Stale write nothing."""
    errors: dict[str, str] = {}
    typed = amount_typed.strip()
    amount = pence_from_pounds(typed) if typed else None
    if not typed:
        errors["amount"] = "Enter the budget"
    elif typed.replace(" ", "").lstrip("£").startswith("-"):
        errors["amount"] = "The budget must be £0 or more"
    elif amount is None:
        errors["amount"] = "Enter the budget in pounds and pence, like 250000 or 250,000.50"
    elif amount > MOST_BUDGET_PENCE:
        errors["amount"] = "The budget must be £1,000,000,000 or less"
    cost_centre = typed_text(
        errors,
        "cost_centre",
        cost_centre,
        "Enter the cost centre",
        COST_CENTRE_MAX,
        f"The cost centre must be {COST_CENTRE_MAX} characters or fewer",
    )
    current = target.current
    reason = reason.strip()
    if current is not None and amount is not None and amount != current.amount_pence and not reason:
        errors["reason"] = "Enter the reason for changing the budget"
    if errors:
        raise Invalid(errors)
    assert amount is not None
    if (current is None) != (expected_version is None) or (
        current is not None and current.version_id != expected_version
    ):
        raise Stale(current)
    before = _describe(current)
    budget = current
    if budget is None:
        budget = Budget(budget_stream=target.stream, financial_year=target.year)
        db.session.add(budget)
    elif (budget.amount_pence, budget.cost_centre) == (amount, cost_centre):
        return budget
    budget.amount_pence = amount
    budget.cost_centre = cost_centre
    budget.updated_by_id = getattr(user, "id", None)
    budget.updated_at = utcnow()

    def fresh() -> Budget | None:
        return budget_for(target.stream, target.year).current

    commit_or_stale(fresh, flush_only=True)  # the row's id, for its audit row
    audit.record(
        actor=user,
        subject_type="budget",
        subject_id=budget.id,
        subject_reference=f"{target.stream_label} {target.year_label}"[:64],
        action="budget_set",
        from_state=before,
        to_state=_describe(budget),
        reason=reason or None,
        data={"budget_stream": target.stream, "financial_year": target.year},
    )
    commit_or_stale(fresh)
    return budget
