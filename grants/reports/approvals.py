"""Which applications a report counts as approved, and for how much: at the decision, or the
awards still live today (the two bases of the committee report and the reconciliation)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Subquery, exists, func, or_, select

from grants.models import Application, AuditEvent, Award, Recommendation
from grants.workflow_states import states

BASES = {
    "decision": "Approved at decision",
    "current": "Current",
}
BASIS_EXPLAINED = {
    "decision": "The applications the decision maker approved, at the amount approved (the panel's "
    "recommended amount, or the amount asked for). These figures do not change after the decision.",
    "current": "The awards still live today, at their current amount: awards declined or cancelled after "
    "the decision are left out, and variations are included. Money returned or clawed back is shown apart.",
}


def fallen_away() -> frozenset[str]:
    """Awards that fell away after the decision: declined or cancelled (the award workflow's tag)."""
    return states("award", "fallen_away")


def approved_at_decision() -> ColumnElement[bool]:
    """An application the decision maker approved: approved now, or approved once (audit log)."""
    approve_recorded = exists().where(
        AuditEvent.subject_type == Application.__audit_type__,
        AuditEvent.subject_id == Application.id,
        AuditEvent.to_state == "approved",
    )
    return or_(Application.state == "approved", approve_recorded)


def approved_amount() -> ColumnElement[int]:
    """The amount approved: the panel's recommended amount, else the amount requested.

    Needs Recommendation outer-joined on the application.
    """
    return func.coalesce(Recommendation.recommended_amount_pence, Application.amount_requested_pence)


def received() -> ColumnElement[bool]:
    """A submitted application (drafts are not applications received)."""
    return or_(Application.public_reference.is_not(None), Application.submitted_at.is_not(None))


def projects(round_ids: Iterable[int], basis: str) -> Subquery:
    """The awarded projects of these rounds on a basis: application_id, round_id, amount, people."""
    ids = list(round_ids)
    if basis == "decision":
        query = (
            select(
                Application.id.label("application_id"),
                Application.round_id.label("round_id"),
                approved_amount().label("amount"),
                Application.people_reached.label("people"),
            )
            .outerjoin(Recommendation, Recommendation.application_id == Application.id)
            .where(Application.round_id.in_(ids), approved_at_decision())
        )
    elif basis == "current":
        query = (
            select(
                Application.id.label("application_id"),
                Application.round_id.label("round_id"),
                Award.amount_pence.label("amount"),
                Application.people_reached.label("people"),
            )
            .join(Award, Award.application_id == Application.id)
            .where(Application.round_id.in_(ids), Award.state.not_in(fallen_away()))
        )
    else:
        raise ValueError(f"unknown basis {basis!r}: use one of {', '.join(BASES)}")
    return query.subquery("projects")
