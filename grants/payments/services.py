"""Money after the offer: payment schedules, finance's approvals and payments, variations, recoveries,
closure, and budgets by stream and year.

This module holds the doors every page of the area goes through (which award, instalment or
variation a user may reach, in which roles) and what the operations share: errors, the
award's own date, committing with a conflict. The operations live beside it: schedules.py,
finance.py, budgets.py, variations.py and closure.py.

Anyone without a role on the programme gets NotFound (a 404, no hint that the row exists);
the blueprint's `staff(...)` rule has already refused applicants and assessors (403).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import access
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.form_fields import month_number
from grants.formatting import london_date, whole_number
from grants.models import Award, Payment, Variation
from grants.transactions import commit_or_conflict

OFFICER = frozenset({"officer"})
FINANCE = frozenset({"finance"})
# Who may look at an award's money pages (the schedule, an instalment); only officers change a schedule.
VIEWERS = frozenset({"officer", "finance", "decision_maker", "admin"})
# Who may open an instalment and act on it (the workflow then decides which action is theirs).
PAYMENT_ROLES = frozenset({"officer", "finance", "admin"})
VARIATION_ROLES = frozenset({"officer", "decision_maker", "admin"})
FINANCE_ROLES = frozenset({"finance"})  # who pays: payment runs, bank details checks
CONFLICT_MESSAGE = (
    "Someone else changed this while you were looking at it. Nothing you entered has been saved: "
    "here is its current state; check it, then try again if it still needs doing."
)


class NotAllowed(Exception):
    """The user may see this but not change it (shown as 403 with the sentence)."""


class Invalid(FieldErrors, ValueError):
    """What the user entered cannot be saved: messages by field id, in page order. Nothing was written."""


def typed_text(errors: dict[str, str], field: str, typed: str, missing: str, max_length: int, too_long: str) -> str:
    """What was typed, without surrounding spaces; `errors[field]` says so when it is empty or too long."""
    text = typed.strip()
    if not text:
        errors[field] = missing
    elif len(text) > max_length:
        errors[field] = too_long
    return text


class Stale(Exception):
    """Someone else changed the row since the form was loaded; nothing was written."""

    def __init__(self, current: Any = None):
        self.current = current
        super().__init__(CONFLICT_MESSAGE)


def roles_on(user: Any, programme_id: int) -> frozenset[str]:
    return access.staff_roles(user, programme_id)


def award_for(award_id: int, user: Any, roles: frozenset[str] = VIEWERS) -> Award:
    """The award, if the user holds one of `roles` on its programme."""
    award = db.session.get(Award, award_id, options=[joinedload(Award.organisation), joinedload(Award.programme)])
    if award is None or not roles_on(user, award.programme_id) & roles or access.has_conflict(user, award):
        raise NotFound(str(award_id))
    return award


def award_for_update(award_id: int) -> Award:
    """The award again, its row locked until commit (PostgreSQL), read fresh from the database.

    Two people changing one award's money at once (two schedules saved, two instalments
    approved) then take turns, so the second sees what the first wrote.
    """
    award = db.session.scalar(
        select(Award).where(Award.id == award_id).with_for_update().execution_options(populate_existing=True)
    )
    assert award is not None
    return award


def payment_for(payment_id: int, user: Any, roles: frozenset[str] = PAYMENT_ROLES) -> Payment:
    payment = db.session.get(
        Payment,
        payment_id,
        options=[joinedload(Payment.award).joinedload(Award.organisation), joinedload(Payment.monitoring_return)],
    )
    if payment is None or not roles_on(user, payment.award.programme_id) & roles or access.has_conflict(user, payment):
        raise NotFound(str(payment_id))
    return payment


def variation_for(variation_id: int, user: Any, roles: frozenset[str] = VARIATION_ROLES) -> Variation:
    variation = db.session.get(
        Variation, variation_id, options=[joinedload(Variation.award).joinedload(Award.organisation)]
    )
    if (
        variation is None
        or not roles_on(user, variation.award.programme_id) & roles
        or access.has_conflict(user, variation)
    ):
        raise NotFound(str(variation_id))
    return variation


def require_officer(user: Any, award: Award) -> None:
    if not roles_on(user, award.programme_id) & OFFICER:
        raise NotAllowed("Only an officer of this programme can change this award's money.")


def before_award_message(what: str, award: Award) -> str:
    return f"{what} cannot be before the award was made ({london_date(award.made_on)})"


DATE_PARTS = ("day", "month", "year")


def parse_date(parts: tuple[str, str, str]) -> tuple[date | None, str | None]:
    """A date typed in GOV.UK's three boxes; or None and what is wrong: "blank", or the end of a
    sentence ("must include a month", "must be a real date") for the caller to start."""
    parts = tuple(p.strip() for p in parts)  # type: ignore[assignment]
    missing = [name for name, part in zip(DATE_PARTS, parts) if not part]
    if len(missing) == 3:
        return None, "blank"
    if missing:
        return None, f"must include a {' and a '.join(missing)}"
    day, month, year = whole_number(parts[0]), month_number(parts[1]), whole_number(parts[2])
    if day is None or month is None or year is None or year < 1900:
        return None, "must be a real date"
    try:
        return date(year, month, day), None
    except ValueError:
        return None, "must be a real date"


def commit_or_stale(current: Callable[[], Any] | None = None, *, flush_only: bool = False) -> None:
    """Commit (or only flush); a stale version, a duplicate row or a locked SQLite file becomes Stale
    after a rollback, carrying what `current` finds saved now."""
    commit_or_conflict(lambda: Stale(current() if current else None), flush_only=flush_only, duplicates=True)
