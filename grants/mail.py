"""Outbox writer and SMTP sender.

Every email is a row in the outbox first, written in the same transaction as the
change it reports. A sender claims pending rows one at a time with a
compare-and-set UPDATE (pending -> sending), delivers over SMTP, and marks them
sent. With no MAIL_SERVER configured, rows stay pending and are read on the
admin "Emails" page.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from grants.extensions import db
from grants.models import OutboxMessage
from grants.models.base import utcnow
from grants.models.outbox import FAILED, PENDING, SENDING, SENT

MAX_ATTEMPTS = 5
RECLAIM_AFTER = timedelta(minutes=15)  # a sender that died mid-send leaves rows 'sending'


def queue_email(*, to: str, subject: str, body: str, key: str) -> bool:
    """Add an email to the outbox unless one with this key exists; True if it was added."""
    values = {
        "idempotency_key": key[:200],
        "recipient": to,
        "subject": subject[:300],
        "body": body,
        "status": PENDING,
        "attempts": 0,
        "created_at": utcnow(),
    }
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    return db.session.execute(statement).first() is not None


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


def send_pending(config: dict[str, Any], limit: int = 100) -> dict[str, int]:
    """Deliver pending outbox rows over SMTP; returns counts of sent and failed."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    if not config.get("MAIL_SERVER"):
        return counts
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == SENDING, OutboxMessage.claimed_at < utcnow() - RECLAIM_AFTER)
        .values(status=PENDING)
    )
    db.session.commit()
    ids = db.session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.status == PENDING).order_by(OutboxMessage.id).limit(limit)
    ).all()
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
