"""An officer's forms on one return: "Move the due date" (a new date and a reason, each problem on
its field, what was typed kept, a later date reopening an overdue return, a conflict when the return
changed meanwhile) and "Pause reminders" / "Resume reminders" with a reason. Only the programme's
officers and admins: other staff who see the return are refused, anyone else gets "not found"."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from grants.extensions import db
from grants.models import MonitoringReturn, RoleGrant
from grants.monitoring import pausing
from tests.admin.helpers import browser_for, inline_error, text_of
from tests.factories import UserFactory, member_of, staff_user
from tests.fixtures import post_form
from tests.monitoring.helpers import audit_rows, due_return, programme_with_plan

DUE = date(2024, 10, 28)
TODAY = datetime.now(UTC).date()


@pytest.fixture
def programme():
    return programme_with_plan("mscf")


@pytest.fixture
def a_return(programme):
    return due_return(
        programme,
        DUE,
        state="open",
        period_starts_on=date(2024, 4, 1),
        period_ends_on=date(2024, 9, 30),
        opens_on=date(2024, 9, 30),
    )


@pytest.fixture
def officer(app, programme):
    return browser_for(app, staff_user("officer", programme, name="Olu Officer", email="olu@example.org"))


def url(r, what: str = "due-date") -> str:
    return f"/monitoring/returns/{r.id}/{what}"


def move(browser, r, day: str, month: str, year: str, reason: str, version=None, form_page=None):
    data = {
        "due_date-day": day,
        "due_date-month": month,
        "due_date-year": year,
        "reason": reason,
        "version_id": str(r.version_id if version is None else version),
    }
    return post_form(browser, url(r), data, form_page=form_page)


def saved(r) -> MonitoringReturn:
    db.session.expire_all()
    return db.session.get(MonitoringReturn, r.id)


def test_the_move_page_shows_the_return_and_links_back_to_its_review_page(officer, a_return):
    page = text_of(officer.get(url(a_return)))

    assert "Move the due date" in page
    assert "6-month progress report" in page and "MSCF-R3-0042" in page
    assert "28 October 2024" in page
    assert f'href="/monitoring/returns/{a_return.id}"' in page


def test_an_officer_moves_the_due_date_with_a_month_typed_as_a_word(officer, a_return):
    response = move(officer, a_return, "11", "November", "2024", "  Treasurer in hospital  ")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/monitoring/returns/{a_return.id}")
    assert saved(a_return).due_date == date(2024, 11, 11)
    (row,) = audit_rows(a_return, "due_date_moved")
    assert row.data == {"from": "2024-10-28", "to": "2024-11-11", "reason": "Treasurer in hospital"}
    page = text_of(officer.get(f"/monitoring/returns/{a_return.id}"))
    assert "The due date is now 11 November 2024 (it was 28 October 2024)." in page


@pytest.mark.parametrize(
    ("parts", "reason", "field", "message"),
    [
        (("", "", ""), "Late", "due_date", "Enter the new due date"),
        (("11", "", "2024"), "Late", "due_date", "The new due date must include a month"),
        (("31", "2", "2025"), "Late", "due_date", "The new due date must be a real date"),
        (("11", "Novembre", "2024"), "Late", "due_date", "The new due date must be a real date"),
        (("1", "9", "2024"), "Late", "due_date", "must be after the period ends (30 September 2024)"),
        (("28", "10", "2024"), "Late", "due_date", "the same as the current one"),
        (("11", "11", "2024"), "   ", "reason", "Enter why the due date is moving"),
    ],
)
def test_a_move_that_makes_no_sense_says_what_is_wrong_on_the_field_and_keeps_what_was_typed(
    officer, a_return, parts, reason, field, message
):
    response = move(officer, a_return, *parts, reason)

    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in inline_error(page, field)
    for part, name in zip(parts, ("day", "month", "year"), strict=True):
        assert re.search(rf'name="due_date-{name}" type="text"[^>]*value="{re.escape(part)}"', page) or not part
    assert saved(a_return).due_date == DUE
    assert audit_rows(a_return, "due_date_moved") == []


def test_both_a_missing_date_and_a_missing_reason_are_said_at_once(officer, a_return):
    page = text_of(move(officer, a_return, "", "", "", ""))

    assert inline_error(page, "due_date") == "Enter the new due date"
    assert inline_error(page, "reason") == "Enter why the due date is moving"


def test_a_move_after_someone_else_changed_the_return_shows_the_conflict_and_keeps_what_was_typed(
    app, officer, a_return
):
    version = a_return.version_id
    other = staff_user("officer", a_return.award.programme)
    pausing.pause(other, a_return, "On holiday", version)

    response = move(officer, a_return, "11", "11", "2024", "Agreed by phone", version=version)

    page = text_of(response)
    assert response.status_code == 409
    assert "Someone else changed this return while you were editing" in page
    assert "Agreed by phone" in page and 'value="11"' in page
    assert "On holiday" in page  # the return as it is now
    assert saved(a_return).due_date == DUE


def test_a_later_due_date_reopens_an_overdue_return(officer, programme):
    late = due_return(
        programme,
        TODAY - timedelta(days=10),
        state="overdue",
        period_starts_on=TODAY - timedelta(days=200),
        period_ends_on=TODAY - timedelta(days=40),
    )
    assert "A new due date of today or later opens it again" in text_of(officer.get(url(late)))
    new = TODAY + timedelta(days=14)

    response = move(officer, late, str(new.day), str(new.month), str(new.year), "Agreed a fortnight more")

    assert response.status_code == 302
    assert (saved(late).state, saved(late).due_date) == ("open", new)
    (reopened,) = audit_rows(late, "reopen")
    assert (reopened.from_state, reopened.to_state, reopened.reason) == ("overdue", "open", "Agreed a fortnight more")
    assert "The return is open again for the organisation." in text_of(officer.get(f"/monitoring/returns/{late.id}"))


def test_a_sent_return_has_no_due_date_to_move(officer, programme, a_return):
    sent = due_return(programme, DUE, state="submitted", period_ends_on=date(2024, 9, 30), award=a_return.award)

    assert "its due date can no longer move" in text_of(officer.get(url(sent)))
    response = move(officer, sent, "11", "11", "2024", "Late", form_page=url(a_return))
    assert "its due date can no longer move" in text_of(response)
    assert saved(sent).due_date == DUE


def test_an_officer_pauses_then_resumes_reminders_with_a_reason(officer, a_return):
    page = text_of(officer.get(url(a_return, "reminders")))
    assert "Pause reminders" in page and "Sent as the plan says" in page

    response = post_form(
        officer, url(a_return, "reminders"), {"action": "pause", "reason": "Chair is ill", "version_id": "1"}
    )

    assert response.status_code == 302
    assert saved(a_return).reminders_paused_reason == "Chair is ill"
    page = text_of(officer.get(url(a_return, "reminders")))
    assert "Resume reminders" in page and "Olu Officer: Chair is ill" in page
    version = saved(a_return).version_id
    response = post_form(
        officer, url(a_return, "reminders"), {"action": "resume", "reason": "", "version_id": str(version)}
    )
    assert response.status_code == 302
    assert saved(a_return).reminders_paused_at is None
    assert [len(audit_rows(a_return, a)) for a in ("reminders_paused", "reminders_resumed")] == [1, 1]


def test_pausing_without_a_reason_says_so_on_the_field(officer, a_return):
    response = post_form(officer, url(a_return, "reminders"), {"action": "pause", "reason": "  ", "version_id": "1"})

    page = text_of(response)
    assert inline_error(page, "reason") == "Enter why reminders are being paused"
    assert saved(a_return).reminders_paused_at is None


def test_pausing_a_return_someone_else_paused_meanwhile_is_a_conflict(officer, a_return):
    pausing.pause(staff_user("officer", a_return.award.programme), a_return, "On holiday", a_return.version_id)

    response = post_form(officer, url(a_return, "reminders"), {"action": "pause", "reason": "Ill", "version_id": "1"})

    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed this return" in page and "Resume reminders" in page
    assert saved(a_return).reminders_paused_reason == "On holiday"


def test_only_the_programmes_officers_and_admins_use_these_forms(app, programme, a_return):
    admin = browser_for(app, staff_user("admin", programme, email="admin@example.org"))
    finance = browser_for(app, staff_user("finance", programme, email="fin@example.org"))
    elsewhere = browser_for(app, staff_user("officer", programme_with_plan("vru"), email="vru@example.org"))
    assessor_user = UserFactory(email="assessor@example.org")
    db.session.add(RoleGrant(user_id=assessor_user.id, role="assessor", programme_id=programme.id))
    db.session.commit()
    assessor = browser_for(app, assessor_user)
    grantee = browser_for(app, member_of(a_return.award.organisation, email="chair@calder.example"))

    for what in ("due-date", "reminders"):
        assert admin.get(url(a_return, what)).status_code == 200
        assert finance.get(url(a_return, what)).status_code == 403
        assert elsewhere.get(url(a_return, what)).status_code == 404
        assert assessor.get(url(a_return, what)).status_code == 403
        assert grantee.get(url(a_return, what)).status_code == 403
        assert admin.get(f"/monitoring/returns/{a_return.id + 999}/{what}").status_code == 404


def test_the_return_page_links_to_moving_its_due_date_and_pausing_its_reminders(officer, a_return):
    page = officer.get(f"/monitoring/returns/{a_return.id}").get_data(as_text=True)

    assert f'href="/monitoring/returns/{a_return.id}/due-date"' in page
    assert f'href="/monitoring/returns/{a_return.id}/reminders"' in page
