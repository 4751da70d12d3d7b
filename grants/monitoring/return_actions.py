"""What an officer does to one return from its own forms: move its due date with a reason, pause
its reminders with a reason, resume them. The work is in grants.monitoring.schedule and
grants.monitoring.pausing; this module finds the return for the officer (404 to anyone who may not
see it, NotAllowed to staff who see it but are not its programme's officers or admins) and turns
each problem into a message on its field (FieldErrors)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from grants.access import can_see_case
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.form_fields import version_or_none
from grants.models import MonitoringPlan, MonitoringReturn, User
from grants.monitoring import pausing
from grants.monitoring.plans import PlanProblems, from_definition
from grants.monitoring.schedule import NotAllowed, ScheduleProblem, may_manage, move_due_date, parse_typed_date
from grants.workflow_states import state_labels, states

__all__ = ["NotAllowed", "ReturnNow", "move", "return_for_officer", "set_reminders"]


@dataclass(frozen=True)
class ReturnNow:
    """One return as an officer's form shows it."""

    id: int
    title: str
    grant: str
    grant_title: str
    organisation: str
    period_label: str
    period_ends_on: date
    due_date: date
    state: str
    state_label: str
    version_id: int
    paused_at: datetime | None
    paused_by: str | None
    paused_reason: str | None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def due_date_movable(self) -> bool:
        return self.state not in states("return", "ended") | states("return", "awaiting_review")


def _title(monitoring_return: MonitoringReturn) -> str:
    plan_row = db.session.get(MonitoringPlan, monitoring_return.plan_id) if monitoring_return.plan_id else None
    if plan_row is not None:
        try:
            return from_definition(plan_row.definition).title(
                monitoring_return.kind, monitoring_return.sequence, monitoring_return.period_label
            )
        except PlanProblems:
            pass
    return f"{monitoring_return.period_label} return"


def _load(user: User, return_id: int) -> MonitoringReturn:
    monitoring_return = db.session.get(MonitoringReturn, return_id)
    if monitoring_return is None or not can_see_case(user, monitoring_return):
        raise NotFound(f"return {return_id}")
    if not may_manage(user, monitoring_return):
        raise NotAllowed
    return monitoring_return


def return_for_officer(user: User, return_id: int) -> ReturnNow:
    """The return as saved now; NotFound (no hint it exists) or NotAllowed (seen, not theirs to change)."""
    r = _load(user, return_id)
    paused_by = db.session.get(User, r.reminders_paused_by_id) if r.reminders_paused_by_id else None
    return ReturnNow(
        id=r.id,
        title=_title(r),
        grant=r.award.public_reference,
        grant_title=r.award.title,
        organisation=r.award.organisation.name,
        period_label=r.period_label,
        period_ends_on=r.period_ends_on,
        due_date=r.due_date,
        state=r.state,
        state_label=state_labels("return").get(r.state, r.state),
        version_id=r.version_id,
        paused_at=r.reminders_paused_at,
        paused_by=paused_by.name if paused_by is not None else None,
        paused_reason=r.reminders_paused_reason,
    )


def move(
    user: User, return_id: int, parts: tuple[str, str, str], reason: str, version_id: str | None
) -> tuple[date, date, bool]:
    """Move the due date: (old, new, reopened). FieldErrors naming due_date and reason; Conflict
    when the return changed since the form was shown."""
    monitoring_return = _load(user, return_id)
    errors: dict[str, str] = {}
    new_due: date | None = None
    try:
        new_due = parse_typed_date(*parts)
    except ScheduleProblem as problem:
        errors[problem.field] = str(problem)
    if not reason.strip():
        errors["reason"] = "Enter why the due date is moving"
    if errors or new_due is None:
        raise FieldErrors(errors)
    was_overdue = monitoring_return.state == "overdue"
    try:
        old = move_due_date(user, monitoring_return, new_due, reason, version_or_none(version_id))
    except ScheduleProblem as problem:
        raise FieldErrors({problem.field: str(problem)}) from None
    return old, new_due, was_overdue and monitoring_return.state == "open"


def set_reminders(user: User, return_id: int, action: str, reason: str, version_id: str | None) -> str:
    """Pause ("pause") or resume ("resume") the return's reminders: what was done, in words.
    FieldErrors on reason; Conflict when the return changed since the form was shown."""
    monitoring_return = _load(user, return_id)
    expected = version_or_none(version_id)
    try:
        if action == "pause":
            pausing.pause(user, monitoring_return, reason, expected)
            return "Reminders for this return are paused. None will be sent until they are resumed."
        if action == "resume":
            pausing.resume(user, monitoring_return, reason, expected)
            return "Reminders for this return are resumed. The next reminder goes as the plan says."
    except ScheduleProblem as problem:
        raise FieldErrors({problem.field: str(problem)}) from None
    raise FieldErrors({"reason": "Choose to pause or to resume reminders"})
