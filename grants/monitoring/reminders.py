"""Return reminders, each sent exactly once: one pass a day (or an hour; it is idempotent).

A pass, for a working day `today` (England and Wales), in a fixed number of set-based statements
whatever the number of returns:

1. reads every plan version (its reminder rules) and works out, per rule, the due dates for which
   the rule falls due today (counted in working days: "14 working days before", "every 5 working
   days while overdue");
2. reads in one query every return not sent, not ended and not paused whose plan and due date
   match one of those (`due_reminders`);
3. reads the recipients in at most three queries (the organisations' members, the programmes'
   officers, the programme leads);
4. per batch, inserts the Reminder rows (return, rule, today) with INSERT … ON CONFLICT DO NOTHING
   RETURNING, and for the rows it inserted, and only those, queues one email per recipient
   (outbox key reminder:<return id>:<rule>:<date>:<email>), then commits reminder rows and emails
   together.

A second pass the same day inserts no Reminder row, so it queues nothing; two schedulers at once
take turns on the unique (return, rule, date) row (the second finds the first's and skips it); a
pass killed mid-way rolled back its open batch, and the rerun does what was not committed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from grants import mail
from grants.extensions import db
from grants.models import Award, Membership, MonitoringPlan, MonitoringReturn, Organisation, Programme, RoleGrant, User
from grants.models.base import utcnow
from grants.models.monitoring import Reminder
from grants.monitoring.emails import ReminderWriter, ReturnFacts
from grants.monitoring.plans import Plan, PlanProblems, ReminderRule, from_definition
from grants.monitoring.working_days import is_working_day
from grants.workflow_states import states

LOOK_BACK = timedelta(days=400)  # a repeating reminder stops about a year after the due date
LOOK_AHEAD = timedelta(days=200)  # the earliest rule: 120 working days before
BATCH = 500
# Test hooks: a smaller batch, and a pause after each committed batch (to kill a pass mid-way).
BATCH_ENV, PAUSE_ENV = "GRANTFLOW_REMINDER_BATCH", "GRANTFLOW_REMINDER_PAUSE"


def remindable_states() -> frozenset[str]:
    """Returns the organisation still owes: not open yet, open, overdue, awaiting sign-off, sent back."""
    return (states("return", "upcoming") | states("return", "awaiting_grantee")) - states("return", "ended")


def reminder_key(return_id: int, rule: str, on: date, email: str) -> str:
    return f"reminder:{return_id}:{rule}:{on.isoformat()}:{email}"


@dataclass(frozen=True)
class Due:
    """One rule of one return that falls due today."""

    facts: ReturnFacts
    rule: ReminderRule
    days_from_due: int
    organisation_id: int
    programme_id: int
    lead_user_id: int | None


@dataclass
class PassResult:
    found: int = 0  # (return, rule) pairs due today
    reminders: int = 0  # Reminder rows this pass inserted
    queued: int = 0  # emails this pass queued
    by_rule: dict[str, int] = field(default_factory=dict)


class WorkingDayCount:
    """Working days counted from a fixed day: days_between(d, today) in O(1) for any d in the window."""

    def __init__(self, first: date, last: date):
        self.first = first
        self.count: list[int] = []
        running = 0
        day = first
        while day <= last:
            running += int(is_working_day(day))
            self.count.append(running)
            day += timedelta(days=1)

    def at(self, day: date) -> int:
        return self.count[(day - self.first).days]

    def days(self) -> Iterable[date]:
        return (self.first + timedelta(days=n) for n in range(len(self.count)))


def _plans() -> dict[int, Plan]:
    plans = {}
    for plan_id, definition in db.session.execute(select(MonitoringPlan.id, MonitoringPlan.definition)):
        try:
            plans[plan_id] = from_definition(definition)
        except PlanProblems:
            continue  # a stored plan is checked when saved; an unreadable one reminds nobody
    return plans


def firing_dates(plans: dict[int, Plan], today: date) -> dict[int, dict[str, set[date]]]:
    """Per plan, per rule key: the due dates for which that rule fires today."""
    window = WorkingDayCount(today - LOOK_BACK, today + LOOK_AHEAD)
    now = window.at(today)
    offsets = [(day, now - window.at(day)) for day in window.days()]
    return {
        plan_id: {rule.key: {day for day, n in offsets if rule.fires(n)} for rule in plan.reminders}
        for plan_id, plan in plans.items()
    }


def due_reminders(today: date) -> list[Due]:
    """Every (return, rule) whose reminder falls due today, in two queries; none on a day off."""
    if not is_working_day(today):
        return []
    plans = _plans()
    firing = firing_dates(plans, today)
    matches = [
        and_(MonitoringReturn.plan_id == plan_id, MonitoringReturn.due_date.in_(sorted(set().union(*rules.values()))))
        for plan_id, rules in firing.items()
        if any(rules.values())
    ]
    if not matches:
        return []
    rows = db.session.execute(
        select(
            MonitoringReturn.id,
            MonitoringReturn.plan_id,
            MonitoringReturn.due_date,
            MonitoringReturn.period_label,
            MonitoringReturn.kind,
            MonitoringReturn.sequence,
            Award.public_reference,
            Award.title,
            Award.organisation_id,
            Award.programme_id,
            Organisation.name,
            Programme.lead_user_id,
        )
        .join(Award, Award.id == MonitoringReturn.award_id)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .join(Programme, Programme.id == Award.programme_id)
        .where(
            MonitoringReturn.state.in_(sorted(remindable_states())),
            MonitoringReturn.reminders_paused_at.is_(None),
            or_(false(), *matches),
        )
        .order_by(MonitoringReturn.id)
    ).all()
    window = WorkingDayCount(today - LOOK_BACK, today + LOOK_AHEAD)
    now = window.at(today)
    due: list[Due] = []
    for row in rows:
        plan = plans[row.plan_id]
        facts = ReturnFacts(
            return_id=row.id,
            title=plan.title(row.kind, row.sequence, row.period_label),
            grant=row.public_reference,
            grant_title=row.title,
            organisation=row.name,
            due_date=row.due_date,
        )
        days_from_due = now - window.at(row.due_date)
        for rule in plan.reminders:
            if row.due_date in firing[row.plan_id][rule.key]:
                due.append(Due(facts, rule, days_from_due, row.organisation_id, row.programme_id, row.lead_user_id))
    return due


@dataclass(frozen=True)
class Recipients:
    members: dict[int, list[str]]  # organisation id -> emails
    officers: dict[int | None, list[str]]  # programme id (None: every programme) -> emails
    leads: dict[int, str]  # user id -> email
    everyone: dict[int, list[str]] = field(default_factory=dict)  # programme id -> its officers and all-programme ones

    def for_(self, due: Due) -> list[str]:
        audience = due.rule.audience
        if audience == "organisation":
            return self.members.get(due.organisation_id, [])
        if audience == "officers":
            return self._officers_of(due.programme_id)
        lead = self.leads.get(due.lead_user_id) if due.lead_user_id is not None else None
        return [lead] if lead else []

    def _officers_of(self, programme_id: int) -> list[str]:
        found = self.everyone.get(programme_id)
        if found is None:
            found = sorted(set(self.officers.get(programme_id, [])) | set(self.officers.get(None, [])))
            self.everyone[programme_id] = found
        return found


def recipients(due: list[Due]) -> Recipients:
    """The people each audience means, in three queries (always three, however many are due)."""
    organisations = {d.organisation_id for d in due if d.rule.audience == "organisation"}
    programmes = {d.programme_id for d in due if d.rule.audience == "officers"}
    lead_ids = {d.lead_user_id for d in due if d.rule.audience == "lead" and d.lead_user_id is not None}
    members: dict[int, list[str]] = {}
    officers: dict[int | None, list[str]] = {}
    for organisation_id, email in db.session.execute(
        select(Membership.organisation_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_(sorted(organisations)), User.active.is_(True))
        .order_by(User.email)
    ):
        members.setdefault(organisation_id, []).append(email)
    everywhere = RoleGrant.programme_id.is_(None) if programmes else false()
    for programme_id, email in db.session.execute(
        select(RoleGrant.programme_id, User.email)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role == "officer",
            User.active.is_(True),
            or_(RoleGrant.programme_id.in_(sorted(programmes)), everywhere),
        )
        .distinct()
        .order_by(User.email)
    ):
        officers.setdefault(programme_id, []).append(email)
    lead_query = select(User.id, User.email).where(User.id.in_(sorted(lead_ids)), User.active.is_(True))
    leads: dict[int, str] = dict(db.session.execute(lead_query).all())
    return Recipients(members, officers, leads)


def _insert_reminders(batch: list[Due], people: list[list[str]], today: date, at: datetime) -> set[tuple[int, str]]:
    """Insert the batch's Reminder rows (people: each one's recipients); the (return id, rule) of
    those this call inserted."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows: list[dict[str, Any]] = [
        {
            "monitoring_return_id": d.facts.return_id,
            "rule": d.rule.key,
            "on_date": today,
            "audience": d.rule.audience,
            "recipients": len(to),
            "queued_at": at,
        }
        for d, to in zip(batch, people, strict=True)
    ]
    table: Any = Reminder.__table__
    statement = (
        insert(table)
        .on_conflict_do_nothing(index_elements=["monitoring_return_id", "rule", "on_date"])
        .returning(table.c.monitoring_return_id, table.c.rule)
        .execution_options(insertmanyvalues_page_size=5000)
    )
    return {(r.monitoring_return_id, r.rule) for r in db.session.execute(statement, rows)}


def run_pass(today: date, now: datetime | None = None) -> PassResult:
    """Queue every reminder that falls due today, each exactly once; commits per batch."""
    at = now or utcnow()
    result = PassResult()
    due = due_reminders(today)
    result.found = len(due)
    if not due:
        return result
    people = recipients(due)
    size = int(os.environ.get(BATCH_ENV) or BATCH)
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    writer = ReminderWriter()
    on = today.isoformat()
    for start in range(0, len(due), size):
        batch = due[start : start + size]
        to = [people.for_(d) for d in batch]
        inserted = _insert_reminders(batch, to, today, at)
        messages: list[tuple[str, str, str, str]] = []
        for d, emails in zip(batch, to, strict=True):
            return_id, key = d.facts.return_id, d.rule.key
            if (return_id, key) not in inserted:
                continue
            result.reminders += 1
            result.by_rule[key] = result.by_rule.get(key, 0) + 1
            if not emails:
                continue
            subject, body = writer.email(d.rule.audience, d.facts, d.days_from_due)
            prefix = f"reminder:{return_id}:{key}:{on}:"
            messages.extend((email, subject, body, prefix + email) for email in emails)
        result.queued += mail.queue_emails(messages)
        db.session.commit()
        if pause:
            time.sleep(pause)
    return result


def reminders_sent(return_id: int) -> list[Reminder]:
    """The reminders a return has had, newest first (for the grantee's and the officers' pages)."""
    return list(
        db.session.scalars(
            select(Reminder)
            .where(Reminder.monitoring_return_id == return_id)
            .order_by(Reminder.on_date.desc(), Reminder.id.desc())
        )
    )
