"""The kind of case the assessors' area owns: one assessor's assessment of one bid."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.case_types import CaseType
from grants.formatting import london, london_today
from grants.models import Application, Assessment, Round
from grants.work_queues import Queue
from workflows import Context


def every_criterion_scored(ctx: Context) -> str | None:
    missing = ctx.subject.missing_criteria()
    if missing:
        return "Score every criterion first: " + ", ".join(missing) + "."
    return None


def assessment_facts(subject: Assessment) -> list[tuple[str, str]]:
    return [
        ("Application", subject.application.reference),
        ("Project", subject.application.project_title),
        ("Assessor", subject.assessor.name),
        ("Assigned", london(subject.assigned_at)),
        ("Submitted", london(subject.submitted_at) or "Not yet"),
    ]


ASSESSMENT = CaseType(
    model=Assessment,
    label="Assessment",
    guards={"every_criterion_scored": every_criterion_scored},
    effects=case_rules.EFFECTS,
    facts=assessment_facts,
    programme_clause=case_rules.through_application(Assessment.application_id),
    district_clause=case_rules.bid_in_district(Assessment.application_id),
    conflict_clause=case_rules.of_bid(Assessment.application_id),
    eager=lambda: [joinedload(Assessment.assessor)],
)

CASE_TYPES = [ASSESSMENT]


def _assigned_to_score(user: object) -> Select[Any]:
    return select(func.count(Assessment.id)).where(
        Assessment.assessor_id == getattr(user, "id", None), Assessment.state.in_(("assigned", "scoring"))
    )


# An assessment not yet submitted is overdue once its round's due date (the assessment due date, else
# the decision date) has passed in London.
NOT_SUBMITTED = ("assigned", "scoring")


def past_due(today: date) -> ColumnElement[bool]:
    """Assessments of bids in rounds whose scores were due before `today`."""
    return Assessment.application_id.in_(
        select(Application.id)
        .join(Round, Round.id == Application.round_id)
        .where(func.coalesce(Round.assessment_due_on, Round.decision_on) < today)
    )


WORK_QUEUES = [
    Queue("assessments_overdue", "Assessments overdue", frozenset({"officer"}),
          "Chase the assessor, or give the bid to someone else", kind="assessment", states=NOT_SUBMITTED,
          where=lambda: past_due(london_today()), endpoint="assessment_deadlines.overdue"),
    Queue("bids_to_score", "Bids to score", frozenset({"assessor"}),
          "Declare any conflict of interest, then score each bid", count=_assigned_to_score,
          endpoint="assessors.index"),
]  # fmt: skip
