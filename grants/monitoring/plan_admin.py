"""Admin > Monitoring plans: each programme's plan shown in words, its versions, and an edit that
adds a version (the TOML typed, checked by grants.monitoring.plans with its specific messages).

Who: an admin of the programme (a grant for every programme covers them all); any other programme
is "not found", so nothing hints that it exists. Like the agreement terms (grants.admin.reference_data),
a plan version is never changed: a save adds the next version, audited `plan_changed` (from and to
version). The form carries the version it was opened on; if another admin saved a newer one since,
the save is refused (EditConflict) and what was typed is kept. Returns already scheduled keep the
version they were made under (MonitoringReturn.plan_id); only awards accepted later use the new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from grants import audit
from grants.access import staff_roles
from grants.errors import NotFound
from grants.extensions import db
from grants.form_fields import version_or_none
from grants.models import MonitoringPlan, MonitoringReturn, Programme, QuestionSet, User
from grants.models.monitoring import FINAL, PROGRESS, QUARTERLY
from grants.monitoring.plans import (
    MONTHS_AFTER_START,
    Plan,
    PlanProblems,
    ReminderRule,
    current_plan,
    definition_of,
    parse,
    plan_of,
    source_of,
    standard_text,
)

KIND_NAMES = {PROGRESS: "Progress returns", FINAL: "Final returns", QUARTERLY: "Quarterly returns"}


class EditConflict(Exception):
    """Another admin saved a newer version since the form was opened; nothing was saved."""


@dataclass(frozen=True)
class PlanRow:
    programme: Programme
    version: int  # 0: no plan yet
    editable: bool


@dataclass(frozen=True)
class VersionRow:
    version: int
    created_at: datetime
    created_by: str | None
    returns: int  # returns scheduled under this version


@dataclass(frozen=True)
class PlanNow:
    """A programme's plan as saved now (version 0 and the shipped file's text when it has none)."""

    programme: Programme
    version: int
    source: str
    plan: Plan | None
    history: list[VersionRow]

    def described(self) -> list[tuple[str, str]]:
        return describe(self.plan) if self.plan is not None else []

    def reminders(self) -> list[str]:
        return [sentence(rule) for rule in self.plan.reminders] if self.plan is not None else []

    def question_sets(self) -> list[tuple[str, str, bool]]:
        """(kind of return, question set name, loaded yet) in the plan's order."""
        if self.plan is None:
            return []
        names = sorted(set(self.plan.question_sets.values()))
        loaded = (
            set(db.session.scalars(select(QuestionSet.name).where(QuestionSet.name.in_(names)))) if names else set()
        )
        return [(KIND_NAMES.get(kind, kind), name, name in loaded) for kind, name in self.plan.question_sets.items()]


def may_edit(user: User, programme_id: int) -> bool:
    return "admin" in staff_roles(user, programme_id)


def plans(user: User) -> list[PlanRow]:
    """The programmes this admin looks after, each with its plan's newest version."""
    newest = dict(
        db.session.execute(
            select(MonitoringPlan.programme_id, func.max(MonitoringPlan.version)).group_by(MonitoringPlan.programme_id)
        ).all()
    )
    return [
        PlanRow(p, int(newest.get(p.id, 0)), True)
        for p in db.session.scalars(select(Programme).order_by(Programme.code))
        if may_edit(user, p.id)
    ]


def _programme(user: User, code: str) -> Programme:
    if "\x00" in code or len(code) > 16:  # no such code; PostgreSQL refuses a NUL in a query
        raise NotFound
    programme = db.session.scalar(select(Programme).where(Programme.code == code))
    if programme is None or not may_edit(user, programme.id):
        raise NotFound
    return programme


def plan_for(user: User, code: str) -> PlanNow:
    """The programme's plan now, with every version; NotFound for a programme this admin does not run."""
    programme = _programme(user, code)
    row = current_plan(programme.id)
    uses = dict(
        db.session.execute(
            select(MonitoringReturn.plan_id, func.count(MonitoringReturn.id))
            .join(MonitoringPlan, MonitoringPlan.id == MonitoringReturn.plan_id)
            .where(MonitoringPlan.programme_id == programme.id)
            .group_by(MonitoringReturn.plan_id)
        ).all()
    )
    history = [
        VersionRow(version, created_at, name, int(uses.get(plan_id, 0)))
        for plan_id, version, created_at, name in db.session.execute(
            select(MonitoringPlan.id, MonitoringPlan.version, MonitoringPlan.created_at, User.name)
            .outerjoin(User, User.id == MonitoringPlan.created_by_id)
            .where(MonitoringPlan.programme_id == programme.id)
            .order_by(MonitoringPlan.version.desc())
        )
    ]
    if row is None:
        text = standard_text(programme.code) or ""
        try:
            plan = parse(text) if text else None
        except PlanProblems:
            plan = None
        return PlanNow(programme, 0, text, plan, history)
    try:
        plan = plan_of(row)
    except PlanProblems:
        plan = None
    return PlanNow(programme, row.version, source_of(row), plan, history)


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip() + "\n"


def save_plan(user: User, code: str, text: str, expected_version: str | None) -> int | None:
    """Save the typed plan as the next version; returns it, or None when nothing changed.

    PlanProblems (every problem, each naming its place) when the plan does not make sense;
    EditConflict when a newer version was saved since the form was opened."""
    now = plan_for(user, code)
    problems: PlanProblems | None = None
    definition: dict[str, Any] = {}
    if not text.strip():
        problems = PlanProblems(["Enter the plan"])
    else:
        text = _normalised(text)
        try:
            definition = definition_of(text)
        except PlanProblems as exc:
            problems = exc
    if version_or_none(expected_version) != now.version:
        raise EditConflict
    if problems is not None:
        raise problems
    if now.version and text == _normalised(now.source):
        return None
    version = now.version + 1
    try:
        db.session.add(
            MonitoringPlan(programme_id=now.programme.id, version=version, definition=definition, created_by_id=user.id)
        )
        audit.record(
            actor=user,
            subject_type="programme",
            subject_id=now.programme.id,
            subject_reference=now.programme.code[:64],
            action="plan_changed",
            from_state=f"version {now.version}" if now.version else None,
            to_state=f"version {version}",
            data={"from_version": now.version, "to_version": version},
        )
        db.session.commit()
    except IntegrityError:  # another admin's version with the same number went in first
        db.session.rollback()
        raise EditConflict from None
    return version


# -- in words ------------------------------------------------------------------------------------------


def sentence(rule: ReminderRule) -> str:
    """'14 working days before the due date, to the organisation', capitalised."""
    text = rule.describe()
    return text[0].upper() + text[1:]


def _days(n: int, what: str = "day") -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def describe(plan: Plan) -> list[tuple[str, str]]:
    """The plan as rows of a summary list: (what, in words)."""
    if plan.schedule == MONTHS_AFTER_START:
        parts = []
        for spec in plan.returns:
            if spec.kind == FINAL:
                parts.append(f"the {spec.title} at the end of the award ({spec.months} months if it has no end date)")
            else:
                parts.append(f"the {spec.title} {_days(spec.months, 'month')} after the award starts")
        schedule = "One return per period: " + "; ".join(parts) + "."
    else:
        schedule = (
            "A quarterly return for every financial-year quarter the award runs in "
            "(April to June, July to September, October to December, January to March)."
        )
        if plan.last_is_final:
            schedule += " The award's last quarter is its final return."
    rows = [
        ("Returns", schedule),
        (
            "Due",
            f"{_days(plan.due_working_days, 'working day')} after the period ends "
            "(weekends and England and Wales bank holidays are not counted)",
        ),
        ("Opens", f"{_days(plan.window_opens_days)} before the due date, for the organisation to fill in"),
        (
            "Sign-off",
            "A second person at the organisation signs each return off before it reaches the officers"
            if plan.sign_off
            else "Not needed: returns go straight to the officers",
        ),
    ]
    return rows
