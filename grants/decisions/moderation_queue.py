"""Bids needing moderation, across an officer's rounds: the panel's bids whose assessors' weighted totals
differ by more than the round's moderation spread, with no moderated score yet. The work queue counts
what the page lists, in one statement, set-based (as grants.decisions.scores sums them: the current score
of each submitted assessment's criteria, times the criterion's weight)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from grants import access
from grants.decisions.services import panel_states
from grants.extensions import db
from grants.models import Application, Assessment, Criterion, Recommendation, Round, Score
from grants.pagination import Page

OFFICER = frozenset({"officer"})


@dataclass(frozen=True)
class Row:
    application_id: int
    reference: str
    organisation: str
    project_title: str
    round_title: str
    spread: Decimal
    limit: Decimal


def _spreads() -> Any:
    """Per bid: highest less lowest weighted total of its submitted assessments (two or more)."""
    current = select(func.max(Score.id)).group_by(Score.assessment_id, Score.criterion_id)
    totals = (
        select(
            Assessment.application_id.label("application_id"), func.sum(Score.score * Criterion.weight).label("total")
        )
        .select_from(Score)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .join(Assessment, Assessment.id == Score.assessment_id)
        .where(Score.id.in_(current), Assessment.state == "submitted")
        .group_by(Assessment.id, Assessment.application_id)
        .subquery()
    )
    return (
        select(totals.c.application_id, (func.max(totals.c.total) - func.min(totals.c.total)).label("spread"))
        .group_by(totals.c.application_id)
        .having(func.count() >= 2)
        .subquery()
    )


def _clauses(user: Any, spreads: Any) -> list[ColumnElement[bool]] | None:
    programmes = access.programmes_with(user, OFFICER)
    if programmes == []:
        return None
    clauses: list[ColumnElement[bool]] = [
        Application.state.in_(panel_states()),
        spreads.c.spread > Round.moderation_spread,
        Application.id.not_in(select(Recommendation.application_id).where(Recommendation.moderated_score.is_not(None))),
        access.free_of_conflict(user.id, Application.organisation_id, Application.id),
    ]
    if programmes is not None:
        clauses.append(Round.programme_id.in_(programmes))
    return clauses


def _query(user: Any, *columns: Any) -> Select[Any] | None:
    spreads = _spreads()
    clauses = _clauses(user, spreads)
    if clauses is None:
        return None
    return (
        select(*columns)
        .select_from(Application)
        .join(spreads, spreads.c.application_id == Application.id)
        .join(Round, Round.id == Application.round_id)
        .where(*clauses)
    )


def count(user: Any) -> Select[Any] | None:
    """The work queue's count (None: not their work)."""
    return _query(user, func.count(Application.id))


def page_of(user: Any, page: int, per_page: int) -> Page[Row]:
    """A page of them, by round then reference: two statements (the count, the page) whatever its size."""
    counted = count(user)
    total = int(db.session.scalar(counted) or 0) if counted is not None else 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    spreads = _spreads()
    clauses = _clauses(user, spreads) or [Application.id.is_(None)]
    query = (
        select(Application, spreads.c.spread)
        .join(spreads, spreads.c.application_id == Application.id)
        .join(Application.round)
        .where(*clauses)
        .options(contains_eager(Application.round), joinedload(Application.organisation))
        .order_by(Round.id, Application.public_reference, Application.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [
        Row(
            application_id=application.id,
            reference=application.reference,
            organisation=application.organisation.name,
            project_title=application.project_title,
            round_title=application.round.title,
            spread=Decimal(spread).quantize(Decimal("0.01")),
            limit=Decimal(application.round.moderation_spread),
        )
        for application, spread in db.session.execute(query).unique()
    ]
    return Page(items=rows, page=page, per_page=per_page, total=total)
