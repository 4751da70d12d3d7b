"""Rounds open and close at their stated times; returns fall overdue; the scheduler's job is idempotent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, OutboxMessage
from grants.workflow import fire_due_transitions
from tests.factories import ReturnFactory, RoundFactory, member_of


def test_a_round_closes_at_its_deadline_and_not_before(app):
    now = datetime(2022, 11, 4, 12, 0, tzinfo=UTC)
    closing = RoundFactory(state="open", closes_at=now - timedelta(minutes=1))
    still_open = RoundFactory(state="open", closes_at=now + timedelta(minutes=1))

    fired = fire_due_transitions(now=now)

    db.session.refresh(closing)
    db.session.refresh(still_open)
    assert (closing.state, still_open.state) == ("closed", "open")
    assert fired.get("round") == 1
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "round", AuditEvent.subject_id == closing.id)
    ).one()
    assert (row.actor_id, row.action, row.from_state, row.to_state) == (None, "close", "open", "closed")


def test_a_scheduled_round_opens_at_its_opening_time(app):
    now = datetime(2022, 10, 3, 8, 0, tzinfo=UTC)
    round_ = RoundFactory(state="scheduled", opens_at=now, closes_at=now + timedelta(days=30))

    fire_due_transitions(now=now)

    db.session.refresh(round_)
    assert round_.state == "open"


def test_a_return_falls_overdue_the_day_after_it_is_due_and_the_grantee_is_emailed_once(app):
    ret = ReturnFactory(due_date=date(2023, 10, 13))
    grantee = member_of(ret.award.organisation, email="treasurer@example.org")
    end_of_due_day = datetime(2023, 10, 13, 22, 59, tzinfo=UTC)  # 23:59 BST on the due date
    next_day = datetime(2023, 10, 13, 23, 0, tzinfo=UTC)  # 00:00 BST the day after

    fire_due_transitions(now=end_of_due_day)
    db.session.refresh(ret)
    assert ret.state == "awaiting"

    fire_due_transitions(now=next_day)
    fire_due_transitions(now=next_day + timedelta(minutes=1))

    db.session.refresh(ret)
    assert ret.state == "overdue"
    emails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == grantee.email)).all()
    assert len(emails) == 1
    assert "Overdue" in emails[0].body
