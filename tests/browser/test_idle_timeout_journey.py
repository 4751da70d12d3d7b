"""An admin leaves a half-typed search: the page warns before the staff idle limit, "Stay signed in"
keeps the session with the text still there; left again, the page says they have been signed out,
keeps the text and offers to sign in again in a new tab; axe with the dialog open.

The limit is shortened to 12 seconds (warning 8 seconds before) so the journey takes seconds."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.factories import PASSWORD, staff_user


def test_the_idle_warning_keeps_what_was_typed(site, app, committed_db, monkeypatch):
    staff_user("admin", None, email="idle.admin@example.org", name="Ida Admin")
    committed_db.session.commit()
    monkeypatch.setitem(app.config, "STAFF_IDLE_SECONDS", 12)
    monkeypatch.setitem(app.config, "IDLE_WARNING_SECONDS", 8)
    page = site.page
    dialog = page.locator("#idle-warning")

    site.sign_in("idle.admin@example.org", PASSWORD)
    site.visit("/admin/audit")
    page.get_by_label("Person").fill("Olu Officer")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog.get_by_role("heading")).to_have_text("You will be signed out soon")
    site.check()

    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_label("Person")).to_have_value("Olu Officer")

    expect(dialog.get_by_role("heading")).to_have_text("You have been signed out", timeout=20_000)
    expect(dialog.get_by_role("link", name="Sign in again (opens in a new tab)")).to_be_visible()
    expect(page.get_by_label("Person")).to_have_value("Olu Officer")
    site.check()

    response = page.goto(site.url("/admin/audit"))
    assert response is not None and response.ok
    site.check()
    expect(site.heading()).to_have_text("Sign in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you had done nothing"
    )
