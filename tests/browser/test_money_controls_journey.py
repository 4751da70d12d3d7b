"""Money controls in a real browser, with axe on every page: a grantee changes the organisation's bank
details and its approved instalment is held; finance records how it checked them; one finance user
approves, another pays a run of instalments and downloads the bank file."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grants.extensions import limiter
from grants.models import Payment
from tests.browser.conftest import Browser
from tests.factories import (
    PASSWORD,
    AwardFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    member_of,
    staff_user,
)

pytestmark = pytest.mark.browser

APPROVER, PAYER, TREASURER = "amy.approver@example.org", "pat.payer@example.org", "tariq@bramley.example.org"


@pytest.fixture
def instalments(live_server, committed_db) -> list[int]:
    programme = ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")
    staff_user("finance", programme, email=APPROVER, name="Amy Approver")
    staff_user("finance", programme, email=PAYER, name="Pat Payer")
    kitchen = OrganisationFactory(name="Bramley Community Kitchen")
    member_of(kitchen, email=TREASURER, name="Tariq Ahmed")
    boxing = OrganisationFactory(name="Calder Valley Boxing Club CIC")
    decided = datetime(2026, 4, 20, 10, tzinfo=UTC)
    ids = []
    for organisation, amount in ((kitchen, 250_050), (boxing, 399_999)):
        award = AwardFactory(programme=programme, organisation=organisation, state="active", amount_pence=900_000,
                             decided_at=decided, public_reference=f"MSCF-R4-{organisation.id:04d}")  # fmt: skip
        ids.append(PaymentFactory(award=award, amount_pence=amount).id)
    committed_db.session.commit()
    committed_db.session.remove()
    return ids


def _switch(site: Browser, email: str) -> None:
    limiter.reset()
    site.page.context.clear_cookies()
    site.sign_in(email, PASSWORD)


def test_bank_details_change_holds_payment_until_checked_and_a_second_finance_user_pays_the_run(
    site: Browser, instalments, committed_db
):
    page, main = site.page, site.page.locator("main")

    # The grantee changes the kitchen's bank details.
    site.sign_in(TREASURER, PASSWORD)
    site.visit("/organisations/")
    site.follow(page.get_by_role("link", name="Bramley Community Kitchen").first)
    site.follow(page.get_by_role("link", name="bank details", exact=False).first)
    page.get_by_label("Sort code").fill("40-11-62")
    page.get_by_label("Account number").fill("55667788")
    site.follow(page.get_by_role("button", name="Save", exact=False).first)

    # Finance cannot approve the kitchen's instalment until it has checked the new details.
    _switch(site, APPROVER)
    site.visit(f"/payments/{instalments[0]}")
    expect(page.get_by_role("button", name="Approve for payment")).to_have_count(0)
    expect(main).to_contain_text("finance has not verified them yet")
    site.visit("/payments/due")
    site.follow(page.get_by_role("link", name="Bank details to check"))
    expect(main).to_contain_text("55667788")
    site.follow(page.get_by_role("button", name="Record the check", exact=False))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say how you checked the new bank details")
    page.get_by_label("How you checked them").fill("Called the chair on the number in our records")
    site.follow(page.get_by_role("button", name="Record the check", exact=False))
    expect(main).to_contain_text("No changed bank details are waiting")
    for payment_id in instalments:
        site.visit(f"/payments/{payment_id}")
        site.follow(page.get_by_role("button", name="Approve for payment"))
        expect(page.locator("#state")).to_have_text("Approved for payment")

    # The approver is not offered a run of their own approvals; a second finance user pays them.
    site.visit("/payments/runs/new")
    expect(main).to_contain_text("No approved instalments are waiting for you to pay")
    _switch(site, PAYER)
    site.visit("/payments/due")
    site.follow(page.get_by_role("link", name="Payment runs"))
    site.follow(page.get_by_role("link", name="Start a payment run"))
    today = datetime.now(UTC).date()
    group = page.get_by_role("group", name="Date paid")
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Finance system reference for the run").fill("BACS-2026-118")
    site.follow(page.get_by_role("button", name="Mark them paid"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("2 instalments marked paid")
    expect(main).to_contain_text("£6,500.49")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[1][:4] == ["Bramley Community Kitchen", "40-11-62", "55667788", "2500.50"]
    assert rows[-1][:4] == ["Total", "", "", "6500.49"]

    states = committed_db.session.scalars(select(Payment.state).where(Payment.id.in_(instalments))).all()
    assert states == ["paid", "paid"]
