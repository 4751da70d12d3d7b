"""The kind of case the assessors' area owns: one assessor's assessment of one bid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.case_types import CaseType
from grants.formatting import london
from grants.models import Application, Assessment, Round
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


def _clause(ids: list[int]) -> Any:
    return Assessment.application_id.in_(
        select(Application.id).join(Round, Round.id == Application.round_id).where(Round.programme_id.in_(ids))
    )


ASSESSMENT = CaseType(
    kind="assessment",
    model=Assessment,
    workflow="assessment",
    label="Assessment",
    plural="Assessments",
    guards={"every_criterion_scored": every_criterion_scored},
    effects=case_rules.EFFECTS,
    facts=assessment_facts,
    programme_clause=_clause,
    eager=lambda: [joinedload(Assessment.assessor)],
)

CASE_TYPES = [ASSESSMENT]
