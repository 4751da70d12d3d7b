"""Outbox writer and SMTP sender.

Every email is a row in the outbox first, written in the same transaction as the
change it reports. A sender claims pending rows one at a time with a
compare-and-set UPDATE (pending -> sending), delivers over SMTP, and marks them
sent. With no MAIL_SERVER configured, rows stay pending and are read on the
admin "Emails" page.

A delivery that fails leaves the row pending and is retried with backoff: the n-th retry waits
RETRY_AFTER * 2**(n-1) after the last attempt (its claimed_at), so a mail server that is down is
not hammered every half minute; after MAX_ATTEMPTS the row is marked failed. Nothing is lost (the
row stays) and nothing is sent twice (the claim is a compare-and-set).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from grants.extensions import db
from grants.models import OutboxMessage
from grants.models.base import utcnow
from grants.models.outbox import FAILED, PENDING, SENDING, SENT

MAX_ATTEMPTS = 5
RECLAIM_AFTER = timedelta(minutes=15)  # a sender that died mid-send leaves rows 'sending'
RETRY_AFTER = timedelta(minutes=1)  # the first retry; each later one waits twice as long


def _row(to: str, subject: str, body: str, key: str) -> dict[str, Any]:
    return {
        "idempotency_key": key[:200],
        "recipient": to,
        "subject": subject[:300],
        "body": body,
        "status": PENDING,
        "attempts": 0,
        "created_at": utcnow(),
    }


def _insert() -> Any:
    dialect = db.session.get_bind().dialect.name
    return pg_insert if dialect == "postgresql" else sqlite_insert


def queue_email(*, to: str, subject: str, body: str, key: str) -> bool:
    """Add an email to the outbox unless one with this key exists; True if it was added."""
    statement = (
        _insert()(OutboxMessage)
        .values(**_row(to, subject, body, key))
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    return db.session.execute(statement).first() is not None


def queue_emails(messages: Iterable[tuple[str, str, str, str]], page: int = 5000) -> int:
    """Add many emails, each (to, subject, body, key); a key already in the outbox is skipped.

    One statement compiled once, its rows sent in pages of `page` (SQLAlchemy's insertmanyvalues;
    SQLite's pages are smaller, by its limit on parameters). Returns how many were added."""
    rows = [_row(*message) for message in messages]
    if not rows:
        return 0
    statement = (
        _insert()(OutboxMessage.__table__)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.__table__.c.id)
        .execution_options(insertmanyvalues_page_size=page)
    )
    return len(db.session.execute(statement, rows).all())


def retry_delay(attempts: int) -> timedelta:
    """How long after its last attempt a message that failed `attempts` times waits."""
    return RETRY_AFTER * 2 ** max(attempts - 1, 0)


def _ready(now: datetime) -> ColumnElement[bool]:
    """Pending and never tried, or its backoff since the last attempt has run out."""
    return and_(
        OutboxMessage.status == PENDING,
        or_(
            OutboxMessage.attempts == 0,
            OutboxMessage.claimed_at.is_(None),
            *(
                and_(OutboxMessage.attempts == n, OutboxMessage.claimed_at <= now - retry_delay(n))
                for n in range(1, MAX_ATTEMPTS)
            ),
        ),
    )


def _claim(message_id: int) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == PENDING)
        .values(status=SENDING, attempts=OutboxMessage.attempts + 1, claimed_at=utcnow())
    )
    db.session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]


def _deliver(config: dict[str, Any], message: OutboxMessage) -> None:
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = f"<outbox-{message.id}-{message.idempotency_key[:40]}@grantflow>"
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def send_pending(config: dict[str, Any], limit: int = 100, now: datetime | None = None) -> dict[str, int]:
    """Deliver pending outbox rows that are due (new, or past their backoff) over SMTP; returns
    counts of sent and failed. `now` lets tests move the clock past a backoff."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if not config.get("MAIL_SERVER"):
        return counts
    now = now or utcnow()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < now - RECLAIM_AFTER)
        .values(status=PENDING)
    )
    db.session.commit()
    ids = db.session.scalars(select(OutboxMessage.id).where(_ready(now)).order_by(OutboxMessage.id).limit(limit)).all()
    for message_id in ids:
        if not _claim(message_id):
            counts["skipped"] += 1
            continue
        message = db.session.get(OutboxMessage, message_id)
        assert message is not None
        try:
            _deliver(config, message)
        except Exception as exc:  # noqa: BLE001 - one bad message must not stop the batch or stay 'sending'
            message.status = FAILED if message.attempts >= MAX_ATTEMPTS else PENDING
            message.last_error = str(exc)[:2000]
            counts["failed"] += 1
        else:
            message.status = SENT
            message.sent_at = utcnow()
            message.last_error = None
            counts["sent"] += 1
        db.session.commit()
    return counts
