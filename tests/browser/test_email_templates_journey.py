"""An officer words one of their programme's emails in a real browser, with axe on every page: from
Your work to the programme's emails, a placeholder it does not know refused by name, a preview on one
of the programme's bids, then saved as the programme's own."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    staff_user,
)

pytestmark = pytest.mark.browser


def test_an_officer_edits_an_email_previews_it_on_a_bid_and_saves_it(site, committed_db):
    programme = ProgrammeFactory(name="Mid-Shire Community Fund", code="MSCF")
    ApplicationFactory(
        round=RoundFactory(programme=programme, title="Round 4"), state="submitted", public_reference="MSCF-R4-0002",
        organisation=OrganisationFactory(name="Riverside Community Trust"),
    )  # fmt: skip
    staff_user("officer", programme, email="olu.officer@example.org", name="Olu Officer")
    page = site.page

    site.sign_in("olu.officer@example.org", PASSWORD)
    expect(site.heading()).to_have_text("Your work")
    site.follow(page.get_by_role("link", name="emails your programmes send"))
    site.follow(page.get_by_role("link", name="Mid-Shire Community Fund (MSCF)"))
    expect(site.heading()).to_have_text("Emails Mid-Shire Community Fund sends")
    site.follow(
        page.get_by_role("link", name="Grant application: Ask the applicant for more information to the organisation")
    )
    expect(site.heading()).to_have_text("Grant application: Ask the applicant for more information")

    page.get_by_label("Subject").fill("((organisation)): more about ((reference))")
    page.get_by_label("Email text").fill("Dear ((organisation)),\n\nWe need ((amont)) for ((reference)).")
    site.follow(page.get_by_role("button", name="Save wording"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("((amont)) is not a placeholder this email knows")
    expect(page.get_by_label("Email text")).to_have_value(
        "Dear ((organisation)),\n\nWe need ((amont)) for ((reference))."
    )

    page.get_by_label("Email text").fill(
        "Dear ((organisation)),\n\nWe need your accounts for ((reference)) (((amount)))."
    )
    page.get_by_label("Preview on one of the latest cases").select_option("MSCF-R4-0002")
    site.follow(page.get_by_role("button", name="Preview"))
    expect(page.locator("#preview-subject")).to_have_text("Riverside Community Trust: more about MSCF-R4-0002")
    expect(page.locator("#preview-body")).to_contain_text("We need your accounts for MSCF-R4-0002 (£5,000.00).")

    site.follow(page.get_by_role("button", name="Save wording"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Saved the wording")
    row = page.locator("#email-application-request_information-organisation")
    expect(row).to_contain_text("This programme's own")
