"""Test data for the awards tests: approved bids with the panel's amount and conditions, and offers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from grants.awards.creation import STANDARD_AGREEMENT_TERMS
from grants.extensions import db
from grants.models import ApplicationSection, Approval, AuditEvent, OutboxMessage, Recommendation
from tests.factories import ApplicationFactory, AwardFactory, OrganisationFactory, UserFactory

DECIDED_AT = datetime(2023, 2, 9, 14, 0, tzinfo=UTC)  # the Round 3 decision: financial year 2022/23

_numbers = iter(range(1, 100_000))


def approved_bid(
    round_,
    *,
    requested: int = 600_000,
    recommended: int | None = None,
    panel_conditions: str | None = None,
    approval_conditions: str | None = None,
    dates: tuple[str, str] | None = None,
    decided_at: datetime = DECIDED_AT,
    organisation=None,
    state: str = "approved",
    title: str | None = None,
):
    """A bid of the round in `state`, decided at `decided_at`, with the panel's recommendation."""
    number = next(_numbers)
    application = ApplicationFactory(
        round=round_,
        organisation=organisation or OrganisationFactory(),
        amount_requested_pence=requested,
        state=state,
        state_changed_at=decided_at,
        public_reference=f"{round_.code}-{number:04d}",
        submitted_at=decided_at - timedelta(days=90),
        **({"project_title": title} if title else {}),
    )
    if recommended is not None or panel_conditions:
        db.session.add(
            Recommendation(
                application_id=application.id, recommended_amount_pence=recommended, conditions=panel_conditions
            )
        )
    if approval_conditions:
        approver = UserFactory()
        db.session.add(Approval(application_id=application.id, approver_id=approver.id, conditions=approval_conditions))
    if dates:
        db.session.add(
            ApplicationSection(
                application_id=application.id,
                section_key="project",
                answers={"raw": {}, "values": {"start_date": dates[0], "end_date": dates[1]}},
                status="completed",
            )
        )
    db.session.commit()
    return application


def offered_award(organisation, *, offered_days_ago: int = 3, respond_in_days: int = 25, **kwargs):
    """An award offered `offered_days_ago` days ago, waiting for the grantee's reply."""
    now = datetime.now(UTC)
    return AwardFactory(
        organisation=organisation,
        state=kwargs.pop("state", "offered"),
        title=kwargs.pop("title", "Gloves Not Knives: boxing and mentoring"),
        amount_pence=kwargs.pop("amount_pence", 798_550),
        offered_at=now - timedelta(days=offered_days_ago),
        respond_by=now.date() + timedelta(days=respond_in_days),
        agreement_terms=STANDARD_AGREEMENT_TERMS,
        offer_conditions=kwargs.pop(
            "offer_conditions", "Send an updated safeguarding policy before the first payment."
        ),
        **kwargs,
    )


def audit_count(award, action: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.subject_type == "award", AuditEvent.subject_id == award.id, AuditEvent.action == action)
    )


def emails_to(address: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)))


def day_parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def date_boxes(html: str, name: str) -> list[str]:
    """What a GOV.UK date input shows in its day, month and year boxes."""
    flat = re.sub(r"\s+", " ", html)
    return [
        re.search(rf'<input[^>]*id="{name}-{part}"[^>]*value="([^"]*)"', flat).group(1)
        for part in ("day", "month", "year")
    ]


def london_today() -> date:
    from grants.awards.services import today

    return today()
