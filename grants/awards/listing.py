"""Officers' list of awards: by programme, filtered by state and round, a page at a time.

The page costs a fixed number of statements whatever its size: the programmes and rounds
for the filters, the budget stream labels, the count, the total, and the page of awards
with their organisations joined.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import joinedload

from grants import access
from grants.awards.services import VIEW_ROLES, state_labels, stream_labels
from grants.extensions import db
from grants.formatting import pounds_text
from grants.listing import Column, Sort, SortSpec, csv_lines
from grants.models import Application, Award, Organisation, Programme, Round
from grants.pagination import Filtering, Page, paginate


@dataclass(frozen=True)
class Filters(Filtering):
    programme: str | None = None  # a programme code
    state: str | None = None
    round: str | None = None  # a round code


@dataclass(frozen=True)
class Choices:
    programmes: list[tuple[str, str]]
    states: list[tuple[str, str]]
    rounds: list[tuple[str, str]]


@dataclass(frozen=True)
class Row:
    id: int
    reference: str
    organisation: str
    title: str
    amount_pence: int
    stream: str
    state: str
    respond_by: Any


@dataclass(frozen=True)
class AwardList:
    page: Page[Row]
    total_pence: int


def visible_programmes(user: Any) -> list[Programme]:
    """The programmes whose awards this user may read."""
    grants = access.staff_grants(user)
    query = select(Programme).order_by(Programme.code)
    if not grants.get(access.ALL_PROGRAMMES, frozenset()) & VIEW_ROLES:
        ids = [pid for pid, roles in grants.items() if pid is not None and roles & VIEW_ROLES]
        query = query.where(Programme.id.in_(ids))
    return list(db.session.scalars(query))


def choices(programmes: list[Programme]) -> Choices:
    rounds = db.session.execute(
        select(Round.code, Round.title)
        .where(Round.programme_id.in_([p.id for p in programmes]))
        .order_by(Round.programme_id, Round.number)
    ).all()
    return Choices(
        programmes=[(p.code, f"{p.code}: {p.name}") for p in programmes],
        states=list(state_labels("award").items()),
        rounds=[(code, f"{code}: {title}") for code, title in rounds],
    )


def _conditions(programmes: list[Programme], filters: Filters, viewer_id: int) -> list[ColumnElement[bool]]:
    ids = [p.id for p in programmes if not filters.programme or p.code == filters.programme]
    wanted: list[ColumnElement[bool]] = [
        Award.programme_id.in_(ids),
        access.free_of_conflict(viewer_id, Award.organisation_id),
    ]
    if filters.state:
        wanted.append(Award.state == filters.state)
    if filters.round:
        wanted.append(
            Award.application_id.in_(
                select(Application.id).join(Round, Round.id == Application.round_id).where(Round.code == filters.round)
            )
        )
    return wanted


# The list's sortable columns (?sort=<key>&dir=asc|desc); it opens by reference.
SORTS = SortSpec(
    columns={
        "reference": Column("Reference", (Award.public_reference,)),
        "organisation": Column(
            "Organisation",
            (select(Organisation.name).where(Organisation.id == Award.organisation_id).scalar_subquery(),),
        ),
        "project": Column("Project", (Award.title,)),
        "stream": Column("Budget stream", (Award.budget_stream,)),
        "amount": Column("Amount", (Award.amount_pence,)),
        "state": Column("State", (Award.state,)),
    },
    default=Sort("reference", "asc"),
    tie_breaker=Award.id,
)


def list_awards(
    programmes: list[Programme], filters: Filters, viewer_id: int, page: int, per_page: int, sort: Sort | None = None
) -> AwardList:
    """The awards of these programmes, filtered and sorted; none the viewer has a conflict of interest on."""
    where = and_(*_conditions(programmes, filters, viewer_id))
    query = (
        select(Award)
        .where(where)
        .options(joinedload(Award.organisation))
        .order_by(*SORTS.order_by(sort or SORTS.default))
    )
    found = paginate(query, page, per_page)
    total = db.session.scalar(select(func.coalesce(func.sum(Award.amount_pence), 0)).where(where))
    states = state_labels("award")
    streams = stream_labels()
    rows = [
        Row(
            id=award.id,
            reference=award.public_reference,
            organisation=award.organisation.name,
            title=award.title,
            amount_pence=award.amount_pence,
            stream=streams.get(award.budget_stream or "", award.budget_stream or "Not set"),
            state=states.get(award.state, award.state),
            respond_by=award.respond_by if award.state == "offered" else None,
        )
        for award in found.items
    ]
    return AwardList(
        page=Page(items=rows, page=found.page, per_page=found.per_page, total=found.total),
        total_pence=int(total or 0),
    )


CSV_HEADER = ("Reference", "Organisation", "Project", "Budget stream", "Amount (£)", "State")


def awards_csv(
    programmes: list[Programme], filters: Filters, viewer_id: int, sort: Sort | None = None
) -> Iterator[str]:
    """Every award the list shows (all its pages), with the same filters and order, as CSV (streamed)."""
    states = state_labels("award")
    streams = stream_labels()
    query = (
        select(Award)
        .where(and_(*_conditions(programmes, filters, viewer_id)))
        .options(joinedload(Award.organisation))
        .order_by(*SORTS.order_by(sort or SORTS.default))
    )

    def row(award: Award) -> list[Any]:
        return [
            award.public_reference,
            award.organisation.name,
            award.title,
            streams.get(award.budget_stream or "", award.budget_stream or "Not set"),
            pounds_text(award.amount_pence),
            states.get(award.state, award.state),
        ]

    return csv_lines(CSV_HEADER, query, row)
