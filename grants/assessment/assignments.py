"""Who assesses what: a round's register of declared conflicts, and the assessments of one bid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants.assessment.assigning import Assessor, choices_for, pool_users, reassigned_to, round_bids
from grants.extensions import db
from grants.models import Application, Assessment, AuditEvent, Round
from grants.workflow_states import workflow_labels


@dataclass(frozen=True)
class ConflictRow:
    assessment_id: int
    application_id: int
    reference: str
    project_title: str
    assessor: str
    details: str
    declared_at: datetime
    reassigned_to: str | None
    reassigned_at: datetime | None
    choices: list[Assessor]


def conflict_register(round_: Round) -> list[ConflictRow]:
    """Every declared conflict in the round, newest first, with who could take the bid instead."""
    conflicted = list(
        db.session.scalars(
            select(Assessment)
            .options(joinedload(Assessment.assessor))
            .where(Assessment.application_id.in_(round_bids(round_)), Assessment.state == "conflicted")
            .order_by(Assessment.state_changed_at.desc(), Assessment.id.desc())
        ).unique()
    )
    ids = [a.id for a in conflicted]
    reasons: dict[int, str] = {}
    if ids:
        for subject_id, reason in db.session.execute(
            select(AuditEvent.subject_id, AuditEvent.reason)
            .where(
                AuditEvent.subject_type == "assessment",
                AuditEvent.subject_id.in_(ids),
                AuditEvent.action == "declare_conflict",
            )
            .order_by(AuditEvent.id)
        ):
            reasons[subject_id] = reason or ""
    reassigned = reassigned_to(ids)
    names = {u.id: u.name for u in pool_users(round_)}
    choices = choices_for(round_, sorted({a.application_id for a in conflicted}))
    rows = []
    for a in conflicted:
        moved = reassigned.get(a.id)
        rows.append(
            ConflictRow(
                assessment_id=a.id,
                application_id=a.application_id,
                reference=a.application.reference,
                project_title=a.application.project_title,
                assessor=a.assessor.name,
                details=a.conflict_details or reasons.get(a.id, ""),
                declared_at=a.state_changed_at,
                reassigned_to=names.get(moved["to_assessor_id"], "another assessor") if moved else None,
                reassigned_at=moved["at"] if moved else None,
                choices=choices.get(a.application_id, []),
            )
        )
    return rows


@dataclass(frozen=True)
class BidAssessment:
    id: int
    assessor: str
    state: str  # the workflow state's name
    state_label: str
    assigned_at: datetime
    submitted_at: datetime | None
    version_id: int
    removable: bool


def assessments_of(application: Application) -> list[BidAssessment]:
    found = db.session.scalars(
        select(Assessment)
        .options(joinedload(Assessment.assessor))
        .where(Assessment.application_id == application.id)
        .order_by(Assessment.assigned_at, Assessment.id)
    ).unique()
    labels = workflow_labels("assessment")
    return [
        BidAssessment(
            id=a.id,
            assessor=a.assessor.name,
            state=a.state,
            state_label=labels.get(a.state, a.state),
            assigned_at=a.assigned_at,
            submitted_at=a.submitted_at,
            version_id=a.version_id,
            removable=a.state in ("assigned", "scoring"),
        )
        for a in found
    ]
