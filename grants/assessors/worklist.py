"""An assessor's list of their bids: a page of their visible assessments, grouped by round."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from grants.access import visible_assessments
from grants.extensions import db
from grants.models import Application, Assessment, Criterion, Round, Score
from grants.pagination import Page, paginate

# The state of an assessment in the words an assessor reads on their list.
PLAIN_STATES = {"assigned": "Declare any conflict", "scoring": "Scoring", "submitted": "Submitted"}


@dataclass(frozen=True)
class Row:
    id: int
    reference: str
    organisation: str
    project_title: str
    state: str
    progress: str  # "3 of 5 criteria scored", or "" when there is nothing to count


@dataclass(frozen=True)
class RoundGroup:
    code: str
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class AssessmentList:
    page: Page[Row]
    groups: list[RoundGroup]


def list_assessments(user: Any, page: int, per_page: int) -> AssessmentList:
    """A page of the user's visible assessments, newest round first, by reference within a round.

    A fixed number of statements whatever the page size: the count, the page (bid, round and
    organisation joined), the number of criteria scored per assessment, the criteria per round.
    """
    query = (
        visible_assessments(user)
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
        row = Row(
            id=assessment.id,
            reference=application.reference,
            organisation=application.organisation.name,
            project_title=application.project_title,
            state=PLAIN_STATES.get(assessment.state, assessment.state),
            progress=progress,
        )
        rows.append(row)
        if not groups or groups[-1].code != round_.code:
            groups.append(RoundGroup(code=round_.code, title=round_.title, rows=[]))
        groups[-1].rows.append(row)
    return AssessmentList(
        page=Page(items=rows, page=found.page, per_page=found.per_page, total=found.total), groups=groups
    )


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
