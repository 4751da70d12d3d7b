"""Awards without a payment schedule: live awards of an officer's programmes with no instalment (or
only cancelled ones), for the officer to schedule. The work queue counts what the page lists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload

from grants import access
from grants.awards.listing import SORTS
from grants.listing import Sort
from grants.models import Award, Payment
from grants.pagination import Page, paginate
from grants.workflow_states import state_labels

OFFICER = frozenset({"officer"})
# Live awards that will pay out: being prepared, offered, accepted or in delivery (not suspended or ended).
NEEDING_A_SCHEDULE = ("preparing", "offered", "accepted", "active")


@dataclass(frozen=True)
class Row:
    id: int
    reference: str
    organisation: str
    title: str
    amount_pence: int
    state: str


def _clauses(user: Any) -> list[ColumnElement[bool]] | None:
    """Where the user's awards without a schedule are; None when they are an officer on no programme."""
    programmes = access.programmes_with(user, OFFICER)
    if programmes == []:
        return None
    clauses: list[ColumnElement[bool]] = [
        Award.state.in_(NEEDING_A_SCHEDULE),
        ~select(Payment.id).where(Payment.award_id == Award.id, Payment.state != "cancelled").exists(),
        access.free_of_conflict(user.id, Award.organisation_id),
    ]
    if programmes is not None:
        clauses.append(Award.programme_id.in_(programmes))
    return clauses


def count(user: Any) -> Select[Any] | None:
    """The work queue's count (None: not their work)."""
    clauses = _clauses(user)
    return None if clauses is None else select(func.count(Award.id)).where(*clauses)


def page_of(user: Any, page: int, per_page: int, sort: Sort | None = None) -> Page[Row]:
    """A page of them, oldest reference first (or as `sort` says, with the awards list's columns):
    two statements whatever the page size."""
    clauses = _clauses(user)
    query = (
        select(Award)
        .where(*(clauses if clauses is not None else [Award.id.is_(None)]))
        .options(joinedload(Award.organisation))
        .order_by(*SORTS.order_by(sort or SORTS.default))
    )
    found = paginate(query, page, per_page)
    labels = state_labels("award")
    rows = [
        Row(
            id=award.id,
            reference=award.public_reference,
            organisation=award.organisation.name,
            title=award.title,
            amount_pence=award.amount_pence,
            state=labels.get(award.state, award.state),
        )
        for award in found.items
    ]
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)
