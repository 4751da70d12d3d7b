"""What the JSON API reads: only what the request's token scope may see, a page at a time.

Every list costs the same number of SELECTs whatever the page size: a lookup for a filter
naming a round, programme or award (only when given), the count, the page (related rows
joined), and for applications their tags, for awards their payments (one select-in each).
Drafts are never listed: an unsubmitted draft is an applicant's, not yet an application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from grants import access
from grants.api.tokens import Scope
from grants.extensions import db
from grants.models import Application, Award, Payment, Programme, Round
from grants.pagination import Page

DRAFT = "draft"


class BadFilter(Exception):
    """A filter naming something the token cannot see (or that does not exist: the same answer)."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Listing:
    rows: Select[Any]  # the page's rows, related rows loaded with it
    count: Select[Any]  # how many match, on every page


def _page(listing: Listing, page: int, per_page: int) -> Page[Any]:
    """Two statements: the count and the page; a page past the end is empty (not the last page)."""
    total = db.session.scalar(listing.count) or 0
    items = list(db.session.scalars(listing.rows.limit(per_page).offset((page - 1) * per_page)).unique())
    return Page(items=items, page=page, per_page=per_page, total=total)


def _in_scope(column: Any, scope: Scope) -> ColumnElement[bool]:
    if scope.programme_ids is None:
        return true()
    return column.in_(sorted(scope.programme_ids))


def _not_found(field: str, kind: str, code: str) -> BadFilter:
    return BadFilter(field, f"There is no {kind} {code!r} that this token can see.")


def _programme_id(scope: Scope, code: str) -> int:
    programme_id = db.session.scalar(select(Programme.id).where(Programme.code == code))
    if programme_id is None or not scope.allows(programme_id):
        raise _not_found("programme", "programme", code)
    return programme_id


def _round_id(scope: Scope, code: str) -> int:
    found = db.session.execute(select(Round.id, Round.programme_id).where(Round.code == code)).first()
    if found is None or not scope.allows(found.programme_id):
        raise _not_found("round", "round", code)
    return int(found.id)


def _award_id(scope: Scope, reference: str) -> int:
    found = db.session.execute(select(Award.id, Award.programme_id).where(Award.public_reference == reference)).first()
    if found is None or not scope.allows(found.programme_id):
        raise _not_found("award", "award", reference)
    return int(found.id)


# -- rounds ------------------------------------------------------------------------------------------


def _rounds(scope: Scope, *conditions: ColumnElement[bool]) -> Listing:
    wanted = [_in_scope(Round.programme_id, scope), *conditions]
    return Listing(
        rows=select(Round).options(joinedload(Round.programme)).where(*wanted).order_by(Round.code),
        count=select(func.count(Round.id)).where(*wanted),
    )


def list_rounds(scope: Scope, *, page: int, per_page: int, programme: str | None = None) -> Page[Any]:
    conditions = [Round.programme_id == _programme_id(scope, programme)] if programme else []
    return _page(_rounds(scope, *conditions), page, per_page)


def get_round(scope: Scope, code: str) -> Round | None:
    return db.session.scalar(_rounds(scope, Round.code == code).rows)


# -- applications ------------------------------------------------------------------------------------


def _applications(scope: Scope, *conditions: ColumnElement[bool]) -> Listing:
    wanted = [
        Application.state != DRAFT,
        Application.public_reference.is_not(None),
        _in_scope(Round.programme_id, scope),
        access.free_of_conflict(scope.user_id, Application.organisation_id, Application.id),
        *conditions,
    ]
    rows = (
        select(Application)
        .join(Application.round)
        .options(
            contains_eager(Application.round).joinedload(Round.programme),
            joinedload(Application.organisation),
            selectinload(Application.terms),
        )
        .where(*wanted)
        .order_by(Application.public_reference)
    )
    count = select(func.count(Application.id)).join(Round, Round.id == Application.round_id).where(*wanted)
    return Listing(rows=rows, count=count)


def list_applications(
    scope: Scope, *, page: int, per_page: int, round: str | None = None, state: str | None = None
) -> Page[Any]:
    conditions: list[ColumnElement[bool]] = []
    if round:
        conditions.append(Application.round_id == _round_id(scope, round))
    if state:
        conditions.append(Application.state == state)
    return _page(_applications(scope, *conditions), page, per_page)


def get_application(scope: Scope, reference: str) -> Application | None:
    return db.session.scalar(_applications(scope, Application.public_reference == reference).rows)


# -- awards ------------------------------------------------------------------------------------------


def _awards(scope: Scope, *conditions: ColumnElement[bool]) -> Listing:
    wanted = [_in_scope(Award.programme_id, scope), *conditions]
    rows = (
        select(Award)
        .options(
            joinedload(Award.programme),
            joinedload(Award.organisation),
            joinedload(Award.application),  # its round rides along (Application.round is lazy="joined")
            selectinload(Award.payments),
        )
        .where(*wanted)
        .order_by(Award.public_reference)
    )
    return Listing(rows=rows, count=select(func.count(Award.id)).where(*wanted))


def list_awards(
    scope: Scope,
    *,
    page: int,
    per_page: int,
    programme: str | None = None,
    round: str | None = None,
    state: str | None = None,
) -> Page[Any]:
    conditions: list[ColumnElement[bool]] = []
    if programme:
        conditions.append(Award.programme_id == _programme_id(scope, programme))
    if round:
        from_round = select(Application.id).where(Application.round_id == _round_id(scope, round))
        conditions.append(Award.application_id.in_(from_round))
    if state:
        conditions.append(Award.state == state)
    return _page(_awards(scope, *conditions), page, per_page)


def get_award(scope: Scope, reference: str) -> Award | None:
    return db.session.scalar(_awards(scope, Award.public_reference == reference).rows)


# -- payments ----------------------------------------------------------------------------------------


def list_payments(
    scope: Scope,
    *,
    page: int,
    per_page: int,
    award: str | None = None,
    state: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> Page[Any]:
    wanted: list[ColumnElement[bool]] = [_in_scope(Award.programme_id, scope)]
    if award:
        wanted.append(Payment.award_id == _award_id(scope, award))
    if state:
        wanted.append(Payment.state == state)
    if due_from:
        wanted.append(Payment.due_on >= due_from)
    if due_to:
        wanted.append(Payment.due_on <= due_to)
    rows = (
        select(Payment)
        .join(Payment.award)
        .options(
            contains_eager(Payment.award).joinedload(Award.programme),
            contains_eager(Payment.award).joinedload(Award.organisation),
        )
        .where(*wanted)
        .order_by(Payment.due_on, Award.public_reference, Payment.instalment, Payment.id)
    )
    count = select(func.count(Payment.id)).join(Award, Award.id == Payment.award_id).where(*wanted)
    return _page(Listing(rows=rows, count=count), page, per_page)
