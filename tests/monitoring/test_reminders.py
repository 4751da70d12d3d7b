"""Return reminders go on the plan's working days, in plain words, to the right people, once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import OutboxMessage
from grants.models.monitoring import Reminder
from grants.monitoring import pausing
from grants.monitoring.reminders import due_reminders, run_pass
from grants.monitoring.schedule import ScheduleProblem
from tests.factories import OrganisationFactory, member_of, staff_user
from tests.monitoring.helpers import audit_rows, due_return, emails_to, programme_with_plan
from tests.statements import counting_selects

DUE = date(2024, 10, 28)  # a Monday


@pytest.fixture
def programme():
    return programme_with_plan("mscf")


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Calder Valley Boxing Club CIC")
    member_of(organisation, email="chair@calder.example")
    member_of(organisation, email="treasurer@calder.example")
    return organisation


def rules_on(today: date) -> list[tuple[int, str]]:
    return [(d.facts.return_id, d.rule.key) for d in due_reminders(today)]


def test_reminders_fall_on_the_plans_working_days_before_on_and_after_the_due_date(programme, organisation):
    ret = due_return(programme, DUE, organisation=organisation)

    fired = {day: [key for _, key in rules_on(day)] for day in (date(2024, 10, 1) + _days(n) for n in range(60))}

    assert {day: keys for day, keys in fired.items() if keys} == {
        date(2024, 10, 8): ["due_in_14"],
        date(2024, 10, 23): ["due_in_3"],
        date(2024, 10, 28): ["due_today"],
        date(2024, 10, 29): ["overdue"],
        date(2024, 11, 5): ["overdue"],
        date(2024, 11, 12): ["overdue"],
        date(2024, 11, 15): ["escalate_officers"],
        date(2024, 11, 19): ["overdue"],
        date(2024, 11, 26): ["overdue"],
    }
    assert ret.id


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


def test_working_days_skip_bank_holidays(programme, organisation):
    due_return(programme, date(2025, 4, 30), organisation=organisation)  # after Good Friday and Easter Monday

    assert [key for _, key in rules_on(date(2025, 4, 8))] == ["due_in_14"]
    assert [key for _, key in rules_on(date(2025, 4, 25))] == ["due_in_3"]
    assert rules_on(date(2025, 4, 9)) == []


def test_no_reminder_goes_on_a_weekend_or_bank_holiday(programme, organisation):
    due_return(programme, date(2024, 12, 27), organisation=organisation)

    assert rules_on(date(2024, 12, 25)) == []  # Christmas Day
    assert rules_on(date(2024, 12, 28)) == []  # a Saturday


def test_the_organisations_members_get_one_email_each_naming_the_return_the_grant_and_the_due_date(
    programme, organisation
):
    ret = due_return(programme, DUE, organisation=organisation)

    result = run_pass(date(2024, 10, 8))

    assert (result.reminders, result.queued) == (1, 2)
    for address in ("chair@calder.example", "treasurer@calder.example"):
        (email,) = emails_to(address)
        assert email.subject == "Your 6-month progress report for MSCF-R3-0042 is due on 28 October 2024"
        assert "in 14 working days" in email.body
        assert f"/returns/{ret.id}" in email.body
        assert email.idempotency_key == f"reminder:{ret.id}:due_in_14:2024-10-08:{address}"
    (reminder,) = db.session.scalars(select(Reminder).where(Reminder.monitoring_return_id == ret.id))
    assert (reminder.rule, reminder.on_date, reminder.audience, reminder.recipients) == (
        "due_in_14",
        date(2024, 10, 8),
        "organisation",
        2,
    )


def test_a_late_return_is_said_to_have_been_due(programme, organisation):
    due_return(programme, DUE, organisation=organisation, state="overdue")

    run_pass(date(2024, 11, 5))

    (email,) = emails_to("chair@calder.example")
    assert email.subject == "Your 6-month progress report for MSCF-R3-0042 was due on 28 October 2024"
    assert "6 working days late" in email.body


def test_a_second_pass_the_same_day_queues_nothing(programme, organisation):
    due_return(programme, DUE, organisation=organisation)
    run_pass(date(2024, 10, 8))
    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    again = run_pass(date(2024, 10, 8))

    assert (again.found, again.reminders, again.queued) == (1, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_escalations_go_to_the_programmes_officers_then_to_the_programme_lead(programme, organisation):
    officer = staff_user("officer", programme, email="officer@wypcc.example")
    everywhere = staff_user("officer", None, email="all@wypcc.example")
    staff_user("officer", programme_with_plan("vru"), email="vru@wypcc.example")
    lead = staff_user("admin", programme, email="lead@wypcc.example")
    programme.lead_user_id = lead.id
    db.session.commit()
    due_return(programme, DUE, organisation=organisation, state="overdue")

    run_pass(date(2024, 11, 15))  # 14 working days overdue
    run_pass(date(2024, 12, 5))  # 28 working days overdue

    for address in (officer.email, everywhere.email):
        (email,) = emails_to(address)
        assert email.subject == "MSCF-R3-0042's 6-month progress report is 14 working days overdue"
        assert "Calder Valley Boxing Club CIC has not sent" in email.body
    assert emails_to("vru@wypcc.example") == []
    (to_lead,) = emails_to(lead.email)
    assert to_lead.subject == "MSCF-R3-0042's 6-month progress report is 28 working days overdue"


@pytest.mark.parametrize("state", ["submitted", "accepted", "waived"])
def test_a_return_sent_accepted_or_waived_gets_no_reminder(programme, organisation, state):
    due_return(programme, DUE, organisation=organisation, state=state)

    assert run_pass(date(2024, 10, 29)).found == 0


def test_paused_reminders_are_not_sent_until_resumed_and_both_are_audited(programme, organisation):
    ret = due_return(programme, DUE, organisation=organisation)
    officer = staff_user("officer", programme)

    pausing.pause(officer, ret, "Agreed a later date by phone", ret.version_id)
    assert run_pass(date(2024, 10, 8)).found == 0
    pausing.resume(officer, ret, "", ret.version_id)

    assert run_pass(date(2024, 10, 8)).queued == 2
    assert [row.reason for row in audit_rows(ret, "reminders_paused")] == ["Agreed a later date by phone"]
    assert len(audit_rows(ret, "reminders_resumed")) == 1


def test_pausing_needs_a_reason(programme, organisation):
    ret = due_return(programme, DUE, organisation=organisation)

    with pytest.raises(ScheduleProblem, match="Enter why reminders are being paused"):
        pausing.pause(staff_user("officer", programme), ret, "  ", ret.version_id)


def test_finding_what_is_due_takes_the_same_queries_for_one_return_or_many(programme, organisation):
    due_return(programme, DUE, organisation=organisation)
    with counting_selects() as few:
        assert len(due_reminders(date(2024, 10, 8))) == 1
    for n in range(30):
        due_return(programme, DUE, organisation=organisation, reference=f"MSCF-R3-{n:04d}")
    with counting_selects() as many:
        assert len(due_reminders(date(2024, 10, 8))) == 31

    assert len(many) == len(few) == 2


def test_the_pass_writes_each_email_as_the_single_reminder_email_would(app, programme, organisation):
    from grants.monitoring.emails import ReminderWriter, ReturnFacts, reminder_email

    facts = ReturnFacts(7, "6-month progress report", "MSCF-R3-0042", "Gloves Not Knives", "Calder CIC", DUE)
    writer = ReminderWriter()

    for audience in ("organisation", "officers", "lead"):
        for days in (-14, -1, 0, 1, 14):
            assert writer.email(audience, facts, days) == reminder_email(audience, facts, days), (audience, days)


def test_a_pass_takes_the_same_statements_for_one_reminder_or_many_to_every_audience(programme, organisation):
    due_return(programme, DUE, organisation=organisation)
    with counting_selects() as few:
        assert run_pass(date(2024, 10, 8)).queued == 2  # one reminder, to the organisation's two members
    staff_user("officer", programme)
    for n in range(30):
        due_return(programme, date(2024, 10, 7), organisation=organisation, reference=f"MSCF-R3-{n:04d}")
    for n in range(30):
        due_return(programme, date(2024, 10, 30), organisation=organisation, reference=f"MSCF-R3-1{n:03d}")
    with counting_selects() as many:
        result = run_pass(date(2024, 10, 25))  # 14 working days late for 30, due in 3 for 30

    assert result.by_rule == {"escalate_officers": 30, "due_in_3": 30}
    assert len(many) == len(few)
