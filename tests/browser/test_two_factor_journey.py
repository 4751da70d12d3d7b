"""A new member of finance sets up two-factor sign-in at their first sign-in, saves their recovery codes,
and later signs in with a recovery code when their phone is not to hand; axe on every page."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from grants.models import RoleGrant
from tests.factories import PASSWORD, UserFactory


def test_finance_sets_up_two_factor_then_signs_in_with_a_recovery_code(site, committed_db):
    person = UserFactory(email="new.finance@example.org", name="Nia Finance")
    committed_db.session.add(RoleGrant(user_id=person.id, role="finance"))
    committed_db.session.commit()
    page = site.page

    site.visit("/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    site.follow(page.get_by_role("button", name="Sign in"))
    expect(site.heading()).to_have_text("Set up two-factor sign-in")
    expect(page.locator("figure svg")).to_have_count(1)
    key = page.locator("#setup-key").inner_text().replace(" ", "")

    page.get_by_label("Code from your authenticator app").fill("12")
    site.follow(page.get_by_role("button", name="Turn on two-factor sign-in"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the 6-digit code from your authenticator app")

    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(key).now())
    site.follow(page.get_by_role("button", name="Turn on two-factor sign-in"))
    expect(site.heading()).to_have_text("Two-factor sign-in is on: save your recovery codes")
    codes = re.findall(r"[0-9a-f]{5}-[0-9a-f]{5}", page.locator("#recovery-codes").inner_text())
    assert len(codes) == 10
    site.follow(page.get_by_role("link", name="I have saved my recovery codes"))
    expect(page.locator(".govuk-service-navigation").get_by_role("link", name="Payments")).to_be_visible()

    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Sign out"))
    site.follow(page.get_by_role("link", name="Two-factor sign-in"))
    expect(page.locator("#codes-left")).to_have_text("You have 10 unused recovery codes.")
    site.visit("/sign-out")
    site.follow(page.get_by_role("button", name="Sign out", exact=True))

    site.visit("/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    site.follow(page.get_by_role("button", name="Sign in"))
    expect(site.heading()).to_have_text("Enter the code from your authenticator app")
    site.follow(page.get_by_role("link", name="I cannot use my authenticator app: use a recovery code"))
    page.get_by_label("Recovery code").fill(codes[3])
    site.follow(page.get_by_role("button", name="Continue"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 left")
