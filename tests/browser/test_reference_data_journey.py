"""Admin > Programmes and Admin > Vocabularies in a real browser, with axe on every page.

An admin of every programme opens the Admin pages by clicking, is told what is wrong with a blank
name (what they typed in the terms is kept), saves new standard agreement terms, then relabels a
district.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from grants.extensions import db
from grants.setup.seed import seed
from tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.browser

NEW_TERMS = "1. Use of the grant. Spend it only on the project.\n2. Monitoring. Send the returns on time."


def test_an_admin_changes_a_programmes_agreement_terms_and_relabels_a_district(site, live_server, committed_db):
    seed()
    db.session.commit()
    staff_user("admin", None, email="ada.admin@example.org", name="Ada Admin")
    page = site.page

    site.sign_in("ada.admin@example.org", PASSWORD)
    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Admin"))
    site.follow(page.get_by_role("link", name="Programmes", exact=True))
    expect(site.heading()).to_have_text("Programmes")
    row = page.get_by_role("table", name="Programmes").locator("tr", has_text="MSCF")
    expect(row).to_contain_text("Version 1")

    site.follow(row.get_by_role("link", name="Change"))
    expect(site.heading()).to_have_text("Change the name and the standard agreement terms")
    terms = page.get_by_label("Standard grant agreement terms")
    expect(terms).to_have_value(re.compile(r"^1\. Use of the grant\."))
    page.get_by_label("Name").fill("   ")
    terms.fill(NEW_TERMS)
    site.follow(page.get_by_role("button", name="Save changes"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The programme's name must not be only spaces")
    expect(page.get_by_label("Standard grant agreement terms")).to_have_value(NEW_TERMS)

    page.get_by_label("Name").fill("Mayor's Safer Communities Fund")
    site.follow(page.get_by_role("button", name="Save changes"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "MSCF: saved the standard agreement terms."
    )
    expect(page.get_by_role("table", name="Programmes").locator("tr", has_text="MSCF")).to_contain_text("Version 2")

    site.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Admin"))
    site.follow(page.get_by_role("link", name="Vocabularies"))
    site.follow(page.get_by_role("link", name="District"))
    site.follow(page.get_by_role("link", name="Change label of Leeds"))
    page.get_by_label("Label").fill("Leeds City")
    site.follow(page.get_by_role("button", name="Save label"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The label of leeds is now Leeds City.")
    expect(page.get_by_role("table", name="Terms")).to_contain_text("Leeds City")
