"""The generic case lists' columns, filters and CSV (the shared machinery is grants.listing).

Filters live in the address: `state` (any number), `programme` (an id), `round` (an id: applications),
`changed-from` / `changed-to` (the day the case last changed state, London time). Odd input is a
specific message, or simply no rows; never an error page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import inspect, select

from grants import access
from grants.case_types import CaseType
from grants.extensions import db
from grants.formatting import LONDON, pounds_text
from grants.listing import Column, Sort, SortSpec, csv_lines, day_ends, day_starts, read_day, without_nul
from grants.models import Programme, Round

ID_DIGITS = 9  # an id in the address longer than this is no row's
CHANGED_FROM = "changed-from"
CHANGED_TO = "changed-to"


def amount_column(model: Any) -> Any:
    """The money column a kind of case is about, as its list shows it (None: it has none)."""
    columns = inspect(model).columns
    for name in ("amount_pence", "amount_requested_pence", "budget_pence"):
        if name in columns:
            return getattr(model, name)
    return None


def sorts(case_type: CaseType) -> SortSpec:
    """A kind's sortable columns; `?sort=oldest|newest|state|changed` from older links still work."""
    model: Any = case_type.model
    columns = {
        "reference": Column("Reference", (model.id,)),
        "state": Column("State", (model.state,)),
        "changed": Column("Last changed", (model.state_changed_at,)),
    }
    amount = amount_column(model)
    if amount is not None:
        columns["amount"] = Column("Amount", (amount,))
    return SortSpec(
        columns=columns,
        default=Sort("reference", "asc"),
        tie_breaker=model.id,
        aliases={
            "oldest": Sort("reference", "asc"),
            "newest": Sort("reference", "desc"),
            "changed": Sort("changed", "desc"),
        },
    )


@dataclass(frozen=True)
class CaseFilters:
    states: tuple[str, ...] = ()
    programme_id: int | None = None
    round_id: int | None = None
    changed_from: date | None = None
    changed_to: date | None = None
    errors: dict[str, str] = field(default_factory=dict)  # field id -> message
    typed: dict[str, str] = field(default_factory=dict)  # what was typed, to show again

    @property
    def any(self) -> bool:
        return bool(self.states or self.programme_id or self.round_id or self.changed_from or self.changed_to)


def _id(args: Mapping[str, Any], name: str, noun: str, errors: dict[str, str]) -> int | None:
    typed = without_nul(str(args.get(name) or "")).strip()
    if not typed:
        return None
    if not (typed.isascii() and typed.isdigit()) or len(typed) > ID_DIGITS:
        errors[name] = f"Choose a {noun} from the list"
        return None
    return int(typed)


def read_filters(args: Any) -> CaseFilters:
    """The filters in a list's address (a MultiDict: `state` may repeat)."""
    errors: dict[str, str] = {}
    states = tuple(s for s in (without_nul(v)[:100].strip() for v in args.getlist("state")) if s)
    programme_id = _id(args, "programme", "programme", errors)
    round_id = _id(args, "round", "round", errors)
    typed = {name: without_nul(str(args.get(name) or ""))[:100] for name in (CHANGED_FROM, CHANGED_TO)}
    start, problem = read_day(typed[CHANGED_FROM], "The ‘changed from’ date")
    if problem:
        errors[CHANGED_FROM] = problem
    end, problem = read_day(typed[CHANGED_TO], "The ‘changed to’ date")
    if problem:
        errors[CHANGED_TO] = problem
    if start is not None and end is not None and start > end:
        errors[CHANGED_TO] = "The ‘changed to’ date must be the same as or after the ‘changed from’ date"
    return CaseFilters(states, programme_id, round_id, start, end, errors, typed)


def clauses(case_type: CaseType, filters: CaseFilters) -> list[Any]:
    """The WHERE clauses of the filters (the visibility rules are the caller's)."""
    model: Any = case_type.model
    found = []
    if filters.states:
        found.append(model.state.in_(filters.states))
    if filters.programme_id is not None and case_type.programme_clause is not None:
        found.append(case_type.programme_clause([filters.programme_id]))
    if filters.round_id is not None and hasattr(model, "round_id"):
        found.append(model.round_id == filters.round_id)
    if filters.changed_from is not None:
        found.append(model.state_changed_at >= day_starts(filters.changed_from, LONDON))
    if filters.changed_to is not None:
        found.append(model.state_changed_at < day_ends(filters.changed_to, LONDON))
    return found


@dataclass(frozen=True)
class Choices:
    programmes: list[tuple[int, str]]
    rounds: list[tuple[int, str]]  # only for kinds that belong to a round


def choices(case_type: CaseType, user: Any) -> Choices:
    """The programmes (and rounds) the user may filter by: those whose cases they see (two statements)."""
    visible = access.programmes_with(user, access.CASE_PAGE_ROLES)
    query = select(Programme.id, Programme.name).order_by(Programme.name, Programme.id)
    if visible is not None:
        query = query.where(Programme.id.in_(sorted(visible)))
    programmes = [(pid, name) for pid, name in db.session.execute(query)]
    rounds: list[tuple[int, str]] = []
    if hasattr(case_type.model, "round_id"):
        found = select(Round.id, Round.code, Round.title).order_by(Round.code, Round.id)
        if visible is not None:
            found = found.where(Round.programme_id.in_(sorted(visible)))
        rounds = [(rid, f"{code}: {title}") for rid, code, title in db.session.execute(found)]
    return Choices(programmes, rounds)


CSV_HEADER = ("Reference", "Title", "Organisation", "State", "Amount (£)", "State changed")


def title_of(case: Any) -> str:
    for name in ("title", "project_title", "period_label"):
        value = getattr(case, name, None)
        if value is not None:
            return str(value)
    return ""


def amount_of(case: Any) -> int | None:
    """The money the list shows for a case (an application's is what it asks for)."""
    for name in ("amount_pence", "budget_pence"):
        value = getattr(case, name, None)
        if value is not None:
            return int(value)
    return None


def csv_of(case_type: CaseType, query: Any) -> Iterator[str]:
    """The list's rows as CSV (the query carries the page's visibility, filters and order)."""

    def row(case: Any) -> list[Any]:
        organisation = getattr(case, "organisation", None)
        changed = case.state_changed_at
        return [
            case.reference,
            title_of(case),
            organisation.name if organisation is not None else "",
            case.state.replace("_", " ").capitalize(),
            pounds_text(amount_of(case)),
            changed.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if changed else "",
        ]

    return csv_lines(CSV_HEADER, query, row)
