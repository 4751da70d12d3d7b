"""Officers review a monitoring return: what it says, its figures against targets, and accepting it,
asking for changes, recording it for the grantee or waiving it; accepting releases tied instalments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, MonitoringReturn, ReturnMetric, ReturnSection
from tests.factories import (
    AwardFactory,
    DocumentFactory,
    PaymentFactory,
    ProgrammeFactory,
    QuestionSetFactory,
    ReturnFactory,
    member_of,
    staff_user,
)
from tests.fixtures import csrf_token, post_form

FORM = {
    "name": "review-test-progress",
    "version": 1,
    "title": "Progress report",
    "sections": [
        {
            "key": "delivery",
            "title": "What you delivered",
            "questions": [
                {"key": "people_reached", "label": "How many people did you reach?", "type": "number"},
                {"key": "story", "label": "Tell us one person's story", "type": "textarea"},
            ],
        }
    ],
}


@pytest.fixture
def programme():
    return ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")


@pytest.fixture
def officer(programme):
    return staff_user("officer", programme, name="Olive Officer")


def submitted_return(programme, **kwargs):
    award = kwargs.pop("award", None) or AwardFactory(
        programme=programme, public_reference="MSCF-R3-0042", state="active", amount_pence=1_000_000
    )
    question_set = QuestionSetFactory(name="review-test-progress", title="Progress report", definition=FORM)
    found = ReturnFactory(
        award=award,
        period_label="6 months",
        workflow_version=2,
        state=kwargs.pop("state", "submitted"),
        question_set=question_set,
        submitted_at=datetime.now(UTC) - timedelta(days=1),
        spend_to_date_pence=450_000,
        **kwargs,
    )
    db.session.add(
        ReturnSection(
            monitoring_return_id=found.id,
            section_key="delivery",
            answers={"values": {"people_reached": 130, "story": "A young man found work."}},
            status="completed",
        )
    )
    db.session.add(ReturnMetric(monitoring_return_id=found.id, metric="people_reached", value=130))
    db.session.commit()
    return found


def test_the_officer_sees_the_returns_facts_answers_figures_and_actions(client, sign_in, programme, officer):
    found = submitted_return(programme)
    DocumentFactory(
        application=None, monitoring_return_id=found.id, question_key="evidence", original_name="photos.pdf"
    )
    client = sign_in(officer)
    post_form(
        client,
        f"/monitoring/awards/{found.award_id}/targets",
        {"metric": "people_reached", "period_label": "6 months", "baseline": "20", "target": "100"},
    )

    page = client.get(f"/monitoring/returns/{found.id}").get_data(as_text=True)

    assert "MSCF-R3-0042" in page and "6 months" in page
    assert "Tell us one person&#39;s story" in page and "A young man found work." in page
    assert "photos.pdf" in page
    assert "130 of 100 (130%)" in page  # actual against target
    assert "£4,500.00 of £10,000.00" in page
    for label in ("Accept the return", "Ask for changes"):
        assert label in page


@pytest.mark.parametrize("role", ["finance", "decision_maker", "admin"])
def test_other_staff_on_the_programme_read_the_return_but_cannot_act(client, sign_in, programme, role):
    found = submitted_return(programme)
    client = sign_in(staff_user(role, programme))

    page = client.get(f"/monitoring/returns/{found.id}")

    assert page.status_code == 200
    assert "There is nothing for you to do on this return now." in page.get_data(as_text=True)
    token = csrf_token(client, "/sign-out")  # any page with a form; the token is per session
    refused = client.post(
        f"/monitoring/returns/{found.id}/accept", data={"csrf_token": token, "version_id": str(found.version_id)}
    )
    assert refused.status_code == 403
    assert db.session.get(MonitoringReturn, found.id).state == "submitted"


def test_staff_of_another_programme_an_assessor_and_a_grantee_cannot_see_the_return(client, sign_in, programme):
    found = submitted_return(programme)
    other = ProgrammeFactory(code="VRU", name="Violence Reduction Unit")

    assert sign_in(staff_user("officer", other)).get(f"/monitoring/returns/{found.id}").status_code == 404
    assert sign_in(staff_user("assessor", programme)).get(f"/monitoring/returns/{found.id}").status_code == 403
    member = member_of(found.award.organisation)
    assert sign_in(member).get(f"/monitoring/returns/{found.id}").status_code == 403


def test_accepting_a_return_is_audited_and_tells_the_grantee(client, sign_in, programme, officer):
    found = submitted_return(programme)
    client = sign_in(officer)

    response = post_form(
        client,
        f"/monitoring/returns/{found.id}/accept",
        {"version_id": str(found.version_id)},
        form_page=f"/monitoring/returns/{found.id}",
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "Accept the return: done." in page and "is now accepted" in page
    db.session.expire_all()
    found = db.session.get(MonitoringReturn, found.id)
    assert found.state == "accepted" and found.reviewed_by_id == officer.id
    assert "Olive Officer" in page


def test_asking_for_changes_needs_the_comment_and_shows_it(client, sign_in, programme, officer):
    found = submitted_return(programme)
    client = sign_in(officer)
    url = f"/monitoring/returns/{found.id}"

    empty = post_form(
        client, f"{url}/request_changes", {"version_id": str(found.version_id), "reason": "   "}, form_page=url
    )
    assert empty.status_code == 400
    assert "Enter what the grantee needs to change" in empty.get_data(as_text=True)
    assert db.session.get(MonitoringReturn, found.id).state == "submitted"

    done = post_form(
        client,
        f"{url}/request_changes",
        {"version_id": str(found.version_id), "reason": "Add the spend per budget line."},
        form_page=url,
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert "is now changes requested" in page
    assert "Add the spend per budget line." in page
    db.session.expire_all()
    assert db.session.get(MonitoringReturn, found.id).review_comment == "Add the spend per budget line."
    grantee = sign_in(member_of(found.award.organisation)).get("/grants").get_data(as_text=True)
    assert "Changes asked for: Add the spend per budget line." in grantee


def test_recording_a_return_for_the_grantee_needs_the_evidence(client, sign_in, programme, officer):
    found = submitted_return(programme, state="overdue")
    client = sign_in(officer)
    url = f"/monitoring/returns/{found.id}"

    empty = post_form(
        client, f"{url}/record_on_behalf", {"version_id": str(found.version_id), "reason": ""}, form_page=url
    )
    assert "Enter the evidence you received and how it came" in empty.get_data(as_text=True)

    post_form(
        client,
        f"{url}/record_on_behalf",
        {"version_id": str(found.version_id), "reason": "Report emailed by the treasurer on 3 May."},
        form_page=url,
    )
    db.session.expire_all()
    found = db.session.get(MonitoringReturn, found.id)
    assert found.state == "submitted" and found.recorded_by_id == officer.id
    assert found.evidence_note == "Report emailed by the treasurer on 3 May."


def test_waiving_needs_a_reason_and_keeps_what_was_typed(client, sign_in, programme, officer):
    found = submitted_return(programme, state="open")
    client = sign_in(officer)
    url = f"/monitoring/returns/{found.id}"

    typed = "x" * 5001
    too_long = post_form(client, f"{url}/waive", {"version_id": str(found.version_id), "reason": typed}, form_page=url)
    assert too_long.status_code == 400 and typed in too_long.get_data(as_text=True)

    post_form(client, f"{url}/waive", {"version_id": str(found.version_id), "reason": "Project paused."}, form_page=url)
    db.session.expire_all()
    assert db.session.get(MonitoringReturn, found.id).state == "waived"
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "return", AuditEvent.subject_id == found.id)
        .order_by(AuditEvent.id.desc())
    )
    assert event.to_state == "waived" and event.reason == "Project paused."


def test_two_officers_reviewing_at_once_one_wins_and_the_other_sees_the_conflict(client, sign_in, programme, officer):
    found = submitted_return(programme)
    version = str(found.version_id)
    client = sign_in(officer)
    url = f"/monitoring/returns/{found.id}"
    token = csrf_token(client, url)

    first = client.post(f"{url}/accept", data={"csrf_token": token, "version_id": version})
    second = client.post(
        f"{url}/request_changes",
        data={"csrf_token": token, "version_id": version, "reason": "Please add the case study."},
    )

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Someone else changed this return" in page and "It is now <strong>accepted</strong>" in page
    assert "Please add the case study." in page  # what they typed is shown, not lost
    db.session.expire_all()
    found = db.session.get(MonitoringReturn, found.id)
    assert found.state == "accepted" and found.review_comment is None


def test_accepting_the_return_makes_its_instalment_approvable_for_finance(client, sign_in, programme, officer):
    found = submitted_return(programme)
    payment = PaymentFactory(
        award=found.award, amount_pence=500_000, monitoring_return_id=found.id, due_on=date.today()
    )
    finance = staff_user("finance", programme)
    payment_url = f"/payments/{payment.id}"

    client = sign_in(finance)
    refused = post_form(
        client, f"{payment_url}/approve", {"version_id": str(payment.version_id)}, form_page=payment_url
    )
    assert refused.status_code == 400
    assert "waits for the monitoring return 6 months" in refused.get_data(as_text=True)
    assert db.session.get(type(payment), payment.id).state == "scheduled"

    client = sign_in(officer)
    post_form(
        client,
        f"/monitoring/returns/{found.id}/accept",
        {"version_id": str(found.version_id)},
        form_page=f"/monitoring/returns/{found.id}",
    )

    client = sign_in(finance)
    db.session.expire_all()
    payment = db.session.get(type(payment), payment.id)
    approved = post_form(
        client, f"{payment_url}/approve", {"version_id": str(payment.version_id)}, form_page=payment_url
    )
    assert approved.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(payment), payment.id).state == "approved"
