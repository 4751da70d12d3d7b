"""Monitoring in a real browser, with axe on every page: the officer's dashboard (charts and tables),
a submitted return reviewed and accepted, the award's page, its rating and targets; the grantee's
"Your grants"; finance sees the instalment tied to the return become approvable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from grants.formatting import LONDON
from grants.models import Reminder, ReturnMetric, ReturnSection
from tests.browser.conftest import Browser
from tests.factories import (
    PASSWORD,
    AwardFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    QuestionSetFactory,
    ReturnFactory,
    member_of,
    staff_user,
)

pytestmark = pytest.mark.browser

OFFICER, FINANCE, GRANTEE = "olu.officer@example.org", "farah.finance@example.org", "gill.grantee@example.org"
FORM = {
    "name": "mscf-progress",
    "version": 1,
    "title": "Progress report",
    "sections": [
        {
            "key": "delivery",
            "title": "What you delivered",
            "questions": [{"key": "people_reached", "label": "How many people did you reach?", "type": "number"}],
        }
    ],
}


def _set_up(db) -> dict:
    today = datetime.now(LONDON).date()
    programme = ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")
    staff_user("officer", programme, email=OFFICER, name="Olu Adeyemi")
    staff_user("finance", programme, email=FINANCE, name="Farah Khan")
    organisation = OrganisationFactory(name="Bramley Community Kitchen")
    member_of(organisation, email=GRANTEE, name="Gill Grantee")
    award = AwardFactory(
        programme=programme,
        organisation=organisation,
        public_reference="MSCF-R3-0042",
        title="Safe Suppers",
        state="active",
        amount_pence=800_000,
        starts_on=date(2024, 1, 1),
        ends_on=today + timedelta(days=200),
        offer_conditions="Keep a register of sessions.",
    )
    question_set = QuestionSetFactory(name="mscf-progress", definition=FORM)
    submitted = ReturnFactory(
        award=award,
        period_label="6 months",
        workflow_version=2,
        state="submitted",
        question_set=question_set,
        submitted_at=datetime.now(UTC),
        due_date=today - timedelta(days=2),
        period_ends_on=date(2024, 6, 30),
        spend_to_date_pence=300_000,
    )
    db.session.add(
        ReturnSection(
            monitoring_return_id=submitted.id,
            section_key="delivery",
            answers={"values": {"people_reached": 42}},
            status="completed",
        )
    )
    db.session.add(ReturnMetric(monitoring_return_id=submitted.id, metric="people_reached", value=42))
    late = ReturnFactory(
        award=award,
        period_label="12 months",
        kind="final",
        workflow_version=2,
        state="overdue",
        due_date=today - timedelta(days=9),
    )
    db.session.add(
        Reminder(
            monitoring_return_id=late.id,
            rule="overdue_weekly",
            on_date=today - timedelta(days=1),
            audience="organisation",
        )
    )
    payment = PaymentFactory(award=award, amount_pence=400_000, monitoring_return_id=submitted.id, due_on=today)
    db.session.commit()
    return {"award": award.id, "return": submitted.id, "payment": payment.id}


def test_the_officer_reviews_a_return_from_the_dashboard_and_finance_can_then_approve(site: Browser, committed_db):
    ids = _set_up(committed_db)
    page = site.page

    site.sign_in(OFFICER, PASSWORD)
    site.visit("/monitoring")
    expect(page.locator("svg[role='img'] title").first).to_have_text("Overdue returns by programme")
    site.follow(
        page.locator("#awaiting_review").locator("xpath=following::a[contains(@href, '/monitoring/returns/')]").first
    )
    expect(site.heading()).to_contain_text("6 months")
    expect(page.get_by_text("How many people did you reach?")).to_be_visible()
    site.follow(page.get_by_role("button", name="Accept the return"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is now accepted")

    site.follow(page.get_by_role("link", name="Award MSCF-R3-0042"))
    expect(page.locator("#monitoring")).to_be_visible()
    site.visit(f"/monitoring/awards/{ids['award']}/rating")
    page.get_by_label("Amber: some concern").check()
    page.get_by_label("Reason for the rating").fill("The final report is late.")
    site.follow(page.get_by_role("button", name="Save the rating"))
    site.visit(f"/monitoring/awards/{ids['award']}/targets")
    page.get_by_label("Figure").select_option("people_reached")
    page.get_by_label("Period").fill("6 months")
    page.get_by_label("Target").fill("abc")
    site.follow(page.get_by_role("button", name="Save the target"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the target as a whole number")
    page.get_by_label("Target").fill("40")
    site.follow(page.get_by_role("button", name="Save the target"))
    expect(page.get_by_text("42 of 40 (105%)")).to_be_visible()

    site.page.context.clear_cookies()
    site.sign_in(FINANCE, PASSWORD)
    site.visit(f"/payments/{ids['payment']}")
    expect(page.get_by_role("button", name="Approve for payment")).to_be_visible()


def test_the_grantee_sees_their_grants(site: Browser, committed_db):
    ids = _set_up(committed_db)
    page = site.page

    site.sign_in(GRANTEE, PASSWORD)
    site.visit("/grants")
    expect(page.get_by_text("Keep a register of sessions.")).to_be_visible()
    site.follow(page.get_by_role("link", name="MSCF-R3-0042: Safe Suppers"))
    expect(page.get_by_text("Overdue").first).to_be_visible()
    expect(page.get_by_role("cell", name="Your organisation")).to_be_visible()
    assert ids["award"]
