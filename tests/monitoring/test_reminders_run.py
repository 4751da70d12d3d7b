"""`grantflow reminders run`: one pass (timers, return and offer reminders, the outbox), its JSON
last line, and a mail server that is down then back: each reminder delivered once."""

from __future__ import annotations

import json
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from grants.extensions import db
from grants.mail import retry_delay, send_pending
from grants.models import OutboxMessage
from grants.models.base import utcnow
from grants.models.outbox import PENDING, SENT
from grants.monitoring.reminders import run_pass
from tests.factories import OrganisationFactory, member_of
from tests.monitoring.helpers import due_return, programme_with_plan
from tests.platform.test_mail import Collector, free_port, mail_config


@pytest.fixture
def overdue_return():
    organisation = OrganisationFactory(name="Calder Valley Boxing Club CIC")
    member_of(organisation, email="chair@calder.example")
    member_of(organisation, email="treasurer@calder.example")
    return due_return(programme_with_plan("mscf"), date(2024, 10, 28), state="open", organisation=organisation)


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_a_pass_moves_the_return_overdue_queues_its_reminders_and_a_second_pass_queues_nothing(app, overdue_return):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["grantflow", "reminders", "run", "--today", "2024-10-29", "--format", "json"])
    second = runner.invoke(args=["grantflow", "reminders", "run", "--today", "2024-10-29", "--format", "json"])

    assert first.exit_code == 0, first.output
    one, two = last_json(first.output), last_json(second.output)
    assert one["fired"] == {"return": 1} and one["total"] == 1
    assert (one["reminders"], one["queued"], one["sent"], one["failed"]) == (1, 2, 0, 0)
    assert "offer_reminders" in one
    assert (two["total"], two["queued"]) == (0, 0)
    db.session.refresh(overdue_return)
    assert overdue_return.state == "overdue"


def test_a_bad_day_is_refused(app):
    result = app.test_cli_runner().invoke(args=["grantflow", "reminders", "run", "--today", "29/10/2024"])

    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output


def test_with_the_mail_server_down_reminders_stay_queued_and_go_once_when_it_is_back(app, overdue_return):
    run_pass(date(2024, 10, 29))
    port = free_port()

    down = send_pending(mail_config(app, port))
    assert (down["sent"], down["failed"]) == (0, 2)
    assert set(db.session.scalars(select(OutboxMessage.status))) == {PENDING}

    handler = Collector()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        later = utcnow() + retry_delay(1)
        back = send_pending(mail_config(app, port), now=later)
        again = send_pending(mail_config(app, port), now=later)
        run_pass(date(2024, 10, 29))
        after_rerun = send_pending(mail_config(app, port), now=later)
    finally:
        server.stop()

    assert (back["sent"], again["sent"], after_rerun["sent"]) == (2, 0, 0)
    assert sorted(r for rcpts in handler.recipients for r in rcpts) == [
        "chair@calder.example",
        "treasurer@calder.example",
    ]
    assert {" ".join(str(m["Subject"]).split()) for m in handler.messages} == {
        "Your 6-month progress report for MSCF-R3-0042 was due on 28 October 2024"
    }
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == SENT)) == 2
