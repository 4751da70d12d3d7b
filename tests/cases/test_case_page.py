"""An officer opens any case: its state, history, what they may do, why not, and the diagram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Application, AuditEvent
from grants.workflow import start_case
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    ContractFactory,
    PaymentFactory,
    ReturnFactory,
    RoundFactory,
    VariationFactory,
    passed_screening,
    staff_user,
)
from tests.fixtures import csrf_token
from tests.statements import counting_selects


def _audit_rows(subject) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject.__audit_type__, AuditEvent.subject_id == subject.id)
            .order_by(AuditEvent.id)
        )
    )


def _apply(client, kind: str, subject, name: str, reason: str = "", version: int | None = None):
    token = csrf_token(client, "/sign-out")  # any page with a form; the token is per session
    return client.post(
        f"/cases/{kind}/{subject.id}/transitions/{name}",
        data={"csrf_token": token, "version_id": subject.version_id if version is None else version, "reason": reason},
    )


@pytest.fixture
def officer(sign_in):
    user = staff_user("officer", name="Priya Sharma")
    sign_in(user)
    return user


@pytest.mark.parametrize(
    ("kind", "factory", "state_label"),
    [
        ("round", RoundFactory, "Open"),
        ("application", lambda: ApplicationFactory(state="submitted"), "Submitted"),
        ("award", AwardFactory, "Accepted"),
        ("payment", PaymentFactory, "Scheduled"),
        ("return", ReturnFactory, "Awaiting return"),
        ("contract", ContractFactory, "Need identified"),
        ("variation", VariationFactory, "Awaiting approval"),
    ],
)
def test_an_officer_sees_the_state_actions_and_diagram_of_every_kind_of_case(
    client, officer, kind, factory, state_label
):
    subject = factory()

    page = client.get(f"/cases/{kind}/{subject.id}")
    html = page.get_data(as_text=True)

    assert page.status_code == 200
    assert subject.reference in html
    assert f'govuk-tag--yellow">{state_label}</strong>' in html
    assert "What you can do" in html
    assert '<pre class="mermaid">' in html and "stateDiagram-v2" in html
    assert f"class {subject.state} current" in html
    assert "States and the steps out of each" in html


def test_the_case_page_shows_the_facts_of_the_case(client, officer):
    application = ApplicationFactory(state="submitted", amount_requested_pence=798_550, project_title="Safe Suppers")

    html = client.get(f"/cases/application/{application.id}").get_data(as_text=True)

    assert "£7,985.50" in html
    assert "Safe Suppers" in html
    assert application.organisation.name in html


def test_the_case_page_shows_who_did_what_when_and_why(client, officer):
    application = ApplicationFactory(state="submitted")
    response = _apply(client, "application", application, "request_information", "Send your latest accounts, please.")
    assert response.status_code == 302

    html = client.get(f"/cases/application/{application.id}").get_data(as_text=True)

    assert "Priya Sharma" in html
    assert "Submitted → More information requested" in html
    assert "Send your latest accounts, please." in html


def test_actions_the_officer_may_not_take_are_listed_with_the_reason(client, officer):
    application = ApplicationFactory(state="submitted")

    html = client.get(f"/cases/application/{application.id}").get_data(as_text=True)

    assert "Mark as eligible" in html
    assert "Not available to you now" in html
    assert "<strong>Withdraw application</strong>: Only the applicant can do this." in html


def test_marking_eligible_waits_for_the_screening_checklist(client, officer):
    application = ApplicationFactory(state="submitted")

    page = client.get(f"/cases/application/{application.id}").get_data(as_text=True)
    response = _apply(client, "application", application, "mark_eligible")

    assert "<strong>Mark as eligible</strong>: Complete the screening checklist first." in page
    assert response.status_code == 403
    db.session.refresh(application)
    assert application.state == "submitted"


def test_applying_an_action_changes_the_state_and_writes_one_audit_row(client, officer):
    application = ApplicationFactory(state="submitted")
    passed_screening(application)
    before = len(_audit_rows(application))

    response = _apply(client, "application", application, "mark_eligible")

    assert response.status_code == 302
    db.session.refresh(application)
    assert application.state == "eligible"
    rows = _audit_rows(application)
    assert len(rows) == before + 1
    assert (rows[-1].actor_id, rows[-1].from_state, rows[-1].to_state, rows[-1].action) == (
        officer.id,
        "submitted",
        "eligible",
        "mark_eligible",
    )
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mark as eligible: done." in follow


def test_an_action_for_another_role_is_refused_with_the_reason_and_changes_nothing(client, officer):
    application = ApplicationFactory(state="recommended")
    before = len(_audit_rows(application))

    response = _apply(client, "application", application, "approve")

    assert response.status_code == 403
    assert "Only the decision maker can do this." in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.state == "recommended"
    assert len(_audit_rows(application)) == before


def test_an_action_not_possible_from_the_current_state_is_refused(client, officer):
    application = ApplicationFactory(state="draft")

    response = _apply(client, "application", application, "mark_eligible")

    assert response.status_code == 403
    assert "is not possible while this is draft" in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.state == "draft"


def test_an_action_that_needs_a_reason_asks_for_one_and_changes_nothing(client, officer):
    application = ApplicationFactory(state="submitted")

    response = _apply(client, "application", application, "mark_ineligible", "   ")
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "There is a problem" in html
    assert "Enter a reason to &#39;mark as ineligible&#39;" in html
    assert 'href="#reason-mark_ineligible"' in html
    db.session.refresh(application)
    assert application.state == "submitted"


def test_a_stale_page_gets_a_conflict_showing_the_current_state_and_keeping_the_reason(client, officer):
    application = ApplicationFactory(state="submitted")
    passed_screening(application)
    seen_version = application.version_id
    assert _apply(client, "application", application, "mark_eligible").status_code == 302
    db.session.refresh(application)

    response = _apply(
        client, "application", application, "request_information", "Which districts?", version=seen_version
    )
    html = response.get_data(as_text=True)

    assert response.status_code == 409
    assert "Someone else changed this while you were looking at it" in html
    assert 'govuk-tag--yellow">Eligible</strong>' in html
    db.session.refresh(application)
    assert application.state == "eligible"


def test_an_unknown_case_or_kind_is_not_found(client, officer):
    assert client.get("/cases/application/999999").status_code == 404
    assert client.get("/cases/grants/1").status_code == 404


def test_case_lists_are_paginated_with_the_same_number_of_queries_whatever_the_size(app, client, officer):
    round_ = RoundFactory()

    def statements_for(page_url: str) -> int:
        with counting_selects() as seen:
            assert client.get(page_url).status_code == 200
        return len(seen)

    ApplicationFactory.create_batch(2, round=round_)
    small = statements_for("/cases/application")
    ApplicationFactory.create_batch(40, round=round_)
    large = statements_for("/cases/application")
    html = client.get("/cases/application?page=2").get_data(as_text=True)

    assert small == large
    assert "Showing 26 to 42 of 42" in html, html[html.find("Showing") : html.find("Showing") + 40]


def test_a_new_case_starts_on_the_newest_workflow_version_with_a_creation_row(app, officer):
    round_ = RoundFactory()
    application = Application(round_id=round_.id, organisation_id=ApplicationFactory().organisation_id)

    start_case(application, "application", officer, now=datetime.now(UTC) - timedelta(minutes=1))
    db.session.flush()

    assert (application.workflow, application.workflow_version, application.state) == ("application", 1, "draft")
    rows = _audit_rows(application)
    assert [(r.action, r.from_state, r.to_state) for r in rows] == [("create", None, "draft")]
