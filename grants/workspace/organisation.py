"""An organisation's whole picture for staff: its details, people, applications, awards, payments,
monitoring returns, contracts, notes and messages, and the history of its cases.

Each list holds only what the person may list (their programmes, no conflicts: grants.cases
`visible_clauses`), newest first; the picture shows the latest few of each with a link to all of them,
a page at a time. Two statements a list, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import selectinload

from grants.cases import services as cases
from grants.correspondence import services as correspondence
from grants.errors import NotFound
from grants.extensions import db
from grants.models import (
    Application,
    AuditEvent,
    Award,
    CaseNote,
    Contract,
    MonitoringReturn,
    Organisation,
    Payment,
    Variation,
)
from grants.pagination import Page, paginate
from grants.workspace.search import visible_notes, visible_organisations

LATEST = 20  # rows of each list on the picture itself


def _of_awards(column: Any) -> Callable[[int], ColumnElement[bool]]:
    return lambda organisation_id: column.in_(select(Award.id).where(Award.organisation_id == organisation_id))


# kind of case: its model, and which of its rows belong to an organisation
CASES: dict[str, tuple[Any, Callable[[int], ColumnElement[bool]]]] = {
    "application": (Application, lambda organisation_id: Application.organisation_id == organisation_id),
    "award": (Award, lambda organisation_id: Award.organisation_id == organisation_id),
    "payment": (Payment, _of_awards(Payment.award_id)),
    "return": (MonitoringReturn, _of_awards(MonitoringReturn.award_id)),
    "variation": (Variation, _of_awards(Variation.award_id)),
    "contract": (Contract, lambda organisation_id: Contract.provider_id == organisation_id),
}


@dataclass(frozen=True)
class Section:
    key: str  # in the address of its own page
    title: str
    kind: str | None  # the kind of case listed (None: notes and messages, or history)


SECTIONS = {
    section.key: section
    for section in (
        Section("applications", "Applications", "application"),
        Section("awards", "Awards", "award"),
        Section("payments", "Payments", "payment"),
        Section("returns", "Monitoring returns", "return"),
        Section("contracts", "Contracts and strands", "contract"),
        Section("notes", "Notes and messages", None),
        Section("history", "History", None),
    )
}


def _cases_query(kind: str, user: Any, organisation_id: int) -> Any:
    model, belongs = CASES[kind]
    case_type = cases.case_type(kind)
    return (
        select(model)
        .where(belongs(organisation_id), *cases.visible_clauses(kind, user))
        .options(*case_type.eager())
        .order_by(model.id.desc())
    )


def _notes_query(user: Any, organisation_id: int) -> Any:
    return (
        select(CaseNote)
        .where(CaseNote.organisation_id == organisation_id, visible_notes(user))
        .options(selectinload(CaseNote.author))
        .order_by(CaseNote.created_at.desc(), CaseNote.id.desc())
    )


def _history_query(user: Any, organisation_id: int) -> Any:
    """The audit rows of the organisation's cases the person may list, latest first."""
    cases_of = [
        and_(
            AuditEvent.subject_type == kind,
            AuditEvent.subject_id.in_(
                select(model.id).where(belongs(organisation_id), *cases.visible_clauses(kind, user))
            ),
        )
        for kind, (model, belongs) in CASES.items()
    ]
    return (
        select(AuditEvent)
        .where(or_(*cases_of))
        .options(selectinload(AuditEvent.actor))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )


@dataclass(frozen=True)
class Listed:
    """One list of the picture: a page of its rows, and for notes the cases they are on."""

    section: Section
    page: Page[Any]
    subjects: dict[tuple[str, int], Any]

    @property
    def more(self) -> bool:
        return self.page.total > len(self.page.items)


def _list(section: Section, user: Any, organisation_id: int, page: int, per_page: int) -> Listed:
    if section.kind is not None:
        query = _cases_query(section.kind, user, organisation_id)
    elif section.key == "notes":
        query = _notes_query(user, organisation_id)
    else:
        query = _history_query(user, organisation_id)
    rows = paginate(query, page, per_page)
    subjects = correspondence.subjects_of(rows.items) if section.key == "notes" else {}
    return Listed(section, rows, subjects)


def organisation_for(user: Any, organisation_id: int) -> Organisation:
    """The organisation, if the person may list one of its cases; NotFound otherwise."""
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.id == organisation_id, visible_organisations(user))
    )
    if organisation is None:
        raise NotFound(f"organisation {organisation_id}")
    return organisation


@dataclass(frozen=True)
class OrganisationPicture:
    organisation: Organisation
    people: list[Any]
    lists: list[Listed]


def picture(user: Any, organisation_id: int) -> OrganisationPicture:
    """The organisation with the latest rows of each list (NotFound when the person may list none)."""
    organisation = organisation_for(user, organisation_id)
    lists = [_list(section, user, organisation.id, 1, LATEST) for section in SECTIONS.values()]
    return OrganisationPicture(organisation, correspondence.members(organisation.id), lists)


def section_page(user: Any, organisation_id: int, key: str, page: int, per_page: int) -> tuple[Organisation, Listed]:
    """One list of an organisation's picture in full, a page at a time (an unknown list: NotFound)."""
    section = SECTIONS.get(key)
    if section is None:
        raise NotFound(key)
    organisation = organisation_for(user, organisation_id)
    return organisation, _list(section, user, organisation.id, page, per_page)
