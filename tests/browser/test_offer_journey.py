"""Offer and acceptance in a real browser, with axe on every page (issue 6, point 1).

An officer makes the award for a round's approved bid, opens its offer, is told a reply-by date
in the past will not do, sends the offer; the grantee signs in, finds the offer, forgets the
declaration, then signs and accepts it, and reads the signed agreement.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Locator, expect
from sqlalchemy import select

from grants.awards.services import today as london_today
from grants.extensions import db
from grants.models import Award, OutboxMessage
from tests.browser.conftest import Browser
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    ensure_terms,
    member_of,
    staff_user,
)

pytestmark = pytest.mark.browser

OFFICER = "offers.officer@example.org"
GRANTEE = "chair@boxing.example"
ORGANISATION = "Calder Valley Boxing Club CIC"
TITLE = "Gloves Not Knives: boxing and mentoring for 11-16s"


@pytest.fixture
def approved_bid(live_server, committed_db):
    ensure_terms({("budget_stream", "community_safety"): "Community Safety"})
    programme = ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund", budget_stream="community_safety")
    round_ = RoundFactory(programme=programme, code="MSCF-R3", title="Safer Communities Round 3", state="decided")
    organisation = OrganisationFactory(name=ORGANISATION)
    staff_user("officer", programme, email=OFFICER, name="Olu Officer")
    member_of(organisation, email=GRANTEE, name="Aisha Khan")
    decided = datetime.now(UTC) - timedelta(days=2)
    ApplicationFactory(
        round=round_,
        organisation=organisation,
        public_reference="MSCF-R3-0001",
        project_title=TITLE,
        amount_requested_pence=798_550,
        state="approved",
        state_changed_at=decided,
        submitted_at=decided - timedelta(days=60),
    )
    committed_db.session.remove()


def _follow(site: Browser, target: Locator) -> None:
    with site.page.expect_navigation() as navigation:
        target.click()
    response = navigation.value
    if response is not None and response.status >= 500:
        site.unchecked = 0
        pytest.fail(f"{site.path}: the server answered {response.status}")
    site.check()


def _date(site: Browser, legend: str, day: int, month: int, year: int) -> None:
    group = site.page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def _officer_prepares_and_sends_the_offer(site: Browser) -> None:
    page = site.page
    site.sign_in(OFFICER, PASSWORD)
    site.visit("/awards/rounds/MSCF-R3")
    expect(site.heading()).to_have_text("Offers for Safer Communities Round 3")
    _follow(site, page.get_by_role("button", name="Prepare offers for 1 approved bid"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 offer prepared")
    _follow(site, page.get_by_role("link", name="See the prepared offers"))
    expect(site.heading()).to_have_text("Awards")
    _follow(site, page.get_by_role("link", name="MSCF-R3-0001"))
    expect(page.locator("main")).to_contain_text("Awaiting offer")
    _follow(site, page.get_by_role("link", name="Prepare and send the offer"))
    expect(site.heading()).to_have_text("Offer for MSCF-R3-0001")
    expect(page.get_by_label("Grant agreement terms")).to_contain_text("Data Protection Act 2018")

    page.get_by_label("Conditions of the grant").fill("Send us your updated safeguarding policy by 30 April.")
    last_year = datetime.now(UTC).year - 1
    _date(site, "Reply by", 1, 3, last_year)
    _follow(site, page.get_by_role("button", name="Send the offer"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The date to reply by must be in the future")
    expect(page.get_by_label("Conditions of the grant")).to_have_value(
        "Send us your updated safeguarding policy by 30 April."
    )

    reply_by = london_today() + timedelta(days=21)
    _date(site, "Reply by", reply_by.day, reply_by.month, reply_by.year)
    _follow(site, page.get_by_role("button", name="Send the offer"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"The offer for MSCF-R3-0001 has been sent to {ORGANISATION}"
    )
    expect(page.locator("main")).to_contain_text("Offered")
    page.context.clear_cookies()  # sign out


def _grantee_reads_and_accepts(site: Browser) -> None:
    page = site.page
    site.sign_in(GRANTEE, PASSWORD)
    site.visit("/awards/offers")
    expect(site.heading()).to_have_text("Your grant offers")
    expect(page.locator("main")).to_contain_text("Waiting for your reply")
    _follow(site, page.get_by_role("link", name=TITLE))
    expect(site.heading()).to_have_text("Grant offer MSCF-R3-0001")
    main = page.locator("main")
    expect(main).to_contain_text("£7,985.50")
    expect(main).to_contain_text("Send us your updated safeguarding policy by 30 April.")
    expect(main).to_contain_text("acknowledge the Mayor of West Yorkshire's funding")

    page.get_by_label("Full name of the person signing").fill("Aisha Khan")
    page.get_by_label("Their position in the organisation").fill("Chair of Trustees")
    today = london_today()
    _date(site, "Date signed", today.day, today.month, today.year)
    _follow(site, page.get_by_role("button", name="Accept the offer"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"Confirm you are authorised to sign for {ORGANISATION}")
    expect(page.get_by_label("Full name of the person signing")).to_have_value("Aisha Khan")

    page.get_by_label(f"I confirm I am authorised to sign for {ORGANISATION}").check()
    _follow(site, page.get_by_role("button", name="Accept the offer"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have accepted the grant offer MSCF-R3-0001")
    expect(site.heading()).to_have_text("Grant agreement MSCF-R3-0001")
    expect(main).to_contain_text("Signed by Aisha Khan, Chair of Trustees")
    expect(page.get_by_role("button", name="Accept the offer")).to_have_count(0)


def test_an_officer_sends_an_offer_and_the_grantee_reads_and_accepts_it(site: Browser, approved_bid):
    _officer_prepares_and_sends_the_offer(site)
    _grantee_reads_and_accepts(site)

    award = db.session.scalar(select(Award).where(Award.public_reference == "MSCF-R3-0001"))
    assert award.state == "accepted"
    assert (award.signatory_name, award.signatory_position) == ("Aisha Khan", "Chair of Trustees")
    assert award.offer_conditions == "Send us your updated safeguarding policy by 30 April."
    offer_email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == GRANTEE))
    assert offer_email is not None and "£7,985.50" in offer_email.body
    accepted_email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == OFFICER))
    assert accepted_email is not None and "Signed by Aisha Khan (Chair of Trustees)" in accepted_email.body
    db.session.rollback()
