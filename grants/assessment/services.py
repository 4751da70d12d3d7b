"""Officers prepare a round's assessment: who may, which round or bid, and the round's tasks at a glance.

Every page of this area is for officers (and admins) on the round's programme. To anyone
else with a staff role a round or bid here does not exist: NotFound, shown as 404.

The operations live beside this module, one idea each: `screening` (the checklist and the
eligibility decision), `criteria` (the scoring criteria as data), `assigning` (bulk
assignment, conflicts, reassigning and removing assessors).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from grants import access
from grants.errors import NotFound
from grants.extensions import db
from grants.models import Application, Assessment, Criterion, Round, Score, ScreeningCheck
from grants.workflow_states import states, workflow_labels

OFFICER_ROLES = frozenset({"officer", "admin"})


def _is_officer(user: Any, programme_id: int) -> bool:
    return bool(access.staff_roles(user, programme_id) & OFFICER_ROLES)


def round_for_officer(code: str, user: Any) -> Round:
    round_ = db.session.scalar(select(Round).options(joinedload(Round.programme)).where(Round.code == code))
    if round_ is None or not _is_officer(user, round_.programme_id):
        raise NotFound(code)
    return round_


def application_for_officer(application_id: int, user: Any) -> Application:
    application = db.session.get(Application, application_id, options=[joinedload(Application.organisation)])
    if (
        application is None
        or not _is_officer(user, application.round.programme_id)
        or access.has_conflict(user, application)
    ):
        raise NotFound(application_id)
    return application


def assessment_for_officer(assessment_id: int, user: Any) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id, options=[joinedload(Assessment.assessor)])
    if (
        assessment is None
        or not _is_officer(user, assessment.application.round.programme_id)
        or access.has_conflict(user, assessment)
    ):
        raise NotFound(assessment_id)
    return assessment


def scoring_begun(round_: Round) -> bool:
    """Whether any assessor has saved a score on a bid of this round (draft or submitted)."""
    return (
        db.session.scalar(
            select(Score.id)
            .join(Assessment, Assessment.id == Score.assessment_id)
            .join(Application, Application.id == Assessment.application_id)
            .where(Application.round_id == round_.id)
            .limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class RoundTasks:
    """How far the round's assessment has got, for the round's task page."""

    round: Round
    states: list[tuple[str, int]]  # (state label, number of bids), in workflow order, drafts left out
    screened: int  # submitted bids with a checklist started
    awaiting_screening: int  # submitted bids
    criteria: int
    scoring_begun: bool
    assignments: int  # active assessments
    conflicts: int


def round_tasks(round_: Round) -> RoundTasks:
    counts = dict(
        db.session.execute(
            select(Application.state, func.count())
            .where(Application.round_id == round_.id, Application.state != "draft")
            .group_by(Application.state)
        ).all()
    )
    labels = workflow_labels(round_.application_workflow)
    screened = db.session.scalar(
        select(func.count())
        .select_from(ScreeningCheck)
        .join(Application, Application.id == ScreeningCheck.application_id)
        .where(Application.round_id == round_.id, Application.state == "submitted")
    )
    assessment_counts = dict(
        db.session.execute(
            select(Assessment.state, func.count())
            .join(Application, Application.id == Assessment.application_id)
            .where(Application.round_id == round_.id)
            .group_by(Assessment.state)
        ).all()
    )
    criteria = db.session.scalar(select(func.count()).select_from(Criterion).where(Criterion.round_id == round_.id))
    return RoundTasks(
        round=round_,
        states=[(label, counts[name]) for name, label in labels.items() if counts.get(name)],
        screened=screened or 0,
        awaiting_screening=counts.get("submitted", 0),
        criteria=criteria or 0,
        scoring_begun=scoring_begun(round_),
        assignments=sum(assessment_counts.get(state, 0) for state in states("assessment", "live")),
        conflicts=assessment_counts.get("conflicted", 0),
    )
