"""Admin > API tokens in a real browser, with axe on every page (issue 6, point 8).

The admin issues a token for a finance officer on one programme, copies it from the page
that shows it once, the token reads the JSON API, and once revoked it no longer does.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, ProgrammeFactory, staff_user

pytestmark = pytest.mark.browser


def api_status(base: str, token: str) -> int:
    request = urllib.request.Request(f"{base}/api/v1/awards", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own test server
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_admin_issues_a_token_that_reads_the_api_then_revokes_it(site, live_server, committed_db):
    programme = ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")
    staff_user("admin", None, email="ada.admin@example.org", name="Ada Admin")
    staff_user("finance", programme, email="farah.finance@example.org", name="Farah Finance")
    page = site.page

    site.sign_in("ada.admin@example.org", PASSWORD)
    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Admin"))
    site.follow(page.get_by_role("link", name="API tokens"))
    expect(site.heading()).to_have_text("API tokens")

    page.get_by_label("Person").select_option(label="Farah Finance (farah.finance@example.org)")
    page.get_by_label("Name of the token").fill("Finance system nightly import")
    page.get_by_label("Role", exact=True).select_option(label="Finance")
    page.get_by_label("Programme", exact=True).select_option(label="Mayor's Safer Communities Fund (MSCF)")
    page.get_by_label("30 days").check()
    site.follow(page.get_by_role("button", name="Issue token"))
    expect(site.heading()).to_have_text("API token issued")
    token = page.get_by_label("Token").input_value()

    assert token.startswith("gf_")
    assert api_status(live_server, token) == 200

    site.follow(page.get_by_role("link", name="Back to API tokens"))
    row = page.get_by_role("table", name="Tokens").locator("tr", has_text="Finance system nightly import")
    expect(row).to_contain_text(token[:12])
    expect(row).not_to_contain_text(token)
    expect(row).to_contain_text("Active")
    site.follow(row.get_by_role("button", name="Revoke"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("It no longer works.")
    expect(row).to_contain_text("Revoked")

    assert api_status(live_server, token) == 401
