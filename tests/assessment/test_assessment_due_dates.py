"""A round's assessment due date: officers set it, assessors are emailed it, and an officer's
Your work counts the assessments past it, each count linking to a list of the same assessments."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from grants.assessment.assigning import tell_assessors
from grants.extensions import db
from grants.models import AuditEvent, OutboxMessage, Round
from tests.factories import (
    AssessmentFactory,
    ProgrammeFactory,
    RoundFactory,
    UserFactory,
    staff_user,
)
from tests.fixtures import post_form
from tests.statements import counting_selects

TODAY = datetime.now(UTC).date()


@pytest.fixture
def round_():
    return RoundFactory(
        code="MSCF-R8", title="Safer Communities Round 8", state="closed", decision_on=date(2027, 2, 14)
    )


@pytest.fixture
def officer(round_, sign_in):
    user = staff_user("officer", round_.programme)
    sign_in(user)
    return user


def url(round_) -> str:
    return f"/assessing/rounds/{round_.code}/due-date"


def set_date(client, round_, day: str, month: str, year: str, version: str | None = None):
    data = {"assessment_due_on-day": day, "assessment_due_on-month": month, "assessment_due_on-year": year}
    if version is None:
        found = re.search(r'name="version_id"[^>]*value="(\d+)"', client.get(url(round_)).get_data(as_text=True))
        assert found
        version = found.group(1)
    return post_form(client, url(round_), {**data, "version_id": version})


def due_of(round_) -> date | None:
    db.session.expire_all()
    return db.session.get(Round, round_.id).assessment_due_on


# -- setting it -----------------------------------------------------------------------------------
def test_an_officer_sets_the_assessment_due_date_from_the_rounds_tasks_and_it_is_audited(client, round_, officer):
    tasks = client.get(f"/assessing/rounds/{round_.code}").get_data(as_text=True)
    assert f'href="{url(round_)}"' in tasks and "Not set" in tasks

    response = set_date(client, round_, "31", "jan", "2027")

    assert response.status_code == 302
    assert due_of(round_) == date(2027, 1, 31)
    assert "31 January 2027" in client.get(f"/assessing/rounds/{round_.code}").get_data(as_text=True)
    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "assessment_due_date_set")).one()
    assert (audited.subject_reference, audited.to_state) == ("MSCF-R8", "31 January 2027")


def test_a_due_date_after_the_decision_date_is_refused_naming_it_and_keeping_what_was_typed(client, round_, officer):
    response = set_date(client, round_, "15", "2", "2027")

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The assessment due date must be on or before the decision date (14 February 2027)" in html
    assert "govuk-error-summary" in html and 'href="#assessment_due_on-day"' in html
    assert 'value="15"' in html and 'value="2027"' in html
    assert due_of(round_) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("", "", ""), "Enter the assessment due date"),
        (("30", "", "2027"), "The assessment due date must include a month"),
        (("30", "2", "2027"), "The assessment due date must be a real date"),
        (("\x00", "1", "2027"), "The assessment due date must include a day"),
        (("1", "1", "99999999999999999999"), "The assessment due date must be a real date"),
        (("1", "1" * 5000, "2027"), "The assessment due date must be a real date"),
    ],
)
def test_a_date_that_is_not_real_is_refused_with_what_is_wrong(client, round_, officer, typed, message):
    response = set_date(client, round_, *typed)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert due_of(round_) is None


def test_a_due_date_saved_by_someone_else_meanwhile_is_not_overwritten(client, round_, officer):
    stale = re.search(r'name="version_id"[^>]*value="(\d+)"', client.get(url(round_)).get_data(as_text=True))
    assert stale
    round_.guidance = "Changed by someone else."
    db.session.commit()

    response = set_date(client, round_, "1", "2", "2027", version=stale.group(1))

    assert response.status_code == 409
    assert "Someone else changed this round" in response.get_data(as_text=True)
    assert due_of(round_) is None


def test_a_round_on_another_programme_has_no_due_date_page(client, officer):
    other = RoundFactory(programme=ProgrammeFactory(code="VRU"), code="VRU-R1")

    assert client.get(url(other)).status_code == 404


# -- the email ------------------------------------------------------------------------------------
def test_assessors_are_emailed_the_assessment_due_date_when_the_round_has_one(app, round_):
    round_.assessment_due_on = date(2027, 1, 31)
    assessor = UserFactory(email="anna@example.org")
    db.session.commit()

    tell_assessors(round_, {assessor.id: ["MSCF-R8-0001", "MSCF-R8-0002"]}, datetime.now(UTC))

    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "anna@example.org")).one()
    assert sent.subject == "2 bids to score for Safer Communities Round 8 by 31 January 2027"


# -- Assessments overdue --------------------------------------------------------------------------
def _row(page: str, key: str) -> str:
    start = page.index(f'id="queue-{key}"')
    return page[start : page.index("</tr>", start)]


def test_an_officers_assessments_overdue_count_matches_the_list_it_links_to(client, round_, sign_in):
    round_.assessment_due_on = TODAY - timedelta(days=3)
    in_time = RoundFactory(programme=round_.programme, assessment_due_on=TODAY + timedelta(days=3))
    no_date = RoundFactory(programme=round_.programme)
    elsewhere = RoundFactory(programme=ProgrammeFactory(code="VRU"), assessment_due_on=TODAY - timedelta(days=3))
    db.session.commit()
    late = [
        AssessmentFactory(application__round=round_, state="assigned"),
        AssessmentFactory(application__round=round_, state="scoring"),
    ]
    AssessmentFactory(application__round=round_, state="submitted")  # done in time
    AssessmentFactory(application__round=round_, state="withdrawn")  # taken away
    AssessmentFactory(application__round=in_time, state="scoring")  # still has time
    AssessmentFactory(application__round=no_date, state="scoring")  # no date to be late for
    AssessmentFactory(application__round=elsewhere, state="scoring")  # another programme's
    sign_in(staff_user("officer", round_.programme))

    work = client.get("/work/").get_data(as_text=True)
    row = _row(work, "assessments_overdue")
    listed = client.get("/assessing/overdue").get_data(as_text=True)

    assert "Assessments overdue" in row and ">2<" in row.replace("<strong>", "").replace("</strong>", "")
    assert 'href="/assessing/overdue"' in row
    references = set(re.findall(r'href="/cases/assessment/\d+">([^<]+)</a>', listed))
    assert references == {a.application.reference for a in late}
    assert "3 days late" in listed


def test_the_overdue_list_reads_the_same_number_of_statements_however_many(client, round_, sign_in):
    round_.assessment_due_on = TODAY - timedelta(days=1)
    db.session.commit()
    sign_in(staff_user("officer", round_.programme))

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/assessing/overdue").status_code == 200
        return len(seen)

    AssessmentFactory.create_batch(2, application__round=round_, state="scoring")
    few = statements()
    AssessmentFactory.create_batch(12, application__round=round_, state="assigned")
    many = statements()

    assert few == many


def test_the_officer_is_told_when_no_assessment_is_overdue(client, officer):
    assert "No assessments are overdue" in client.get("/assessing/overdue").get_data(as_text=True)
