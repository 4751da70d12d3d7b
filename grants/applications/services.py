"""Officers' view of a round: every application in a filterable, paginated list, and as CSV.

The list is read with a fixed number of statements whatever the page size or the number
of matching rows: the round, the filter choices, the count, the total asked for, the page
of applications (organisation joined), and their tags (one select-in query).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from exports.xlsx import safe_text
from grants import access
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import LONDON, pounds_text
from grants.listing import Column, Sort, SortSpec
from grants.models import Application, ApplicationTerm, Organisation, Round, Term
from grants.pagination import Filtering, Page, paginate
from grants.workflow import engine

OFFICER_ROLES = frozenset({"officer", "admin"})
DRAFT = "draft"
CSV_BATCH = 500
CSV_HEADER = [
    "Reference",
    "Organisation",
    "Organisation type",
    "Districts",
    "Areas of focus",
    "Priorities",
    "Themes",
    "Project title",
    "Amount requested",
    "People reached",
    "State",
    "Submitted at",
]


@dataclass(frozen=True)
class Filters(Filtering):
    state: str | None = None  # None: every application that has been submitted
    district: str | None = None  # a Term code
    area_of_focus: str | None = None  # a Term code
    amount_from_pence: int | None = None
    amount_to_pence: int | None = None
    organisation: str | None = None  # part of the organisation's name, any case


@dataclass(frozen=True)
class Choices:
    states: list[tuple[str, str]]
    districts: list[tuple[str, str]]
    areas_of_focus: list[tuple[str, str]]


@dataclass(frozen=True)
class Row:
    """One application as the list shows it."""

    id: int
    reference: str
    organisation: str
    project_title: str
    districts: list[str]
    areas_of_focus: list[str]
    amount_requested_pence: int
    state: str


@dataclass(frozen=True)
class ApplicationList:
    round: Round
    page: Page[Row]
    total_pence: int


def round_for_officer(code: str, user: Any) -> Round:
    """The round, if the user is an officer (or admin) on its programme."""
    round_ = db.session.scalar(select(Round).options(joinedload(Round.programme)).where(Round.code == code))
    if round_ is None or not access.staff_roles(user, round_.programme_id) & OFFICER_ROLES:
        raise NotFound(code)
    return round_


def _state_labels(round_: Round) -> dict[str, str]:
    definition = engine().registry.latest(round_.application_workflow)
    return {name: state.label for name, state in definition.states.items()}


def choices(round_: Round) -> Choices:
    terms = db.session.execute(
        select(Term.vocabulary, Term.code, Term.label)
        .where(Term.vocabulary.in_(("district", "area_of_focus")))
        .order_by(Term.vocabulary, Term.position, Term.label)
    ).all()
    return Choices(
        states=list(_state_labels(round_).items()),
        districts=[(code, label) for vocabulary, code, label in terms if vocabulary == "district"],
        areas_of_focus=[(code, label) for vocabulary, code, label in terms if vocabulary == "area_of_focus"],
    )


def _tagged(vocabulary: str, code: str) -> ColumnElement[bool]:
    return exists(
        select(ApplicationTerm.application_id)
        .join(Term, Term.id == ApplicationTerm.term_id)
        .where(
            ApplicationTerm.application_id == Application.id,
            Term.vocabulary == vocabulary,
            Term.code == code,
        )
    )


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(round_: Round, filters: Filters, viewer_id: int) -> list[ColumnElement[bool]]:
    wanted: list[ColumnElement[bool]] = [
        Application.round_id == round_.id,
        access.free_of_conflict(viewer_id, Application.organisation_id, Application.id),
    ]
    wanted.append(Application.state == filters.state if filters.state else Application.state != DRAFT)
    if filters.district:
        wanted.append(_tagged("district", filters.district))
    if filters.area_of_focus:
        wanted.append(_tagged("area_of_focus", filters.area_of_focus))
    if filters.amount_from_pence is not None:
        wanted.append(Application.amount_requested_pence >= filters.amount_from_pence)
    if filters.amount_to_pence is not None:
        wanted.append(Application.amount_requested_pence <= filters.amount_to_pence)
    if filters.organisation:
        wanted.append(
            Application.organisation_id.in_(
                select(Organisation.id).where(
                    func.lower(Organisation.name).like(_like_pattern(filters.organisation.strip()), escape="\\")
                )
            )
        )
    return wanted


_ORGANISATION_NAME = select(Organisation.name).where(Organisation.id == Application.organisation_id).scalar_subquery()
# The list's sortable columns (?sort=<key>&dir=asc|desc); it opens by reference, drafts (no reference) last.
SORTS = SortSpec(
    columns={
        "reference": Column("Reference", (Application.public_reference.is_(None), Application.public_reference)),
        "organisation": Column("Organisation", (_ORGANISATION_NAME,)),
        "project": Column("Project", (Application.project_title,)),
        "amount": Column("Amount requested", (Application.amount_requested_pence,)),
        "state": Column("State", (Application.state,)),
    },
    default=Sort("reference", "asc"),
    tie_breaker=Application.id,
)


def _query(round_: Round, filters: Filters, viewer_id: int, sort: Sort | None = None) -> Select[Any]:
    return (
        select(Application)
        .where(and_(*_conditions(round_, filters, viewer_id)))
        .order_by(*SORTS.order_by(sort or SORTS.default))
    )


def _labels(application: Application, vocabulary: str) -> list[str]:
    return [term.label for term in application.terms if term.vocabulary == vocabulary]


def list_applications(
    round_: Round, filters: Filters, viewer_id: int, page: int, per_page: int, sort: Sort | None = None
) -> ApplicationList:
    """The round's bids the viewer may see (none they have a conflict of interest on), filtered and sorted."""
    query = _query(round_, filters, viewer_id, sort).options(
        joinedload(Application.organisation), selectinload(Application.terms)
    )
    found = paginate(query, page, per_page)
    total = db.session.scalar(
        select(func.coalesce(func.sum(Application.amount_requested_pence), 0)).where(
            and_(*_conditions(round_, filters, viewer_id))
        )
    )
    states = _state_labels(round_)
    rows = [
        Row(
            id=application.id,
            reference=application.reference,
            organisation=application.organisation.name,
            project_title=application.project_title,
            districts=_labels(application, "district"),
            areas_of_focus=_labels(application, "area_of_focus"),
            amount_requested_pence=application.amount_requested_pence,
            state=states.get(application.state, application.state),
        )
        for application in found.items
    ]
    return ApplicationList(
        round=round_,
        page=Page(items=rows, page=found.page, per_page=found.per_page, total=found.total),
        total_pence=int(total or 0),
    )


# -- CSV ---------------------------------------------------------------------------------------
def _csv_row(application: Application, states: dict[str, str]) -> list[str]:
    submitted = application.submitted_at.astimezone(LONDON).isoformat() if application.submitted_at else ""
    text = [
        application.reference,
        application.organisation.name,
        application.organisation.type_label,
        "; ".join(_labels(application, "district")),
        "; ".join(_labels(application, "area_of_focus")),
        "; ".join(_labels(application, "priority")),
        "; ".join(_labels(application, "theme")),
        application.project_title,
    ]
    return [safe_text(cell) for cell in text] + [
        pounds_text(application.amount_requested_pence),
        "" if application.people_reached is None else str(application.people_reached),
        safe_text(states.get(application.state, application.state)),
        submitted,
    ]


def csv_filename(round_: Round) -> str:
    return f"{round_.code}-applications.csv"


def csv_lines(round_: Round, filters: Filters, viewer_id: int, sort: Sort | None = None) -> Iterator[str]:
    """The filtered applications as CSV text, a batch of rows at a time (memory stays flat).

    Starts with a byte-order mark so spreadsheet programs read the file as UTF-8.
    """
    states = _state_labels(round_)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    yield "\ufeff" + buffer.getvalue()
    query = (
        _query(round_, filters, viewer_id, sort)
        .options(joinedload(Application.organisation), selectinload(Application.terms))
        .execution_options(yield_per=CSV_BATCH)
    )
    for partition in db.session.scalars(query).partitions():
        buffer.seek(0)
        buffer.truncate()
        for application in partition:
            writer.writerow(_csv_row(application, states))
        yield buffer.getvalue()
