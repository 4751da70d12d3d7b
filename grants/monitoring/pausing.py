"""An officer pauses a return's reminders, with a reason (e.g. the grantee is ill and the officer
agreed a later date by phone), and resumes them. Both are audited; the reminder pass skips a
paused return (grants.monitoring.reminders)."""

from __future__ import annotations

from typing import Any

from grants import audit
from grants.extensions import db
from grants.models import MonitoringReturn
from grants.models.base import utcnow
from grants.monitoring.schedule import NotAllowed, ScheduleProblem, may_manage
from grants.transactions import conflicts_as
from workflows import Conflict


def _checked(user: Any, monitoring_return: MonitoringReturn, expected_version: int | None) -> None:
    if not may_manage(user, monitoring_return):
        raise NotAllowed
    if expected_version is not None and expected_version != monitoring_return.version_id:
        raise Conflict(monitoring_return)


def pause(user: Any, monitoring_return: MonitoringReturn, reason: str, expected_version: int | None) -> None:
    """Pause the return's reminders; ScheduleProblem('reason', …) without a reason, or if already paused."""
    _checked(user, monitoring_return, expected_version)
    reason = " ".join(reason.split())
    if monitoring_return.reminders_paused_at is not None:
        raise ScheduleProblem("reason", "Reminders for this return are already paused")
    if not reason:
        raise ScheduleProblem("reason", "Enter why reminders are being paused")
    if len(reason) > 1000:
        raise ScheduleProblem("reason", "The reason must be 1,000 characters or fewer")
    with conflicts_as(lambda: Conflict(monitoring_return)):
        audit.record_on(monitoring_return, actor=user, action="reminders_paused", reason=reason)
        monitoring_return.reminders_paused_at = utcnow()
        monitoring_return.reminders_paused_by_id = user.id
        monitoring_return.reminders_paused_reason = reason
        db.session.commit()


def resume(user: Any, monitoring_return: MonitoringReturn, reason: str, expected_version: int | None) -> None:
    """Resume the return's reminders (a reason is optional); the next pass reminds as the plan says."""
    _checked(user, monitoring_return, expected_version)
    if monitoring_return.reminders_paused_at is None:
        raise ScheduleProblem("reason", "Reminders for this return are not paused")
    reason = " ".join(reason.split())[:1000]
    with conflicts_as(lambda: Conflict(monitoring_return)):
        audit.record_on(
            monitoring_return,
            actor=user,
            action="reminders_resumed",
            reason=reason or None,
            data={"paused_because": monitoring_return.reminders_paused_reason},
        )
        monitoring_return.reminders_paused_at = None
        monitoring_return.reminders_paused_by_id = None
        monitoring_return.reminders_paused_reason = None
        db.session.commit()
