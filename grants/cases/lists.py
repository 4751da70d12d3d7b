"""The generic case lists' columns, filters and CSV (the shared machinery is grants.listing).

Filters live in the address: `state` (any number), `programme` (an id), `round` (an id: applications),
`changed-from` / `changed-to` (the day the case last changed state, London time), `district` (a
district's code: kinds about a bid or an award), `officer` (an id, `me`, or `none`: who looks after the
case, grants.cases.officers). Odd input is a specific message, or simply no rows; never an error page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, inspect, or_, select

from grants import access
from grants.case_types import CaseType
from grants.extensions import db
from grants.formatting import LONDON, pounds_text
from grants.kept import kept
from grants.listing import Column, Sort, SortSpec, csv_lines, day_ends, day_starts, read_day, without_nul
from grants.models import CaseOfficer, Programme, RoleGrant, Round, Term, User

ID_DIGITS = 9  # an id in the address longer than this is no row's
CHANGED_FROM = "changed-from"
CHANGED_TO = "changed-to"
OFFICER_ME = "me"
OFFICER_NOBODY = "none"


def amount_column(model: Any) -> Any:
    """The money column a kind of case is about, as its list shows it (None: it has none)."""
    columns = inspect(model).columns
    for name in ("amount_pence", "amount_requested_pence", "budget_pence"):
        if name in columns:
            return getattr(model, name)
    return None


def officer_name(case_type: CaseType) -> Any:
    """The case's officer's name, as a sort key ("" for nobody, so they sort first on either database)."""
    model: Any = case_type.model
    name = (
        select(User.name)
        .join(CaseOfficer, CaseOfficer.officer_id == User.id)
        .where(CaseOfficer.case_kind == case_type.kind, CaseOfficer.case_id == model.id)
        .scalar_subquery()
    )
    return func.coalesce(name, "")


def officer_names(kind: str, case_ids: Iterable[int]) -> dict[int, str]:
    """Each listed case's officer's name (one statement for a page, or a CSV's batch of rows)."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(CaseOfficer.case_id, User.name)
        .join(User, User.id == CaseOfficer.officer_id)
        .where(CaseOfficer.case_kind == kind, CaseOfficer.case_id.in_(ids))
    )
    return {int(case_id): str(name) for case_id, name in rows}


def officers_query(programme_ids: list[int] | None) -> Any:
    """Active people holding the officer role on these programmes (None: any) or on every programme."""
    query = (
        select(User.id, User.name)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "officer", User.active.is_(True))
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    )
    if programme_ids is not None:
        query = query.where(or_(RoleGrant.programme_id.is_(None), RoleGrant.programme_id.in_(programme_ids)))
    return query


def sorts(case_type: CaseType) -> SortSpec:
    """A kind's sortable columns; `?sort=oldest|newest|state|changed` from older links still work."""
    model: Any = case_type.model
    columns = {
        "reference": Column("Reference", (model.id,)),
        "state": Column("State", (model.state,)),
        "changed": Column("Last changed", (model.state_changed_at,)),
        "officer": Column("Officer", (officer_name(case_type),)),
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
    district: str | None = None  # a "district" term's code
    officer: int | str | None = None  # a user's id, OFFICER_ME or OFFICER_NOBODY
    errors: dict[str, str] = field(default_factory=dict)  # field id -> message
    typed: dict[str, str] = field(default_factory=dict)  # what was typed, to show again

    @property
    def any(self) -> bool:
        return bool(
            self.states
            or self.programme_id
            or self.round_id
            or self.changed_from
            or self.changed_to
            or self.district
            or self.officer is not None
        )


def _id(args: Mapping[str, Any], name: str, noun: str, errors: dict[str, str]) -> int | None:
    """An id from the address; `noun` with its article ("a programme", "an officer")."""
    typed = without_nul(str(args.get(name) or "")).strip()
    if not typed:
        return None
    if not (typed.isascii() and typed.isdigit()) or len(typed) > ID_DIGITS:
        errors[name] = f"Choose {noun} from the list"
        return None
    return int(typed)


def read_filters(args: Any) -> CaseFilters:
    """The filters in a list's address (a MultiDict: `state` may repeat)."""
    errors: dict[str, str] = {}
    states = tuple(s for s in (without_nul(v)[:100].strip() for v in args.getlist("state")) if s)
    programme_id = _id(args, "programme", "a programme", errors)
    round_id = _id(args, "round", "a round", errors)
    typed = {name: without_nul(str(args.get(name) or ""))[:100] for name in (CHANGED_FROM, CHANGED_TO)}
    start, problem = read_day(typed[CHANGED_FROM], "The ‘changed from’ date")
    if problem:
        errors[CHANGED_FROM] = problem
    end, problem = read_day(typed[CHANGED_TO], "The ‘changed to’ date")
    if problem:
        errors[CHANGED_TO] = problem
    if start is not None and end is not None and start > end:
        errors[CHANGED_TO] = "The ‘changed to’ date must be the same as or after the ‘changed from’ date"
    district = without_nul(str(args.get("district") or ""))[:64].strip() or None
    officer: int | str | None = without_nul(str(args.get("officer") or "")).strip().lower() or None
    if officer not in (None, OFFICER_ME, OFFICER_NOBODY):
        officer = _id(args, "officer", "an officer", errors)
    return CaseFilters(states, programme_id, round_id, start, end, district, officer, errors, typed)


def _officer_clause(case_type: CaseType, officer: int | str, user: Any) -> Any:
    model: Any = case_type.model
    assigned = select(CaseOfficer.case_id).where(CaseOfficer.case_kind == case_type.kind)
    if officer == OFFICER_NOBODY:
        return model.id.not_in(assigned)
    officer_id = getattr(user, "id", None) if officer == OFFICER_ME else officer
    return model.id.in_(assigned.where(CaseOfficer.officer_id == officer_id))


def clauses(case_type: CaseType, filters: CaseFilters, user: Any = None) -> list[Any]:
    """The WHERE clauses of the filters (the visibility rules are the caller's; `user` is "me")."""
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
    if filters.district and case_type.district_clause is not None:
        found.append(case_type.district_clause(filters.district))
    if filters.officer is not None:
        found.append(_officer_clause(case_type, filters.officer, user))
    return found


@dataclass(frozen=True)
class Choices:
    programmes: list[tuple[int, str]]
    rounds: list[tuple[int, str]]  # only for kinds that belong to a round
    districts: list[tuple[str, str]] = field(default_factory=list)  # only for kinds about a bid or award
    officers: list[tuple[int, str]] = field(default_factory=list)


def choices(case_type: CaseType, user: Any) -> Choices:
    """The programmes, officers (and rounds, districts) the user may filter by: those of the programmes
    whose cases they see (one statement each)."""
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
    districts: list[tuple[str, str]] = []
    if case_type.district_clause is not None:
        terms = select(Term.code, Term.label).where(Term.vocabulary == "district").order_by(Term.position, Term.label)
        districts = [(code, label) for code, label in db.session.execute(terms)]
    officers = [(uid, name) for uid, name in db.session.execute(officers_query(visible))]
    return Choices(programmes, rounds, districts, officers)


@dataclass(frozen=True)
class Row:
    """A case as its list's row shows it: what the page used to work out in the template, attribute by
    attribute (an attribute a kind lacks is not shown; one it has is shown even when empty)."""

    case: Any
    title: Any  # its title, project title or period (the first the kind has), or ""
    has_organisation: bool
    organisation: Any  # the case's organisation (None: none yet)
    has_amount: bool
    amount: Any  # its amount or budget in pence (the first the kind has)


def _first(case: Any, names: tuple[str, ...]) -> tuple[bool, Any]:
    for name in names:
        try:
            return True, getattr(case, name)
        except AttributeError:
            continue
    return False, None


def rows(cases: Iterable[Any]) -> list[Row]:
    """The page's cases as its rows show them (no statements: a kind's eager loads bring the organisation)."""
    found = []
    for case in cases:
        has_title, title = _first(case, ("title", "project_title", "period_label"))
        has_organisation, organisation = _first(case, ("organisation",))
        has_amount, amount = _first(case, ("amount_pence", "budget_pence"))
        found.append(Row(case, title if has_title else "", has_organisation, organisation, has_amount, amount))
    return found


ROWS_KEPT = 10_000  # list rows' HTML kept per process (about a kilobyte each)


def kept_row(
    render: Callable[..., Any],
    row: Row,
    prefix: str,
    batch_actions: Sequence[Any],
    chosen_ids: Sequence[str],
    officer_names: Mapping[int, str],
) -> Any:
    """A row's HTML (templates/cases/list.html's _row macro), made once for each set of what it shows and
    kept in this process: the key holds every value the row prints or tests (the case's id, reference,
    title, organisation's name, state, last change and amount, its officer's name, whether the batch
    checkbox is shown and ticked, and the address of the case's page), so a changed case, officer or
    choice is a new key. FORM_CACHES=False makes it every time."""
    case = row.case
    organisation = row.organisation
    ticking = bool(batch_actions)
    key = (
        prefix,
        ticking,
        ticking and str(case.id) in chosen_ids,
        officer_names.get(case.id, ""),
        case.id,
        case.reference,
        row.title,
        row.has_organisation,
        None if organisation is None else ("named", organisation.name),
        case.state,
        case.state_changed_at,
        row.has_amount,
        row.amount,
    )
    return kept("case_list_rows", ROWS_KEPT, key, lambda: render(row, case, prefix))


CSV_HEADER = ("Reference", "Title", "Organisation", "State", "Amount (£)", "State changed", "Officer")


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

    officers: dict[int, str] = {}

    def batch(cases: Sequence[Any]) -> None:
        officers.clear()
        officers.update(officer_names(case_type.kind, (case.id for case in cases)))

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
            officers.get(case.id, ""),
        ]

    return csv_lines(CSV_HEADER, query, row, each_batch=batch)
