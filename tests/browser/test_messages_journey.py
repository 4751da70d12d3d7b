"""An officer sends a message from a case page, the applicant reads it from their dashboard and replies,
and the officer sees the reply in the case's history and on the organisation's picture; axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browser
from tests.factories import PASSWORD, ApplicationFactory, ProgrammeFactory, RoundFactory, member_of, staff_user

pytestmark = pytest.mark.browser

MESSAGE = "Please send us your latest annual accounts."
REPLY = "Our accounts for 2025-26 are attached to the bid now."


def _sign_out(site: Browser) -> None:
    site.visit("/sign-out")
    site.follow(site.page.get_by_role("button", name="Sign out", exact=True))


def test_an_officer_and_an_applicant_exchange_messages_on_an_application(site, live_server, committed_db):
    programme = ProgrammeFactory()
    application = ApplicationFactory(round=RoundFactory(programme=programme), state="submitted")
    organisation = application.organisation.name
    member_of(application.organisation, email="aisha@bramley.example", name="Aisha Rahman")
    staff_user("officer", programme, email="priya@example.org", name="Priya Sharma")
    case_page = f"/cases/application/{application.id}"
    page = site.page

    site.sign_in("priya@example.org", PASSWORD)
    site.visit(case_page)
    page.get_by_label("Message", exact=True).fill(MESSAGE)
    site.follow(page.get_by_role("button", name="Send message"))
    history = page.locator("#history + .app-table-wrapper")
    expect(history).to_contain_text(f"Message to {organisation}")
    expect(history).to_contain_text(MESSAGE)
    _sign_out(site)

    site.sign_in("aisha@bramley.example", PASSWORD)
    site.visit("/applications")
    site.follow(page.get_by_role("link", name="Your messages (1 from the grants team)"))
    expect(site.heading()).to_have_text("Your messages")
    site.follow(page.get_by_role("link", name=f"Application {application.reference}"))
    expect(page.locator("main")).to_contain_text(MESSAGE)
    page.get_by_label("Your reply").fill(REPLY)
    site.follow(page.get_by_role("button", name="Send reply"))
    expect(page.locator("main")).to_contain_text(REPLY)
    _sign_out(site)

    site.sign_in("priya@example.org", PASSWORD)
    site.visit(case_page)
    expect(history).to_contain_text(f"Message from {organisation}")
    expect(history).to_contain_text(REPLY)

    site.follow(page.get_by_role("link", name=f"Everything about {organisation}"))
    expect(site.heading()).to_have_text(organisation)
    expect(page.locator("#people")).to_contain_text("aisha@bramley.example")
    expect(page.locator("#list-notes")).to_contain_text(REPLY)
