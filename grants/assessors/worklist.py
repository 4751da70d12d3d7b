"""An assessor's list of their bids: a page of their visible assessments to do (or done), grouped by
round, each with the date its scores are due (and, once submitted, its weighted total)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from grants.access import visible_assessments
from grants.extensions import db
from grants.formatting import london_today
from grants.models import Application, Assessment, Criterion, Round, Score
from grants.pagination import Page, paginate

# The state of an assessment in the words an assessor reads on their list.
PLAIN_STATES = {"assigned": "Declare any conflict", "scoring": "Scoring", "submitted": "Submitted"}
# The list's two tabs (in the address as ?show=): what still needs scoring, and what has been submitted.
TO_DO, DONE = "todo", "done"
TO_DO_STATES = ("assigned", "scoring")
PLACES = Decimal("0.01")


def tab(typed: str | None) -> str:
    """The tab asked for in the address; anything else is the to-do list."""
    return DONE if typed == DONE else TO_DO


@dataclass(frozen=True)
class Row:
    id: int
    reference: str
    organisation: str
    project_title: str
    state: str
    progress: str  # "3 of 5 criteria scored", or "" when there is nothing to count
    due_on: date | None  # the round's assessment due date, else its decision date
    overdue: bool  # not submitted and the due date has passed
    total: Decimal | None  # the weighted total of a submitted assessment


@dataclass(frozen=True)
class RoundGroup:
    code: str
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class AssessmentList:
    page: Page[Row]
    groups: list[RoundGroup]
    show: str
    to_do: int
    done: int


def _counts(user: Any) -> tuple[int, int]:
    mine = visible_assessments(user).subquery()
    to_do = func.count().filter(mine.c.state.in_(TO_DO_STATES))
    done = func.count().filter(mine.c.state.not_in(TO_DO_STATES))
    row = db.session.execute(select(to_do, done).select_from(mine)).one()
    return int(row[0] or 0), int(row[1] or 0)


def list_assessments(
    user: Any, page: int, per_page: int, show: str = TO_DO, today: date | None = None
) -> AssessmentList:
    """A page of the user's visible assessments to do (or done), newest round first, by reference
    within a round, with the number in each tab.

    A fixed number of statements whatever the page size: the tabs' counts, the count, the page (bid,
    round and organisation joined), the number of criteria scored per assessment, the criteria per
    round, the weighted totals of the submitted ones.
    """
    today = today or london_today()
    to_do, done = _counts(user)
    wanted = Assessment.state.in_(TO_DO_STATES) if show == TO_DO else Assessment.state.not_in(TO_DO_STATES)
    query = (
        visible_assessments(user)
        .where(wanted)
        .join(Assessment.application)
        .join(Application.round)
        .options(
            contains_eager(Assessment.application).contains_eager(Application.round),
            contains_eager(Assessment.application).joinedload(Application.organisation),
        )
        .order_by(Round.id.desc(), Application.public_reference, Assessment.id)
    )
    found = paginate(query, page, per_page)
    assessments: list[Assessment] = found.items
    scored = _criteria_scored([a.id for a in assessments])
    criteria = _criteria_per_round({a.application.round_id for a in assessments})
    totals = _weighted_totals([a.id for a in assessments if a.state not in TO_DO_STATES])
    groups: list[RoundGroup] = []
    rows: list[Row] = []
    for assessment in assessments:
        application = assessment.application
        round_ = application.round
        total = criteria.get(round_.id, 0)
        progress = (
            f"{scored.get(assessment.id, 0)} of {total} criteria scored"
            if assessment.state == "scoring" and total
            else ""
        )
        due_on = round_.assessment_due_on or round_.decision_on
        to_score = assessment.state in TO_DO_STATES
        row = Row(
            id=assessment.id,
            reference=application.reference,
            organisation=application.organisation.name,
            project_title=application.project_title,
            state=PLAIN_STATES.get(assessment.state, assessment.state),
            progress=progress,
            due_on=due_on,
            overdue=to_score and due_on is not None and due_on < today,
            total=None if to_score else totals.get(assessment.id, Decimal(0)).quantize(PLACES, ROUND_HALF_UP),
        )
        rows.append(row)
        if not groups or groups[-1].code != round_.code:
            groups.append(RoundGroup(code=round_.code, title=round_.title, rows=[]))
        groups[-1].rows.append(row)
    return AssessmentList(
        page=Page(items=rows, page=found.page, per_page=found.per_page, total=found.total),
        groups=groups,
        show=show,
        to_do=to_do,
        done=done,
    )


def _weighted_totals(assessment_ids: list[int]) -> dict[int, Decimal]:
    """Σ latest score × weight for each assessment (as the scoring page adds it up), in one statement."""
    if not assessment_ids:
        return {}
    latest = (
        select(func.max(Score.id))
        .where(Score.assessment_id.in_(assessment_ids))
        .group_by(Score.assessment_id, Score.criterion_id)
    ).scalar_subquery()
    rows = db.session.execute(
        select(Score.assessment_id, Score.score, Criterion.weight)
        .join(Criterion, Criterion.id == Score.criterion_id)
        .where(Score.id.in_(latest))
    ).all()
    totals: dict[int, Decimal] = {}
    for assessment_id, score, weight in rows:
        totals[assessment_id] = totals.get(assessment_id, Decimal(0)) + Decimal(score) * Decimal(weight)
    return totals


def _criteria_scored(assessment_ids: list[int]) -> dict[int, int]:
    if not assessment_ids:
        return {}
    rows = db.session.execute(
        select(Score.assessment_id, func.count(func.distinct(Score.criterion_id)))
        .where(Score.assessment_id.in_(assessment_ids))
        .group_by(Score.assessment_id)
    ).all()
    return {row[0]: row[1] for row in rows}


def _criteria_per_round(round_ids: set[int]) -> dict[int, int]:
    if not round_ids:
        return {}
    rows = db.session.execute(
        select(Criterion.round_id, func.count(Criterion.id))
        .where(Criterion.round_id.in_(round_ids))
        .group_by(Criterion.round_id)
    ).all()
    return {row[0]: row[1] for row in rows}
