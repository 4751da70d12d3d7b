"""The officers' monitoring dashboard: returns due this month, overdue, awaiting sign-off and
awaiting review; spend against award with each grant's red/amber/green rating and automatic flags;
outcomes added up by financial quarter and year; and the two charts' figures.

Scoped to the programmes the user reads cases on, narrowed by the filters (programme, round,
return state, due date range, officer). Every list is sortable by its columns both ways (`sort_<table>`,
`dir_<table>`; rows with nothing in the column after the rest, ties by id, and descending is the exact
reverse) and paginated (`page_<table>`); the page costs a fixed number of statements
whatever the number of returns: each list's count and page, the grants' flags, the outcome and
chart totals, the filter choices. Every table downloads as CSV or XLSX (exports/monitoring_dashboard).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select

from exports.monitoring_dashboard import DAY, MONEY, NUMBER, TEXT, XLSX_MIMETYPE, Field, csv_chunks, write_xlsx
from grants import access
from grants.extensions import db
from grants.formatting import whole_number
from grants.listing import without_nul
from grants.models import (
    Application,
    Award,
    MonitoringReturn,
    Organisation,
    Programme,
    ReturnMetric,
    RoleGrant,
    Round,
    User,
)
from grants.monitoring import rating
from grants.monitoring.grant_facts import KIND_LABELS, grantee_states
from grants.monitoring.metrics import METRICS
from grants.pagination import Filtering, Page
from grants.workflow_states import state_labels, states

DATE_PARTS = ("day", "month", "year")


# -- filters ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters(Filtering):
    programme: str = ""  # a programme code
    round: str = ""  # a round code
    state: str = ""  # a return state
    officer: str = ""  # a user id: the programmes where they are an officer
    due_from: date | None = None
    due_to: date | None = None
    typed: dict[str, tuple[str, str, str]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def any(self) -> bool:
        return any([self.programme, self.round, self.state, self.officer, self.due_from, self.due_to])

    def parts(self, name: str) -> tuple[str, str, str]:
        return self.typed.get(name, ("", "", ""))


def _text(args: Mapping[str, str], name: str) -> str:
    """A filter as typed, as a query may use it (no NUL bytes: PostgreSQL text cannot hold them)."""
    return without_nul(str(args.get(name) or ""))[:100].strip()


def _typed_date(args: Mapping[str, str], name: str, noun: str, errors: dict[str, str]) -> date | None:
    parts = tuple(_text(args, f"{name}-{part}") for part in DATE_PARTS)
    missing = [label for label, part in zip(DATE_PARTS, parts, strict=True) if not part]
    if len(missing) == 3:
        return None
    if missing:
        errors[f"{name}-day"] = f"The {noun} must include a {' and a '.join(missing)}"
        return None
    day, month, year = (whole_number(part) for part in parts)
    try:
        if day is None or month is None or year is None or year < 1900:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        errors[f"{name}-day"] = f"The {noun} must be a real date"
        return None


def read_filters(args: Mapping[str, str]) -> tuple[Filters, dict[str, str]]:
    """The filters from the query string, and what is wrong with the dates typed."""
    errors: dict[str, str] = {}
    due_from = _typed_date(args, "due_from", "first due date", errors)
    due_to = _typed_date(args, "due_to", "last due date", errors)
    if due_from and due_to and due_to < due_from:
        errors["due_to-day"] = "The last due date must be the same as or after the first due date"
        due_to = None
    typed = {name: tuple(_text(args, f"{name}-{p}") for p in DATE_PARTS) for name in ("due_from", "due_to")}
    return (
        Filters(
            programme=_text(args, "programme"),
            round=_text(args, "round"),
            state=_text(args, "state"),
            officer=_text(args, "officer"),
            due_from=due_from,
            due_to=due_to,
            typed=typed,  # type: ignore[arg-type]
        ),
        errors,
    )


@dataclass(frozen=True)
class Choices:
    programmes: list[tuple[str, str]]
    rounds: list[tuple[str, str]]
    states: list[tuple[str, str]]
    officers: list[tuple[str, str]]


def visible_programmes(user: Any) -> list[Programme]:
    grants = access.staff_grants(user)
    query = select(Programme).order_by(Programme.code)
    if not grants.get(access.ALL_PROGRAMMES, frozenset()) & access.CASE_PAGE_ROLES:
        ids = [pid for pid, roles in grants.items() if pid is not None and roles & access.CASE_PAGE_ROLES]
        query = query.where(Programme.id.in_(ids))
    return list(db.session.scalars(query))


def _choices(programmes: list[Programme]) -> Choices:
    ids = [p.id for p in programmes]
    rounds = db.session.execute(
        select(Round.code, Round.title).where(Round.programme_id.in_(ids)).order_by(Round.programme_id, Round.number)
    ).all()
    officers = db.session.execute(
        select(User.id, User.name)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "officer", (RoleGrant.programme_id.in_(ids)) | (RoleGrant.programme_id.is_(None)))
        .group_by(User.id, User.name)
        .order_by(User.name)
    ).all()
    return Choices(
        programmes=[(p.code, f"{p.code}: {p.name}") for p in programmes],
        rounds=[(code, f"{code}: {title}") for code, title in rounds],
        states=list(state_labels("return").items()),
        officers=[(str(uid), name) for uid, name in officers],
    )


def _programme_ids(programmes: list[Programme], filters: Filters) -> ColumnElement[bool]:
    ids = [p.id for p in programmes if not filters.programme or p.code == filters.programme]
    wanted: ColumnElement[bool] = Award.programme_id.in_(ids)
    officer = whole_number(filters.officer)
    if officer is not None:
        everywhere = select(RoleGrant.id).where(
            RoleGrant.user_id == officer, RoleGrant.role == "officer", RoleGrant.programme_id.is_(None)
        )
        wanted = and_(
            wanted,
            Award.programme_id.in_(
                select(RoleGrant.programme_id).where(RoleGrant.user_id == officer, RoleGrant.role == "officer")
            )
            | everywhere.exists(),
        )
    return wanted


def _award_scope(programmes: list[Programme], filters: Filters, viewer_id: int) -> list[ColumnElement[bool]]:
    """The awards shown: the viewer's programmes, filtered, none they have a conflict of interest on."""
    wanted = [_programme_ids(programmes, filters), access.free_of_conflict(viewer_id, Award.organisation_id)]
    if filters.round:
        wanted.append(
            Award.application_id.in_(
                select(Application.id).join(Round, Round.id == Application.round_id).where(Round.code == filters.round)
            )
        )
    return wanted


def _return_scope(programmes: list[Programme], filters: Filters, viewer_id: int) -> list[ColumnElement[bool]]:
    wanted = _award_scope(programmes, filters, viewer_id)
    if filters.state:
        wanted.append(MonitoringReturn.state == filters.state)
    if filters.due_from:
        wanted.append(MonitoringReturn.due_date >= filters.due_from)
    if filters.due_to:
        wanted.append(MonitoringReturn.due_date <= filters.due_to)
    return wanted


# -- tables ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    key: str
    title: str
    kind: str = TEXT
    numeric: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    title: str
    columns: tuple[Col, ...]
    default_sort: str
    default_dir: str = "asc"


RETURN_COLUMNS = (
    Col("reference", "Grant"),
    Col("organisation", "Organisation"),
    Col("programme", "Programme"),
    Col("period", "Period"),
    Col("kind", "Kind"),
    Col("due", "Due", DAY),
    Col("state", "State"),
)
TABLES: dict[str, TableSpec] = {
    "due_this_month": TableSpec("due_this_month", "Returns due this month", RETURN_COLUMNS, "due"),
    "overdue": TableSpec(
        "overdue",
        "Overdue returns",
        (*RETURN_COLUMNS, Col("days_late", "Days late", NUMBER, True)),
        "days_late",
        "desc",
    ),
    "awaiting_sign_off": TableSpec("awaiting_sign_off", "Awaiting sign-off at the grantee", RETURN_COLUMNS, "due"),
    "awaiting_review": TableSpec(
        "awaiting_review",
        "Awaiting review",
        (*RETURN_COLUMNS, Col("submitted", "Submitted", DAY)),
        "submitted",
    ),
    "spend": TableSpec(
        "spend",
        "Spend against award",
        (
            Col("reference", "Grant"),
            Col("organisation", "Organisation"),
            Col("programme", "Programme"),
            Col("amount", "Award", MONEY, True),
            Col("spend", "Spend to date", MONEY, True),
            Col("share", "Spent (%)", NUMBER, True),
            Col("rating", "Rating"),
            Col("flags", "Flags"),
        ),
        "reference",
    ),
    "outcomes": TableSpec(
        "outcomes",
        "Outcomes by financial quarter",
        (
            Col("year", "Financial year"),
            Col("quarter", "Quarter"),
            Col("metric", "Figure"),
            Col("total", "Total", NUMBER, True),
        ),
        "quarter",
    ),
    "overdue_by_programme": TableSpec(
        "overdue_by_programme",
        "Overdue returns by programme",
        (Col("programme", "Programme"), Col("overdue", "Overdue returns", NUMBER, True)),
        "programme",
    ),
}
RETURN_TABLES = ("due_this_month", "overdue", "awaiting_sign_off", "awaiting_review")
RAG_ORDER = {"red": 0, "amber": 1, "green": 2}


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool


def sort_of(spec: TableSpec, args: Mapping[str, str]) -> Sort:
    """A table's sort from the address; its default for anything else (never an error)."""
    column = args.get(f"sort_{spec.name}", spec.default_sort)
    if column not in {c.key for c in spec.columns} or column == "flags":
        column = spec.default_sort
    direction = args.get(f"dir_{spec.name}", "")
    if direction not in ("asc", "desc"):
        direction = spec.default_dir if column == spec.default_sort else "asc"
    return Sort(column, direction == "desc")


def _ordered(key: Any, descending: bool, row_id: Any) -> list[Any]:
    """ORDER BY a column both ways alike on SQLite and PostgreSQL: empty (NULL) after every value, then
    the row id; descending reverses all three."""
    keys = [key.is_(None), key, row_id]
    return [k.desc() if descending else k.asc() for k in keys]


@dataclass
class Table:
    spec: TableSpec
    sort: Sort
    page: Page[Any]
    links: dict[int, str] = field(default_factory=dict)  # row index → where its first cell links

    @property
    def name(self) -> str:
        return self.spec.name


def _return_columns() -> dict[str, Any]:
    return {
        "reference": Award.public_reference,
        "organisation": Organisation.name,
        "programme": Programme.code,
        "period": MonitoringReturn.period_label,
        "kind": MonitoringReturn.kind,
        "due": MonitoringReturn.due_date,
        "state": MonitoringReturn.state,
        "days_late": MonitoringReturn.due_date,  # sorted the other way: more days late is an earlier date
        "submitted": MonitoringReturn.submitted_at,
    }


def _returns_query(where: list[ColumnElement[bool]], sort: Sort) -> Select[Any]:
    key = _return_columns()[sort.column]
    days_late = sort.column == "days_late"  # more days late is an earlier due date
    order = _ordered(key, sort.descending != days_late, MonitoringReturn.id)
    if days_late:  # ties still follow the sort as shown
        order[-1] = MonitoringReturn.id.desc() if sort.descending else MonitoringReturn.id.asc()
    query = (
        select(
            MonitoringReturn.id,
            Award.public_reference,
            Organisation.name,
            Programme.code,
            MonitoringReturn.period_label,
            MonitoringReturn.kind,
            MonitoringReturn.due_date,
            MonitoringReturn.state,
            MonitoringReturn.submitted_at,
        )
        .join(Award, Award.id == MonitoringReturn.award_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .join(Programme, Programme.id == Award.programme_id)
        .where(*where)
        .order_by(*order)
    )
    return query  # type: ignore[return-value]


def _return_where(name: str, scope: list[ColumnElement[bool]], today: date) -> list[ColumnElement[bool]]:
    if name == "due_this_month":
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return [
            *scope,
            MonitoringReturn.due_date.between(first, last),
            MonitoringReturn.state.not_in(states("return", "ended")),
        ]
    tag = {"overdue": "late", "awaiting_sign_off": "awaiting_sign_off", "awaiting_review": "awaiting_review"}[name]
    return [*scope, MonitoringReturn.state.in_(states("return", tag))]


def _return_row(spec: TableSpec, found: Any, labels: dict[str, str], today: date) -> tuple[Any, ...]:
    row = [
        found.public_reference,
        found.name,
        found.code,
        found.period_label,
        KIND_LABELS.get(found.kind, found.kind),
        found.due_date,
        labels.get(found.state, found.state),
    ]
    if spec.name == "overdue":
        row.append((today - found.due_date).days)
    if spec.name == "awaiting_review":
        row.append(found.submitted_at.date() if found.submitted_at else None)
    return tuple(row)


def _page(query: Select[Any], page: int, per_page: int) -> tuple[list[Any], int, int]:
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    last = max(1, -(-total // per_page))
    page = min(max(1, page), last)
    return list(db.session.execute(query.limit(per_page).offset((page - 1) * per_page))), page, total


def _page_number(args: Mapping[str, str], name: str) -> int:
    return max(1, whole_number(args.get(f"page_{name}", "1")) or 1)


# -- spend against award ---------------------------------------------------------------------------------
def _latest_spend() -> Any:
    """The spend to date of each award's latest accepted return (a correlated scalar subquery)."""
    inner = (
        select(MonitoringReturn.spend_to_date_pence)
        .where(
            MonitoringReturn.award_id == Award.id,
            MonitoringReturn.state.in_(states("return", "return_accepted")),
            MonitoringReturn.spend_to_date_pence.is_not(None),
        )
        .order_by(MonitoringReturn.period_ends_on.desc(), MonitoringReturn.id.desc())
        .limit(1)
        .correlate(Award)
        .scalar_subquery()
    )
    return inner


def _spend_query(scope: list[ColumnElement[bool]], sort: Sort) -> Select[Any]:
    spend = _latest_spend().label("spend")
    rag = case(*((Award.rag_rating == name, number) for name, number in RAG_ORDER.items()), else_=len(RAG_ORDER))
    keys: dict[str, Any] = {
        "reference": Award.public_reference,
        "organisation": Organisation.name,
        "programme": Programme.code,
        "amount": Award.amount_pence,
        "spend": spend,
        "share": spend * 1.0 / func.nullif(Award.amount_pence, 0),
        "rating": rag,
    }
    key = keys[sort.column]
    return (
        select(Award, Organisation.name, Programme.code, spend)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .join(Programme, Programme.id == Award.programme_id)
        .where(*scope, Award.state.in_(grantee_states()))
        .order_by(*_ordered(key, sort.descending, Award.id))
    )


def _spend_row(found: Any, flags: list[str]) -> tuple[Any, ...]:
    award, organisation, programme, spend = found
    share = None if spend is None or not award.amount_pence else spend * 100 // award.amount_pence
    return (
        award.public_reference,
        organisation,
        programme,
        award.amount_pence,
        spend,
        share,
        rating.LABELS[award.rag_rating or ""],
        "; ".join(flags),
    )


# -- outcomes ----------------------------------------------------------------------------------------------
def quarter_of(day: date) -> tuple[int, int]:
    """The financial year (by the year it starts) and quarter (1: April to June) of a day."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, (day.month - 4) % 12 // 3 + 1


def year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Outcome:
    year: int
    quarter: int  # 0: the whole year
    metric: str
    total: int

    def row(self) -> tuple[Any, ...]:
        found = METRICS.get(self.metric)
        label = found.label if found else self.metric
        return (year_label(self.year), f"Q{self.quarter}" if self.quarter else "Whole year", label, self.total)


def _outcomes(scope: list[ColumnElement[bool]]) -> list[Outcome]:
    rows = db.session.execute(
        select(ReturnMetric.metric, MonitoringReturn.period_ends_on, func.sum(ReturnMetric.value))
        .join(MonitoringReturn, MonitoringReturn.id == ReturnMetric.monitoring_return_id)
        .join(Award, Award.id == MonitoringReturn.award_id)
        .where(*scope, MonitoringReturn.state.in_(states("return", "return_accepted")))
        .group_by(ReturnMetric.metric, MonitoringReturn.period_ends_on)
    )
    totals: dict[tuple[int, int, str], int] = {}
    for metric, ends_on, total in rows:
        year, quarter = quarter_of(ends_on)
        for key in ((year, quarter, metric), (year, 0, metric)):
            totals[key] = totals.get(key, 0) + int(total or 0)
    return [Outcome(y, q, m, t) for (y, q, m), t in totals.items()]


def _sorted_outcomes(found: list[Outcome], sort: Sort) -> list[Outcome]:
    order = list(METRICS)

    def period(o: Outcome) -> tuple[int, int, int]:
        return (o.year, o.quarter or 5, order.index(o.metric) if o.metric in order else len(order))

    keys: dict[str, Any] = {
        "year": period,
        "quarter": period,
        "metric": lambda o: (o.row()[2], o.year, o.quarter or 5),
        "total": lambda o: (o.total, o.year, o.quarter or 5, o.metric),
    }
    return sorted(found, key=keys[sort.column], reverse=sort.descending)


def _sorted_overdue(found: list[tuple[str, int]], sort: Sort) -> list[tuple[str, int]]:
    """The overdue counts by programme in the table's sort (the chart keeps programme order)."""
    if sort.column == "overdue":
        return sorted(found, key=lambda row: (row[1], row[0]), reverse=sort.descending)
    return sorted(found, reverse=sort.descending)


# -- charts ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    label: str
    value: int


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    bars: list[Bar]
    unit: str

    @property
    def most(self) -> int:
        return max([bar.value for bar in self.bars] + [1])


def _overdue_by_programme(scope: list[ColumnElement[bool]]) -> list[tuple[str, int]]:
    return [
        (code, int(count))
        for code, count in db.session.execute(
            select(Programme.code, func.count(MonitoringReturn.id))
            .join(Award, Award.id == MonitoringReturn.award_id)
            .join(Programme, Programme.id == Award.programme_id)
            .where(*scope, MonitoringReturn.state.in_(states("return", "late")))
            .group_by(Programme.code)
            .order_by(Programme.code)
        )
    ]


# -- the page ----------------------------------------------------------------------------------------------
@dataclass
class Dashboard:
    choices: Choices
    tables: dict[str, Table]
    overdue_chart: Chart
    outcomes_chart: Chart
    chart_metric: str
    metric_choices: list[tuple[str, str]]
    today: date
    programme_count: int


def _return_tables(
    programmes: list[Programme], filters: Filters, viewer_id: int, args: Mapping[str, str], today: date, per_page: int
) -> dict[str, Table]:
    scope = _return_scope(programmes, filters, viewer_id)
    labels = state_labels("return")
    tables = {}
    for name in RETURN_TABLES:
        spec = TABLES[name]
        sort = sort_of(spec, args)
        rows, page, total = _page(
            _returns_query(_return_where(name, scope, today), sort), _page_number(args, name), per_page
        )
        table = Table(spec, sort, Page([_return_row(spec, r, labels, today) for r in rows], page, per_page, total))
        table.links = {i: str(r.id) for i, r in enumerate(rows)}
        tables[name] = table
    return tables


def build(user: Any, filters: Filters, args: Mapping[str, str], today: date, *, per_page: int) -> Dashboard:
    programmes = visible_programmes(user)
    choices = _choices(programmes)
    tables = _return_tables(programmes, filters, user.id, args, today, per_page)

    award_scope = _award_scope(programmes, filters, user.id)
    spec = TABLES["spend"]
    sort = sort_of(spec, args)
    rows, page, total = _page(_spend_query(award_scope, sort), _page_number(args, "spend"), per_page)
    flags = rating.flags_for([r[0] for r in rows], today)
    spend = Table(spec, sort, Page([_spend_row(r, flags[r[0].id]) for r in rows], page, per_page, total))
    spend.links = {i: str(r[0].id) for i, r in enumerate(rows)}
    tables["spend"] = spend

    outcomes = _outcomes(award_scope)
    spec = TABLES["outcomes"]
    sort = sort_of(spec, args)
    ordered = _sorted_outcomes(outcomes, sort)
    number = _page_number(args, "outcomes")
    last = max(1, -(-len(ordered) // per_page))
    number = min(number, last)
    shown = ordered[(number - 1) * per_page : number * per_page]
    tables["outcomes"] = Table(spec, sort, Page([o.row() for o in shown], number, per_page, len(ordered)))

    overdue = _overdue_by_programme(_return_scope(programmes, filters, user.id))
    spec = TABLES["overdue_by_programme"]
    sort = sort_of(spec, args)
    tables["overdue_by_programme"] = Table(
        spec, sort, Page(_sorted_overdue(overdue, sort), 1, max(1, len(overdue)), len(overdue))
    )

    present = sorted({o.metric for o in outcomes}, key=lambda m: list(METRICS).index(m) if m in METRICS else 99)
    chart_metric = args.get("chart_metric", "")
    if chart_metric not in present:
        chart_metric = present[0] if present else ""
    by_quarter = sorted(
        (o for o in outcomes if o.metric == chart_metric and o.quarter), key=lambda o: (o.year, o.quarter)
    )
    metric_label = METRICS[chart_metric].label if chart_metric in METRICS else chart_metric
    return Dashboard(
        choices=choices,
        tables=tables,
        overdue_chart=Chart(
            "Overdue returns by programme",
            "Bar chart: the number of overdue returns in each programme. The same figures are in the table below it.",
            [Bar(code, count) for code, count in overdue],
            "returns",
        ),
        outcomes_chart=Chart(
            f"{metric_label} by financial quarter" if metric_label else "Outcomes by financial quarter",
            f"Bar chart: {metric_label.lower() or 'outcomes'} reported in accepted returns, by financial quarter. "
            "The same figures are in the outcomes table.",
            [Bar(f"{year_label(o.year)} Q{o.quarter}", o.total) for o in by_quarter],
            "",
        ),
        chart_metric=chart_metric,
        metric_choices=[(m, METRICS[m].label if m in METRICS else m) for m in present],
        today=today,
        programme_count=len(programmes),
    )


# -- downloads -------------------------------------------------------------------------------------------
@dataclass
class Download:
    name: str
    title: str
    fields: list[Field]
    rows: Iterator[tuple[Any, ...]]

    def csv(self) -> Iterator[str]:
        return csv_chunks(self.fields, self.rows)

    def xlsx(self) -> IO[bytes]:
        """The workbook in a temporary file (rows go to disk as they come), rewound for sending."""
        handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (sent, then closed by Flask)
        write_xlsx(self.title, self.fields, self.rows, handle)
        handle.seek(0)
        return handle  # type: ignore[return-value]


BATCH = 500


def _streamed(query: Select[Any]) -> Iterator[Any]:
    yield from db.session.execute(query.execution_options(yield_per=BATCH))


def _spend_rows(query: Select[Any], today: date) -> Iterator[tuple[Any, ...]]:
    batch: list[Any] = []
    for found in _streamed(query):
        batch.append(found)
        if len(batch) == BATCH:
            flags = rating.flags_for([r[0] for r in batch], today)
            yield from (_spend_row(r, flags[r[0].id]) for r in batch)
            batch = []
    if batch:
        flags = rating.flags_for([r[0] for r in batch], today)
        yield from (_spend_row(r, flags[r[0].id]) for r in batch)


def download(user: Any, filters: Filters, args: Mapping[str, str], today: date, name: str) -> Download:
    """Every row of one table (not only the page shown), in the page's order."""
    programmes = visible_programmes(user)
    spec = TABLES[name]
    sort = sort_of(spec, args)
    fields = [Field(c.title, c.kind, 40 if c.key == "flags" else 18) for c in spec.columns]
    rows: Iterator[tuple[Any, ...]]
    if name in RETURN_TABLES:
        labels = state_labels("return")
        query = _returns_query(_return_where(name, _return_scope(programmes, filters, user.id), today), sort)
        rows = (_return_row(spec, r, labels, today) for r in _streamed(query))
    elif name == "spend":
        rows = _spend_rows(_spend_query(_award_scope(programmes, filters, user.id), sort), today)
    elif name == "outcomes":
        rows = iter([o.row() for o in _sorted_outcomes(_outcomes(_award_scope(programmes, filters, user.id)), sort)])
    else:
        rows = iter(_sorted_overdue(_overdue_by_programme(_return_scope(programmes, filters, user.id)), sort))
    return Download(f"monitoring-{name}", spec.title, fields, rows)


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MIMETYPE}
