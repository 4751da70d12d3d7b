"""The outbox and its SMTP sender, against a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from grants import mail
from grants.extensions import db
from grants.models import OutboxMessage
from grants.models.base import utcnow
from grants.models.outbox import FAILED, PENDING, SENT


class Collector:
    """An SMTP handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def mail_config(app, port: int | None, server: str = "127.0.0.1") -> dict:
    return {
        **app.config,
        "MAIL_SERVER": server,
        "MAIL_PORT": port,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
    }


def queue(key: str, to: str = "applicant@example.org", subject: str = "Your application", body: str = "Hello") -> bool:
    return mail.queue_email(to=to, subject=subject, body=body, key=key)


def message(key: str) -> OutboxMessage:
    found = db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    assert found is not None
    db.session.refresh(found)
    return found


def test_queueing_the_same_email_twice_adds_it_once():
    queue("reset:1:abc")
    queue("reset:1:abc", body="a second copy")

    rows = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.idempotency_key == "reset:1:abc")
    )
    assert rows == 1
    assert message("reset:1:abc").body == "Hello"


def test_queueing_says_whether_the_email_was_added():
    assert queue("reset:2:abc") is True
    assert queue("reset:2:abc", body="a second copy") is False


def test_pending_emails_are_delivered_over_smtp_to_their_recipients(app, smtp_server):
    queue("a", to="aisha@example.org", subject="MSCF-R3-0042: Submitted", body="Your application is submitted.")
    queue("b", to="gareth@example.org", subject="MSCF-R3-0043: Eligible", body="Your application is eligible.")

    counts = mail.send_pending(mail_config(app, smtp_server.port))

    assert counts["sent"] == 2
    received = {m["To"]: m for m in smtp_server.handler.messages}
    assert set(received) == {"aisha@example.org", "gareth@example.org"}
    assert received["aisha@example.org"]["Subject"] == "MSCF-R3-0042: Submitted"
    assert received["aisha@example.org"].get_payload(decode=True).decode().strip() == "Your application is submitted."
    assert received["gareth@example.org"]["Subject"] == "MSCF-R3-0043: Eligible"
    assert smtp_server.handler.recipients == [["aisha@example.org"], ["gareth@example.org"]]


def test_a_delivered_email_is_marked_sent_with_the_time(app, smtp_server):
    queue("a")
    before = datetime.now(UTC)

    mail.send_pending(mail_config(app, smtp_server.port))

    sent = message("a")
    assert sent.status == SENT
    assert before - timedelta(seconds=1) <= sent.sent_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert sent.attempts == 1
    assert sent.last_error is None


def test_sending_again_delivers_nothing_more(app, smtp_server):
    queue("a")
    queue("b")
    mail.send_pending(mail_config(app, smtp_server.port))

    counts = mail.send_pending(mail_config(app, smtp_server.port))

    assert counts["sent"] == 0
    assert len(smtp_server.handler.messages) == 2


def test_an_email_stays_pending_with_the_error_when_the_mail_server_is_down(app):
    queue("a")

    counts = mail.send_pending(mail_config(app, free_port()))

    assert counts["failed"] == 1
    pending = message("a")
    assert pending.status == PENDING
    assert pending.attempts == 1
    assert pending.last_error
    assert pending.sent_at is None


def test_an_email_that_failed_is_delivered_once_the_mail_server_is_back(app, smtp_server):
    queue("a", to="aisha@example.org")
    mail.send_pending(mail_config(app, free_port()))

    mail.send_pending(mail_config(app, smtp_server.port), now=utcnow() + mail.retry_delay(1))

    delivered = message("a")
    assert delivered.status == SENT
    assert delivered.attempts == 2
    assert delivered.last_error is None
    assert [m["To"] for m in smtp_server.handler.messages] == ["aisha@example.org"]


def test_an_email_is_given_up_after_five_failed_attempts(app):
    queue("a")
    down = mail_config(app, free_port())

    for attempt in range(mail.MAX_ATTEMPTS):
        mail.send_pending(down, now=utcnow() + timedelta(hours=attempt))

    given_up = message("a")
    assert given_up.status == FAILED
    assert given_up.attempts == mail.MAX_ATTEMPTS


def test_a_failed_email_waits_for_its_backoff_before_it_is_tried_again(app, smtp_server):
    queue("a", to="aisha@example.org")
    mail.send_pending(mail_config(app, free_port()))

    too_soon = mail.send_pending(mail_config(app, smtp_server.port))
    assert too_soon == {"sent": 0, "failed": 0, "skipped": 0}
    assert message("a").status == PENDING and smtp_server.handler.messages == []

    later = mail.send_pending(mail_config(app, smtp_server.port), now=utcnow() + mail.retry_delay(1))
    assert later["sent"] == 1
    assert message("a").status == SENT


def test_the_backoff_doubles_with_each_failed_attempt():
    assert [mail.retry_delay(n) for n in (1, 2, 3)] == [mail.RETRY_AFTER, mail.RETRY_AFTER * 2, mail.RETRY_AFTER * 4]


def test_without_a_mail_server_nothing_is_sent_and_emails_stay_pending(app, smtp_server):
    queue("a")

    counts = mail.send_pending(mail_config(app, smtp_server.port, server=""))

    assert counts == {"sent": 0, "failed": 0, "skipped": 0}
    waiting = message("a")
    assert (waiting.status, waiting.attempts) == (PENDING, 0)
    assert smtp_server.handler.messages == []


def test_a_message_that_cannot_be_built_does_not_stop_the_others(app, smtp_server):
    queue("bad", to="broken@example.org", subject="Line one\nLine two", body="A header with a newline.")
    queue("good", to="aisha@example.org", subject="Fine", body="This one is fine.")

    counts = mail.send_pending(mail_config(app, smtp_server.port))

    assert counts["sent"] == 1 and counts["failed"] == 1
    assert message("bad").status == "pending" and message("bad").last_error
    assert message("good").status == "sent"


def test_a_message_left_sending_by_a_dead_sender_is_sent_later(app, smtp_server):
    from datetime import timedelta

    from grants.models.base import utcnow

    queue("stuck", to="aisha@example.org", subject="Stuck", body="Left behind.")
    stuck = message("stuck")
    stuck.status, stuck.claimed_at = "sending", utcnow() - timedelta(hours=1)
    db.session.commit()

    mail.send_pending(mail_config(app, smtp_server.port))

    assert message("stuck").status == "sent"
