"""Helpers for the payments tests (schedules, finance, budgets, variations): people, awards, forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from grants.extensions import db
from grants.models import AuditEvent, Award, Payment, Programme
from tests.factories import AwardFactory, ProgrammeFactory, member_of, staff_user
from tests.fixtures import csrf_token

# The award in the example: £7,985.00, decided on 9 February 2023.
DECIDED = datetime(2023, 2, 9, 12, 0, tzinfo=UTC)


@dataclass
class People:
    programme: Programme
    officer: object
    finance: object
    decision_maker: object
    admin: object


def people(programme: Programme | None = None) -> People:
    programme = programme or ProgrammeFactory()
    return People(
        programme=programme,
        officer=staff_user("officer", programme),
        finance=staff_user("finance", programme),
        decision_maker=staff_user("decision_maker", programme),
        admin=staff_user("admin"),
    )


def award(programme: Programme, **kwargs) -> Award:
    values = {"amount_pence": 798_500, "amount_at_decision_pence": 798_500, "decided_at": DECIDED}
    values.update(kwargs)
    return AwardFactory(programme=programme, **values)


def applicant_of(award_: Award):
    return member_of(award_.organisation)


def hidden(client, url: str, name: str) -> str:
    html = client.get(url).get_data(as_text=True)
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no hidden {name} on {url}"
    return match.group(1)


def schedule_url(award_id: int) -> str:
    return f"/payments/awards/{award_id}/schedule"


def schedule_post(
    client, award_id: int, rows: list[dict], *, action: str = "save", fingerprint: str | None = None, form_page=None
):
    """Post the schedule form as a browser would: token and fingerprint from the page, one row per dict
    (amount, due as a date or (d, m, y), return_id, payment_id). People shown no form take their
    session's token from `form_page`."""
    url = schedule_url(award_id)
    token = csrf_token(client, form_page or url)
    if fingerprint is None:
        fingerprint = hidden(client, url, "fingerprint")
    data = {"csrf_token": token, "fingerprint": fingerprint, "action": action}
    for index, row in enumerate(rows):
        prefix = f"instalments-{index}"
        due = row.get("due", ("", "", ""))
        if isinstance(due, date):
            due = (str(due.day), str(due.month), str(due.year))
        data[f"{prefix}-payment_id"] = str(row.get("payment_id") or "")
        data[f"{prefix}-amount"] = row.get("amount", "")
        data[f"{prefix}-due-day"], data[f"{prefix}-due-month"], data[f"{prefix}-due-year"] = due
        data[f"{prefix}-return"] = str(row.get("return_id") or "")
    return client.post(url, data=data)


def payments_of(award_id: int) -> list[Payment]:
    db.session.expire_all()
    return list(db.session.scalars(select(Payment).where(Payment.award_id == award_id).order_by(Payment.instalment)))


def live(award_id: int) -> list[tuple[int, date, str]]:
    return [(p.amount_pence, p.due_on, p.state) for p in payments_of(award_id) if p.state != "cancelled"]


def audit_count(subject_type: str, subject_id: int, action: str | None = None) -> int:
    query = (
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.subject_type == subject_type, AuditEvent.subject_id == subject_id)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalar(query) or 0


def audit_rows(subject_type: str, subject_id: int, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == subject_type,
                AuditEvent.subject_id == subject_id,
                AuditEvent.action == action,
            )
            .order_by(AuditEvent.id)
        )
    )


def text_of(response) -> str:
    """The page's text with tags removed and spaces collapsed, for reading sentences in assertions."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#39;", "'").replace("&amp;", "&").split())
