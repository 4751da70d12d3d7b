"""Preview on a real case: one of the programme's cases the officer may see, chosen from the latest
few or by its reference, and the wording (as typed, not yet saved) filled in with its values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from grants import access
from grants.email_templates.services import Editing
from grants.email_wording.case_values import values_for_case
from grants.email_wording.wording import rendered
from grants.extensions import db
from grants.models import Application, Award, Contract, Round
from grants.workflow import case_types

LATEST = 5  # cases offered to preview on
SCANNED = 200  # a derived reference (a payment's -P2) is looked for among the latest this many
LONGEST_REFERENCE = 64
# Kinds whose reference is a column, so a typed one is found whatever the case's age.
_REFERENCE_COLUMNS: dict[str, Any] = {
    "round": Round.code,
    "application": Application.public_reference,
    "award": Award.public_reference,
    "contract": Contract.public_reference,
}


@dataclass(frozen=True)
class Preview:
    reference: str
    subject: str
    body: str


def _visible(user: Any, programme_id: int, kind: str) -> Any:
    case_type = case_types().get(kind)
    model: Any = case_type.model
    query = select(model).options(*case_type.eager())
    if case_type.programme_clause is not None:
        query = query.where(case_type.programme_clause([programme_id]))
    if case_type.conflict_clause is not None:
        query = query.where(case_type.conflict_clause(user))
    return query.order_by(model.id.desc())


def _seen(user: Any, rows: Any) -> list[Any]:
    return [row for row in rows if access.can_see_case(user, row)]


def latest_cases(user: Any, now: Editing) -> list[Any]:
    """The latest few cases of the email's kind on the programme that this user may see."""
    query = _visible(user, now.programme.id, now.email.case_kind).limit(LATEST)
    return _seen(user, db.session.scalars(query))


def find_case(user: Any, now: Editing, typed: str | None) -> Any | None:
    """The programme's case with this reference, of the email's kind, if this user may see it."""
    reference = " ".join((typed or "").replace("\x00", "").split())[:LONGEST_REFERENCE].upper()
    if not reference:
        return None
    kind = now.email.case_kind
    query = _visible(user, now.programme.id, kind)
    column = _REFERENCE_COLUMNS.get(kind)
    rows: Iterable[Any]
    if column is not None:
        rows = db.session.scalars(query.where(func.upper(column) == reference).limit(1))
    else:
        rows = (row for row in db.session.scalars(query.limit(SCANNED)) if row.reference.upper() == reference)
    return next(iter(_seen(user, rows)), None)


def preview(now: Editing, case: Any, subject: str, body: str) -> Preview:
    """The wording filled in with this case's values, as the email would read now."""
    values = values_for_case(now.email.key, case, as_if_sent=True)
    if now.email.case_kind == "round":  # the assessors' email: show the round's latest bids as the example
        references = db.session.scalars(
            select(Application.public_reference)
            .where(Application.round_id == case.id, Application.public_reference.is_not(None))
            .order_by(Application.id)
            .limit(3)
        )
        values = {**values, **_bids([r for r in references if r])}
    title, text = rendered(subject, body, values)
    return Preview(case.reference, title, text)


def _bids(references: list[str]) -> dict[str, str]:
    count = len(references) or 1
    return {
        "count": "1 bid" if count == 1 else f"{count} bids",
        "bids": "\n".join(f"- {reference}" for reference in references) or "- (the bids given to the assessor)",
    }
