"""The commissioning list: every contract and strand on the user's programmes, filtered, sorted, paged,
and the same rows as CSV or XLSX.

Filters and sort come from the query string (the sort as every staff list has it, grants.listing:
`?sort=<column>&dir=asc|desc`, ending on the id), so a view can be bookmarked; anything odd in it (unknown
sort keys, NUL bytes, long text, huge numbers) is ignored or answered with a message, never an error.
A page is three statements whatever its size: the count, the rows (with provider and programme), and
the vocabulary labels.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import joinedload

from exports.monitoring_dashboard import DAY, MONEY, TEXT, Field, csv_chunks, write_xlsx
from grants import access
from grants.extensions import db
from grants.form_fields import month_number
from grants.formatting import whole_number
from grants.listing import Column, Sort, SortSpec
from grants.models import Contract, Organisation, Programme, Term
from grants.pagination import Filtering, Page, paginate
from grants.workflow_states import state_labels, states

GROUPS = {
    "commissioning": "Being commissioned",
    "contracted": "Contracted (awarded to under review)",
    "ended": "Ended, decommissioned or abandoned",
}
# The list's sortable columns (`?sort=<key>&dir=asc|desc`; `order=` from older links is read as `dir=`).
# A contract with no provider yet sorts as "" and one with no end date after every date, on either database.
SORTS = SortSpec(
    columns={
        "reference": Column("Reference", (Contract.public_reference,)),
        "title": Column("Title", (Contract.title,)),
        "provider": Column("Provider", (func.coalesce(Organisation.name, ""),)),
        "programme": Column("Programme", (Programme.code,)),
        "state": Column("State", (Contract.state,)),
        "value": Column("Value", (Contract.amount_pence,)),
        "ends": Column("Ends", (Contract.end_date.is_(None), Contract.end_date)),
    },
    default=Sort("reference", "asc"),
    tie_breaker=Contract.id,
)
VIEWERS = frozenset({"officer", "finance", "decision_maker", "admin"})
COLUMNS = [
    Field("Reference", TEXT, 14),
    Field("Title", TEXT, 48),
    Field("Provider", TEXT, 36),
    Field("Programme", TEXT, 10),
    Field("State", TEXT, 18),
    Field("Service type", TEXT, 28),
    Field("Districts served", TEXT, 30),
    Field("Value", MONEY, 14),
    Field("Starts", DAY, 12),
    Field("Ends", DAY, 12),
]


def _text(args: Mapping[str, str], name: str, longest: int = 64) -> str:
    return str(args.get(name, "")).replace("\x00", "").strip()[:longest]


def typed_date(text: str) -> date | None:
    """'31/3/2025', '31 3 2025' or '31 March 2025'; None when it is not a date."""
    parts = text.replace("/", " ").replace("-", " ").split()
    if len(parts) != 3:
        return None
    day, month, year = whole_number(parts[0]), month_number(parts[1]), whole_number(parts[2])
    if day is None or month is None or year is None or not 1900 <= year <= 2200:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


@dataclass
class Filters(Filtering):
    programme: str = ""
    state: str = ""
    provider: str = ""
    service_type: str = ""
    district: str = ""
    ends_after: str = ""
    ends_before: str = ""
    q: str = ""


@dataclass
class Query:
    filters: Filters
    sort: Sort
    errors: dict[str, str]

    def args(self, **changes: Any) -> dict[str, str]:
        """The query string of this view with some parts changed (for the downloads)."""
        found = {k: v for k, v in self.filters.__dict__.items() if v}
        found |= {"sort": self.sort.key, "dir": self.sort.direction}
        found.update({k: str(v) for k, v in changes.items()})
        return found


def read_sort(args: Mapping[str, str]) -> Sort:
    """The sort in the address: `dir=asc|desc`, or `order=` as older links wrote it when there is no `dir`."""
    wanted = {"sort": _text(args, "sort"), "dir": _text(args, "dir") or _text(args, "order")}
    return SORTS.read(wanted)


def read_query(args: Mapping[str, str]) -> Query:
    filters = Filters(**{name: _text(args, name, 200 if name == "q" else 64) for name in Filters.__dataclass_fields__})
    errors: dict[str, str] = {}
    for name, label in (("ends_after", "Ends after"), ("ends_before", "Ends before")):
        typed = getattr(filters, name)
        if typed and typed_date(typed) is None:
            errors[name] = f"{label} must be a date, like 31/3/2025"
    return Query(filters, read_sort(args), errors)


def visible_programmes(user: Any) -> list[Programme]:
    grants = access.staff_grants(user)
    query = select(Programme).where(Programme.kind.in_(("commissioning", "sub_grant"))).order_by(Programme.code)
    if not any(roles & VIEWERS for pid, roles in grants.items() if pid is access.ALL_PROGRAMMES):
        ids = [pid for pid, roles in grants.items() if pid is not None and roles & VIEWERS]
        query = query.where(Programme.id.in_(ids))
    return list(db.session.scalars(query))


def _where(user: Any, query: Query) -> ColumnElement[bool]:
    f = query.filters
    programmes = [p.id for p in visible_programmes(user)]
    clauses: list[ColumnElement[bool]] = [
        Contract.programme_id.in_(programmes),
        access.free_of_conflict(user.id, Contract.provider_id),
    ]
    if f.programme:
        clauses.append(Programme.code == f.programme)
    if f.state in GROUPS:
        clauses.append(Contract.state.in_(states("contract", f.state)))
    elif f.state:
        clauses.append(Contract.state == f.state)
    provider = whole_number(f.provider) if f.provider else None
    if f.provider:
        clauses.append(Contract.provider_id == (provider if provider is not None else -1))
    if f.service_type:
        clauses.append(Contract.service_type == f.service_type)
    if f.district:
        clauses.append(func.coalesce(cast(Contract.districts_served, String), "").like(f'%"{f.district}"%'))
    for name, compare in (("ends_after", Contract.end_date.__ge__), ("ends_before", Contract.end_date.__le__)):
        typed = typed_date(getattr(f, name)) if getattr(f, name) else None
        if typed is not None:
            clauses.append(compare(typed))
    if f.q:
        like = f"%{f.q.lower()}%"
        clauses.append(
            or_(
                func.lower(Contract.public_reference).like(like),
                func.lower(Contract.title).like(like),
                func.lower(Organisation.name).like(like),
            )
        )
    return and_(*clauses)


def _select(user: Any, query: Query) -> Select[Any]:
    return (
        select(Contract)
        .join(Programme, Programme.id == Contract.programme_id)
        .outerjoin(Organisation, Organisation.id == Contract.provider_id)
        .options(joinedload(Contract.provider), joinedload(Contract.programme))
        .where(_where(user, query))
        .order_by(*SORTS.order_by(query.sort))
    )


def labels() -> dict[tuple[str, str], str]:
    rows = db.session.execute(
        select(Term.vocabulary, Term.code, Term.label).where(Term.vocabulary.in_(("service_type", "district")))
    )
    return {(v, c): label for v, c, label in rows}


@dataclass
class Listing:
    page: Page[Contract]
    labels: dict[tuple[str, str], str]
    states: dict[str, str]

    def districts(self, contract: Contract) -> str:
        return ", ".join(self.labels.get(("district", d), d) for d in contract.districts_served or [])

    def service(self, contract: Contract) -> str:
        code = contract.service_type
        return self.labels.get(("service_type", code), code) if code else ""


def listing(user: Any, query: Query, page: int, per_page: int) -> Listing:
    found = paginate(_select(user, query), page, per_page)
    return Listing(found, labels(), state_labels("contract"))


@dataclass
class Choices:
    programmes: list[tuple[str, str]]
    states: list[tuple[str, str]]
    providers: list[tuple[str, str]]
    service_types: list[tuple[str, str]]
    districts: list[tuple[str, str]]


def choices(user: Any) -> Choices:
    programmes = visible_programmes(user)
    ids = [p.id for p in programmes]
    providers = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(
            Organisation.id.in_(select(Contract.provider_id).where(Contract.programme_id.in_(ids))),
            access.free_of_conflict(user.id, Organisation.id),
        )
        .order_by(Organisation.name)
    )
    terms = labels()
    return Choices(
        programmes=[(p.code, p.name) for p in programmes],
        states=list(GROUPS.items()) + sorted(state_labels("contract").items(), key=lambda item: item[1]),
        providers=[(str(i), name) for i, name in providers],
        service_types=sorted(
            ((c, label) for (v, c), label in terms.items() if v == "service_type"), key=lambda x: x[1]
        ),
        districts=sorted(((c, label) for (v, c), label in terms.items() if v == "district"), key=lambda x: x[1]),
    )


# -- downloads --------------------------------------------------------------------------------------------
def _rows(user: Any, query: Query) -> Iterator[tuple[Any, ...]]:
    names = labels()
    state_names = state_labels("contract")
    rows = db.session.execute(
        select(
            Contract.public_reference,
            Contract.title,
            Organisation.name,
            Programme.code,
            Contract.state,
            Contract.service_type,
            Contract.districts_served,
            Contract.amount_pence,
            Contract.starts_on,
            Contract.end_date,
        )
        .join(Programme, Programme.id == Contract.programme_id)
        .outerjoin(Organisation, Organisation.id == Contract.provider_id)
        .where(_where(user, query))
        .order_by(*SORTS.order_by(query.sort))
        .execution_options(yield_per=500)
    )
    for reference, title, provider, code, state, service, districts, amount, starts, ends in rows:
        yield (
            reference,
            title,
            provider or "",
            code,
            state_names.get(state, state),
            names.get(("service_type", service or ""), service or ""),
            ", ".join(names.get(("district", d), d) for d in districts or []),
            amount,
            starts,
            ends,
        )


def csv(user: Any, query: Query) -> Iterator[str]:
    return csv_chunks(COLUMNS, _rows(user, query))


def xlsx(user: Any, query: Query) -> IO[bytes]:
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (sent, then closed by Flask)
    write_xlsx("Contracts", COLUMNS, _rows(user, query), handle)
    handle.seek(0)
    return handle  # type: ignore[return-value]


def overview(user: Any) -> list[dict[str, Any]]:
    """Per programme: how many contracts in each group (one statement)."""
    programmes = visible_programmes(user)
    rows = db.session.execute(
        select(Contract.programme_id, Contract.state, func.count(), func.sum(Contract.amount_pence))
        .where(Contract.programme_id.in_([p.id for p in programmes]))
        .group_by(Contract.programme_id, Contract.state)
    ).all()
    group_of = {state: group for group in GROUPS for state in states("contract", group)}
    found = []
    for programme in programmes:
        counts = dict.fromkeys(GROUPS, 0)
        value = 0
        for pid, state, count, total in rows:
            if pid == programme.id:
                counts[group_of.get(state, "ended")] += count
                value += int(total or 0)
        found.append({"programme": programme, "counts": counts, "value": value})
    return found
