"""An officer adds a passkey from their account and signs in with it instead of the app's code, in
Chromium with a virtual authenticator (the DevTools protocol's WebAuthn domain); axe on every page."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import PASSWORD, staff_user


def test_an_officer_adds_a_passkey_and_signs_in_with_it(localhost_site, committed_db):
    site = localhost_site
    officer = staff_user("officer", email="pat.officer@example.org", name="Pat Officer")
    page = site.page
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    site.sign_in(officer.email, PASSWORD)
    site.visit("/sign-out")
    site.follow(page.get_by_role("link", name="Two-factor sign-in"))
    expect(page.locator("#passkey-count")).to_contain_text("You can add a passkey")
    site.follow(page.get_by_role("link", name="Manage your passkeys"))
    expect(page.locator("#no-passkeys")).to_be_visible()
    expect(page.locator("[data-passkey-unsupported]")).to_be_hidden()
    page.get_by_label("Name for this passkey (optional)").fill("This laptop")
    site.follow(page.get_by_role("button", name="Add a passkey"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Passkey added: This laptop")
    expect(page.locator("table")).to_contain_text("This laptop")

    site.visit("/sign-out")
    site.follow(page.get_by_role("button", name="Sign out", exact=True))
    site.visit("/sign-in")
    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    site.follow(page.get_by_role("button", name="Sign in"))
    expect(site.heading()).to_have_text("Enter the code from your authenticator app")
    expect(page.get_by_role("heading", name="Or use a passkey")).to_be_visible()
    site.follow(page.get_by_role("button", name="Use a passkey"))
    expect(page.locator(".govuk-service-navigation a[href='/sign-out']")).to_have_count(1)
    assert site.path.startswith("/work/"), site.path
