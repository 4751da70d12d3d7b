"""When an award's returns fall due: made from its programme's plan when the award is accepted,
moved when the award's dates change, and one due date moved by an officer with a reason.

Periods come from the plan (grants.monitoring.plans): months after the award starts (MSCF: 6
months, then the final return at the award's end), or every financial-year quarter the award
overlaps (VRU, MoJ). A return is due `due_working_days` working days after its period ends and
opens `window_opens_days` before that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from grants import audit
from grants.access import staff_roles
from grants.extensions import db
from grants.form_fields import month_number
from grants.formatting import london_day
from grants.models import Award, MonitoringPlan, MonitoringReturn
from grants.models.base import utcnow
from grants.models.monitoring import FINAL, QUARTERLY
from grants.monitoring.plans import MONTHS_AFTER_START, Plan, current_plan, plan_of, question_set_id
from grants.monitoring.working_days import add_working_days
from grants.transactions import conflicts_as
from grants.workflow import apply_transition, engine, start_case
from grants.workflow_states import states
from workflows import SYSTEM, Conflict, TransitionRefused

RETURN_WORKFLOW = "monitoring_return"
# Returns whose dates may still move: not open yet, or open and not sent.
MOVABLE = ("scheduled", "open")


class ScheduleProblem(ValueError):
    """What is wrong with a typed change, for the named field; nothing was saved."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class NotAllowed(Exception):
    """Only an officer of the return's programme may do this."""


@dataclass(frozen=True)
class Period:
    label: str
    starts_on: date
    ends_on: date
    kind: str
    sequence: int
    due_date: date
    opens_on: date


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def financial_quarter(day: date) -> tuple[int, int, date, date]:
    """(quarter 1-4, financial year's first calendar year, first day, last day) of the quarter holding `day`."""
    year = day.year if day.month >= 4 else day.year - 1
    quarter = ((day.month - 4) % 12) // 3 + 1
    first_month = (quarter - 1) * 3 + 4
    first = date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)
    return quarter, year, first, add_months(first, 3) - timedelta(days=1)


def quarter_label(quarter: int, year: int) -> str:
    return f"Q{quarter} {year}-{(year + 1) % 100:02d}"


def award_end(award: Award, plan: Plan) -> date | None:
    if award.ends_on is not None:
        return award.ends_on
    if award.starts_on is None:
        return None
    months = plan.returns[-1].months if plan.returns else 12
    return add_months(award.starts_on, months) - timedelta(days=1)


def periods(plan: Plan, starts_on: date | None, ends_on: date | None) -> list[Period]:
    """The returns a plan asks of an award running from starts_on to ends_on (none without a start)."""
    if starts_on is None:
        return []
    cut: list[tuple[str, date, date, str]] = []
    if plan.schedule == MONTHS_AFTER_START:
        last = ends_on or add_months(starts_on, plan.returns[-1].months) - timedelta(days=1)
        for spec in plan.returns:
            end = add_months(starts_on, spec.months) - timedelta(days=1)
            if spec.kind == FINAL:
                cut.append(("Final", starts_on, last, FINAL))
            elif end < last:
                cut.append((f"{spec.months} months", starts_on, end, spec.kind))
    else:
        last = ends_on or add_months(starts_on, 12) - timedelta(days=1)
        day = starts_on
        while day <= last:
            quarter, year, first, end = financial_quarter(day)
            cut.append((quarter_label(quarter, year), first, end, QUARTERLY))
            day = end + timedelta(days=1)
        if plan.last_is_final and cut:
            label, first, end, _ = cut[-1]
            cut[-1] = (label, first, end, FINAL)
    made = []
    for sequence, (label, first, end, kind) in enumerate(cut, start=1):
        due = add_working_days(end, plan.due_working_days)
        made.append(Period(label, first, end, kind, sequence, due, due - timedelta(days=plan.window_opens_days)))
    return made


def _form_for(plan: Plan, kind: str) -> int | None:
    return question_set_id(plan.question_sets.get(kind) or plan.question_sets.get(QUARTERLY))


def _new_return(award: Award, plan_row: MonitoringPlan, plan: Plan, period: Period, user: Any, now: Any) -> None:
    monitoring_return = MonitoringReturn(
        award=award,
        period_label=period.label,
        period_starts_on=period.starts_on,
        period_ends_on=period.ends_on,
        due_date=period.due_date,
        opens_on=period.opens_on,
        plan_id=plan_row.id,
        question_set_id=_form_for(plan, period.kind),
        kind=period.kind,
        sequence=period.sequence,
        sign_off_required=plan.sign_off,
    )
    start_case(monitoring_return, RETURN_WORKFLOW, user, now=now)


def _existing(award: Award) -> dict[str, MonitoringReturn]:
    return {
        r.period_label: r
        for r in db.session.scalars(select(MonitoringReturn).where(MonitoringReturn.award_id == award.id))
    }


def create_returns(award: Award, user: Any = None, now: datetime | None = None) -> int:
    """Schedule the award's returns from its programme's current plan (none without a plan or a
    start date; a period it already has a return for is left alone). Flushed, not committed."""
    plan_row = current_plan(award.programme_id)
    if plan_row is None:
        return 0
    plan = plan_of(plan_row)
    have = _existing(award)
    made = 0
    for period in periods(plan, award.starts_on, award.ends_on):
        if period.label in have:
            continue
        _new_return(award, plan_row, plan, period, user, now)
        made += 1
    db.session.flush()
    return made


def reschedule(award: Award, user: Any = None, now: datetime | None = None, why: str | None = None) -> int:
    """After the award's dates changed: returns not sent yet (scheduled or open) take the new
    dates, a period now inside the award gets a new return; each move is audited (from → to).
    A return not sent yet whose whole period is after a new, earlier end date is waived ("The grant
    now ends on …"). Returns how many were moved, added or waived. Flushed, not committed."""
    have = _existing(award)
    plan_ids = {r.plan_id for r in have.values() if r.plan_id is not None}
    plan_row = db.session.get(MonitoringPlan, max(plan_ids)) if plan_ids else current_plan(award.programme_id)
    if plan_row is None:
        return 0
    plan = plan_of(plan_row)
    changed = 0
    for period in periods(plan, award.starts_on, award.ends_on):
        found = have.get(period.label)
        if found is None:
            _new_return(award, plan_row, plan, period, user, now)
            changed += 1
            continue
        if found.state not in MOVABLE:
            continue
        if (found.period_ends_on, found.due_date) == (period.ends_on, period.due_date):
            continue
        audit.record_on(
            found,
            actor=user,
            action="rescheduled",
            from_state=f"{found.due_date:%-d %B %Y}",
            to_state=f"{period.due_date:%-d %B %Y}",
            reason=why,
            data={
                "from": {"period_ends_on": found.period_ends_on.isoformat(), "due_date": found.due_date.isoformat()},
                "to": {"period_ends_on": period.ends_on.isoformat(), "due_date": period.due_date.isoformat()},
            },
            at=now,
        )
        found.period_starts_on, found.period_ends_on = period.starts_on, period.ends_on
        found.due_date, found.opens_on = period.due_date, period.opens_on
        changed += 1
    changed += _waive_cut_off(award, have.values(), now)
    db.session.flush()
    return changed


def _waive_cut_off(award: Award, returns: Any, now: datetime | None) -> int:
    """Waive (through the workflow, as the system, audited) the returns not sent yet whose whole
    period is after the award's end date: a variation shortened the award. How many were waived."""
    if award.ends_on is None:
        return 0
    reason = f"The grant now ends on {award.ends_on:%-d %B %Y}"
    waived = 0
    for found in sorted(returns, key=lambda r: r.sequence):
        if found.period_starts_on <= award.ends_on:
            continue
        waive = engine().definition_for(found).transitions.get("waive")
        if waive is None or found.state not in waive.sources or SYSTEM not in waive.roles:
            continue  # sent, ended, or under a workflow version whose waive is an officer's alone
        apply_transition(found, "waive", None, reason, now=now, commit=False)
        waived += 1
    return waived


# -- one due date, moved by an officer ---------------------------------------------------------------


def may_manage(user: Any, monitoring_return: MonitoringReturn) -> bool:
    return bool({"officer", "admin"} & staff_roles(user, monitoring_return.award.programme_id))


def parse_typed_date(day: str, month: str, year: str) -> date:
    """A date typed in three boxes, the month as a number or a name ('3', 'March', 'mar');
    ScheduleProblem('due_date', …) saying what is wrong."""
    parts = [p.strip() for p in (day, month, year)]
    names = ("day", "month", "year")
    if not any(parts):
        raise ScheduleProblem("due_date", "Enter the new due date")
    missing = [n for n, p in zip(names, parts, strict=True) if not p]
    if missing:
        raise ScheduleProblem("due_date", f"The new due date must include a {' and a '.join(missing)}")
    month_of_year = month_number(parts[1])
    if not (parts[0].isdigit() and parts[2].isdigit()) or len(parts[2]) != 4 or month_of_year is None:
        raise ScheduleProblem("due_date", "The new due date must be a real date, like 14 3 2024")
    try:
        return date(int(parts[2]), month_of_year, int(parts[0]))
    except ValueError:
        raise ScheduleProblem("due_date", "The new due date must be a real date, like 14 3 2024") from None


def move_due_date(
    user: Any,
    monitoring_return: MonitoringReturn,
    new_due: date,
    reason: str,
    expected_version: int | None,
    now: datetime | None = None,
) -> date:
    """Move one return's due date, with a reason (audited due_date_moved, from/to/reason).

    An overdue return given a due date of today or later (London) is reopened for the organisation
    (the workflow's `reopen`, in the same transaction). NotAllowed for anyone but the programme's
    officers; ScheduleProblem for a bad date or reason; Conflict when the return changed since the
    form was shown. Returns the old due date."""
    if not may_manage(user, monitoring_return):
        raise NotAllowed
    reason = " ".join(reason.split())
    if monitoring_return.state in states("return", "ended") | states("return", "awaiting_review"):
        raise ScheduleProblem("due_date", "This return has been sent or closed: its due date can no longer move")
    if new_due < monitoring_return.period_ends_on:
        raise ScheduleProblem(
            "due_date",
            f"The new due date must be after the period ends ({monitoring_return.period_ends_on:%-d %B %Y})",
        )
    if new_due == monitoring_return.due_date:
        raise ScheduleProblem("due_date", "The new due date is the same as the current one: enter a different date")
    if not reason:
        raise ScheduleProblem("reason", "Enter why the due date is moving")
    if len(reason) > 1000:
        raise ScheduleProblem("reason", "The reason must be 1,000 characters or fewer")
    if expected_version is not None and expected_version != monitoring_return.version_id:
        raise Conflict(monitoring_return)
    old = monitoring_return.due_date
    with conflicts_as(lambda: Conflict(monitoring_return)):
        audit.record_on(
            monitoring_return,
            actor=user,
            action="due_date_moved",
            from_state=f"{old:%-d %B %Y}",
            to_state=f"{new_due:%-d %B %Y}",
            reason=reason,
            data={"from": old.isoformat(), "to": new_due.isoformat(), "reason": reason},
            at=now,
        )
        monitoring_return.due_date = new_due
        if monitoring_return.opens_on is not None and monitoring_return.opens_on > new_due:
            monitoring_return.opens_on = new_due
        if monitoring_return.state == "overdue" and new_due >= london_day(now or utcnow()):
            try:
                apply_transition(monitoring_return, "reopen", user, reason, now=now, commit=False)
            except TransitionRefused as refused:
                raise ScheduleProblem("due_date", " ".join(refused.reasons)) from None
        db.session.commit()
    return old
