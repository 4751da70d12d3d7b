"""Commissioning reminders, each sent once: an incoming grant's report falling due, and a contract
nearing its end (so that extending, re-procuring or decommissioning is decided in time).

Like the return reminders (grants/monitoring/reminders.py): the pass inserts a CommissioningReminder
row (thing, rule, day) with ON CONFLICT DO NOTHING and queues emails only for the rows it inserted, in
one transaction, so a second pass or a second scheduler sends nothing more. A report's reminder goes
REPORT_DAYS before it is due; a contract's when it comes within the configured months of its end
(COMMISSIONING_END_WARNING_MONTHS, default 6), dated by its end date, so it goes once per end date
(an extension moves the end and warns again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from grants import mail
from grants.extensions import db
from grants.formatting import london_date
from grants.models import CommissioningReminder, Contract, GrantReport, IncomingGrant, Programme, RoleGrant, User
from grants.models.base import utcnow
from grants.models.commissioning import add_months
from grants.workflow_states import states

REPORT_DAYS = 14
DEFAULT_MONTHS = 6


def warning_months() -> int:
    return int(current_app.config.get("COMMISSIONING_END_WARNING_MONTHS", DEFAULT_MONTHS))


@dataclass
class Due:
    subject_type: str
    subject_id: int
    rule: str
    on_date: date
    programme_id: int | None
    subject: str
    body: str


def ending_soon(today: date, programme_ids: list[int] | None = None) -> list[Contract]:
    """Running contracts whose end falls within the warning months (soonest first)."""
    query = (
        select(Contract)
        .where(
            Contract.state.in_(states("contract", "contracted")),
            Contract.end_date.is_not(None),
            Contract.end_date >= today,
            Contract.end_date <= add_months(today, warning_months()),
        )
        .order_by(Contract.end_date, Contract.public_reference)
    )
    if programme_ids is not None:
        query = query.where(Contract.programme_id.in_(programme_ids))
    return list(db.session.scalars(query))


def due(today: date) -> list[Due]:
    found = []
    months = warning_months()
    for contract in ending_soon(today):
        assert contract.end_date is not None
        found.append(
            Due(
                "contract",
                contract.id,
                f"ends_within_{months}_months",
                contract.end_date,
                contract.programme_id,
                f"{contract.public_reference} ends on {london_date(contract.end_date)}: decide what happens next",
                f"{contract.public_reference}, {contract.title}, ends on {london_date(contract.end_date)}.\n\n"
                "Decide in time whether to extend it (within its extension options), re-procure it or "
                "decommission it. The contract's page shows its allocations and what can be done next.",
            )
        )
    reports = db.session.execute(
        select(GrantReport, IncomingGrant)
        .join(IncomingGrant, IncomingGrant.id == GrantReport.incoming_grant_id)
        .where(
            GrantReport.sent_on.is_(None),
            GrantReport.due_on >= today,
            GrantReport.due_on <= today + timedelta(days=REPORT_DAYS),
        )
    ).all()
    for report, grant in reports:
        found.append(
            Due(
                "grant_report",
                report.id,
                f"report_due_{REPORT_DAYS}_days",
                report.due_on,
                grant.programme_id,
                f"{grant.funder}: {report.what} due {london_date(report.due_on)}",
                f"{report.what} for {grant.title} ({grant.reference}) is due to {grant.funder} on "
                f"{london_date(report.due_on)}.\n\nMark it sent on the grant's page once it has gone.",
            )
        )
    return found


def _officers(programme_id: int | None) -> list[str]:
    query = (
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "officer", User.active.is_(True))
    )
    if programme_id is not None:
        query = query.where(or_(RoleGrant.programme_id == programme_id, RoleGrant.programme_id.is_(None)))
    lead = db.session.scalar(
        select(User.email).join(Programme, Programme.lead_user_id == User.id).where(Programme.id == programme_id)
    )
    return sorted(set(db.session.scalars(query)) | ({lead} if lead else set()))


def run_pass(today: date) -> tuple[int, int]:
    """(reminders this pass made, emails it queued); a second pass the same day makes none."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    made = queued = 0
    for item in due(today):
        people = _officers(item.programme_id)
        row = db.session.execute(
            insert(CommissioningReminder)
            .values(
                subject_type=item.subject_type,
                subject_id=item.subject_id,
                rule=item.rule,
                on_date=item.on_date,
                recipients=len(people),
                queued_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["subject_type", "subject_id", "rule", "on_date"])
            .returning(CommissioningReminder.id)
        ).first()
        if row is None:
            continue
        made += 1
        key = f"commissioning:{item.subject_type}:{item.subject_id}:{item.rule}:{item.on_date.isoformat()}"
        queued += mail.queue_emails((email, item.subject, item.body, f"{key}:{email}") for email in people)
    db.session.commit()
    return made, queued


def dashboard(programme_ids: list[int] | None, today: date) -> dict[str, Any]:
    """For the officers' dashboard: contracts ending soon, and reports due to funders soon."""
    reports = select(GrantReport, IncomingGrant).join(IncomingGrant, IncomingGrant.id == GrantReport.incoming_grant_id)
    reports = reports.where(GrantReport.sent_on.is_(None), GrantReport.due_on <= today + timedelta(days=31))
    if programme_ids is not None:
        reports = reports.where(
            or_(IncomingGrant.programme_id.in_(programme_ids), IncomingGrant.programme_id.is_(None))
        )
    return {
        "months": warning_months(),
        "ending": ending_soon(today, programme_ids),
        "reports": db.session.execute(reports.order_by(GrantReport.due_on)).all(),
    }
