"""Offers not answered in time: one reminder to the organisation's members, through the outbox.

Run by the scheduler every hour and by `grantflow reminders run`. The outbox's idempotency key
(offer-reminder:<award id>:<email>) makes the reminder go once per member, however often
this runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import mail
from grants.awards.emails import reminder_subject, reminder_text
from grants.extensions import db
from grants.models import Award, Membership, User
from grants.models.base import utcnow


def reminder_key(award: Award, email: str) -> str:
    return f"offer-reminder:{award.id}:{email}"


def send_offer_reminders(now: datetime | None = None) -> int:
    """Queue a reminder for each offer still waiting OFFER_REMINDER_DAYS after it was sent.

    Returns how many offers were reminded this time (those reminded before are not counted).
    """
    now = now or utcnow()
    cutoff = now - timedelta(days=int(current_app.config["OFFER_REMINDER_DAYS"]))
    awards = list(
        db.session.scalars(
            select(Award)
            .where(Award.state == "offered", Award.offered_at.is_not(None), Award.offered_at <= cutoff)
            .options(joinedload(Award.organisation))
            .order_by(Award.id)
        )
    )
    if not awards:
        return 0
    members: dict[int, list[str]] = {}
    for organisation_id, email in db.session.execute(
        select(Membership.organisation_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_({a.organisation_id for a in awards}), User.active.is_(True))
        .order_by(User.email)
    ):
        members.setdefault(organisation_id, []).append(email)
    reminded = 0
    for award in awards:
        queued = False
        for email in members.get(award.organisation_id, []):
            queued |= mail.queue_email(
                to=email, subject=reminder_subject(award), body=reminder_text(award), key=reminder_key(award, email)
            )
        reminded += int(queued)
    db.session.commit()
    return reminded
