"""Offers not answered after OFFER_REMINDER_DAYS get one reminder email, through the outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from grants.awards.reminders import send_offer_reminders
from grants.scheduling import build_scheduler
from tests.awards.helpers import emails_to, offered_award
from tests.factories import OrganisationFactory, UserFactory, member_of


@pytest.fixture
def reminder_days(app) -> int:
    return app.config["OFFER_REMINDER_DAYS"]


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Holbeck Youth Project")


@pytest.fixture
def members(organisation):
    return [
        member_of(organisation, email="chair@holbeck.example"),
        member_of(organisation, email="sec@holbeck.example"),
    ]


def test_an_offer_waiting_the_reminder_days_gets_one_reminder_per_member(organisation, members, reminder_days):
    award = offered_award(organisation, offered_days_ago=reminder_days, amount_pence=412_310)

    reminded = send_offer_reminders()

    assert reminded == 1
    for address in ("chair@holbeck.example", "sec@holbeck.example"):
        (email,) = emails_to(address)
        assert email.idempotency_key == f"offer-reminder:{award.id}:{address}"
        assert "£4,123.10" in email.body
        assert f"{award.respond_by.day} {award.respond_by:%B %Y}" in email.body
        assert f"/awards/offers/{award.id}" in email.body
        assert "reminder" in email.subject


def test_an_offer_sent_more_recently_gets_no_reminder_yet(organisation, members, reminder_days):
    offered_award(organisation, offered_days_ago=reminder_days - 1)

    assert send_offer_reminders() == 0
    assert emails_to("chair@holbeck.example") == []


def test_the_reminder_goes_once_however_often_the_job_runs(organisation, members, reminder_days):
    offered_award(organisation, offered_days_ago=reminder_days + 2)
    later = datetime.now(UTC) + timedelta(days=5)

    counts = [send_offer_reminders(), send_offer_reminders(), send_offer_reminders(now=later)]

    assert counts == [1, 0, 0]
    assert len(emails_to("chair@holbeck.example")) == 1


@pytest.mark.parametrize("state", ["accepted", "declined", "preparing"])
def test_an_answered_or_unsent_offer_gets_no_reminder(organisation, members, reminder_days, state):
    offered_award(organisation, offered_days_ago=reminder_days + 2, state=state)

    assert send_offer_reminders() == 0
    assert emails_to("chair@holbeck.example") == []


def test_inactive_accounts_and_other_organisations_get_no_reminder(organisation, reminder_days):
    member_of(organisation, email="left@holbeck.example", active=False)
    member_of(OrganisationFactory(), email="elsewhere@example.org")
    UserFactory(email="nobody@example.org")
    offered_award(organisation, offered_days_ago=reminder_days + 2)

    assert send_offer_reminders() == 0  # nobody active to remind
    assert emails_to("left@holbeck.example") == [] and emails_to("elsewhere@example.org") == []


def test_reminders_run_reports_the_offer_reminders_in_its_json(app, organisation, members, reminder_days):
    offered_award(organisation, offered_days_ago=reminder_days + 1)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["grantflow", "reminders", "run", "--format", "json"])
    second = runner.invoke(args=["grantflow", "reminders", "run", "--format", "json"])

    assert first.exit_code == 0, first.output
    assert json.loads(first.output.strip().splitlines()[-1])["offer_reminders"] == 1
    assert json.loads(second.output.strip().splitlines()[-1])["offer_reminders"] == 0
    assert "offer reminders: 1 queued" in first.output


def test_the_scheduler_runs_offer_reminders_every_hour(app):
    scheduler = build_scheduler(app)

    job = scheduler.get_job("offer-reminders")

    assert job is not None
    assert job.trigger.interval == timedelta(hours=1)
