"""What several kinds of case share: guards and effects their definitions name, the guard that asks
a subject its own readiness question, and the clauses that scope a kind's rows to programmes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, select

from grants import access
from grants.models import Application, ApplicationTerm, Award, Round, Term
from workflows import Context
from workflows.vocabulary import Guard

ProgrammeClause = Callable[[list[int]], ColumnElement[bool]]
DistrictClause = Callable[[str], ColumnElement[bool]]


def has_amount(ctx: Context) -> str | None:
    if not ctx.subject.amount_pence or ctx.subject.amount_pence <= 0:
        return "The amount must be more than £0."
    return None


def record_submission_time(ctx: Context) -> None:
    ctx.subject.submitted_at = ctx.now


GUARDS = {"has_amount": has_amount}
EFFECTS = {"record_submission_time": record_submission_time}


def asks(question: str) -> Guard:
    """A guard that asks the subject itself: `subject.<question>()` answers None, or a sentence why not."""

    def guard(ctx: Context) -> str | None:
        answer: str | None = getattr(ctx.subject, question)()
        return answer

    guard.__name__ = question
    return guard


# -- which rows of a kind belong to a set of programmes ---------------------------------------------
def by_programme(column: Any) -> ProgrammeClause:
    return lambda ids: column.in_(ids)


def through_round(column: Any) -> ProgrammeClause:
    return lambda ids: column.in_(select(Round.id).where(Round.programme_id.in_(ids)))


def through_application(column: Any) -> ProgrammeClause:
    return lambda ids: column.in_(
        select(Application.id).join(Round, Round.id == Application.round_id).where(Round.programme_id.in_(ids))
    )


def through_award(column: Any) -> ProgrammeClause:
    return lambda ids: column.in_(select(Award.id).where(Award.programme_id.in_(ids)))


# -- which rows are about a district: the districts the bid named (an award's are its bid's) ----------
def _bids_in(district: str) -> Any:
    return (
        select(ApplicationTerm.application_id)
        .join(Term, Term.id == ApplicationTerm.term_id)
        .where(Term.vocabulary == "district", Term.code == district)
    )


def bid_in_district(column: Any) -> DistrictClause:
    """Rows carrying their bid's id (an application's own id, an assessment's application_id)."""
    return lambda district: column.in_(_bids_in(district))


def award_in_district(column: Any) -> DistrictClause:
    """Rows carrying their award's id (or the award's own id)."""
    return lambda district: column.in_(select(Award.id).where(Award.application_id.in_(_bids_in(district))))


# -- which rows a user has no conflict of interest on (the rule: grants.access) -----------------------
ConflictClause = Callable[[Any], ColumnElement[bool]]


def of_organisation(column: Any, bid: Any = None) -> ConflictClause:
    """Rows carrying their organisation's id (and their bid's id, where they are a bid)."""
    return lambda user: access.free_of_conflict(user.id, column, bid)


def of_bid(column: Any) -> ConflictClause:
    """Rows that belong to a bid (an application's id column)."""
    return lambda user: and_(
        column.not_in(
            select(Application.id).where(Application.organisation_id.in_(access.member_organisations(user.id)))
        ),
        column.not_in(access.declared_conflicts(user.id)),
    )


def of_award(column: Any) -> ConflictClause:
    """Rows that belong to an award (an award's id column)."""
    return lambda user: column.not_in(
        select(Award.id).where(Award.organisation_id.in_(access.member_organisations(user.id)))
    )


def award_facts(award: Award) -> list[tuple[str, str]]:
    """The first two facts of anything that belongs to an award."""
    return [("Award", award.reference), ("Organisation", award.organisation.name)]
