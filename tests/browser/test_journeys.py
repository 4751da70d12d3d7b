"""What people see in a real browser, page by page, with axe run on every page they visit."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from grants.models import Application, OutboxMessage

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-much-longer-new-password"  # noqa: S105
DIAGRAM_SVG = ".app-workflow__diagram svg"


def _case_path(db, reference: str) -> str:
    application = db.session.scalar(select(Application).where(Application.public_reference == reference))
    assert application is not None, reference
    db.session.rollback()
    return f"/cases/application/{application.id}"


def _body_scroll_width(site) -> int:
    return site.page.evaluate("document.documentElement.scrollWidth")


def test_start_page_and_footer_pages_are_reachable_and_accessible(site, demo):
    site.visit("/")
    page = site.page
    expect(site.heading()).to_have_text("Apply for and manage Policing and Crime funding")
    skip = page.locator("a.govuk-skip-link")
    expect(skip).to_have_text("Skip to main content")
    expect(skip).to_have_attribute("href", "#main-content")
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    expect(page.locator(".govuk-service-navigation")).to_contain_text("grantflow")
    expect(page.locator(".govuk-phase-banner")).to_contain_text("Beta")

    footer = page.locator("footer")
    site.follow(footer.get_by_role("link", name="Accessibility statement"))
    expect(site.heading()).to_have_text("Accessibility statement for grantflow")
    site.follow(page.locator("footer").get_by_role("link", name="Privacy notice"))
    expect(site.heading()).to_have_text("Privacy notice")


def test_a_new_person_registers_signs_out_and_signs_in_again(site, demo):
    page = site.page
    site.visit("/")
    site.follow(page.get_by_role("button", name="Start now"))
    expect(site.heading()).to_have_text("Create an account")
    page.get_by_label("Full name").fill("Jo Bloggs")
    page.get_by_label("Email address").fill("jo.bloggs@example.net")
    page.get_by_label("Password", exact=True).fill("a-good-long-password")
    page.get_by_label("Confirm password").fill("a-good-long-password")
    site.follow(page.get_by_role("button", name="Create account"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your account has been created.")
    expect(page.get_by_text("You are signed in as Jo Bloggs.")).to_be_visible()

    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Sign out"))
    expect(site.heading()).to_have_text("Sign out of grantflow?")
    site.follow(page.get_by_role("button", name="Sign out", exact=True))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("You have signed out.")

    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Sign in"))
    page.get_by_label("Email address").fill("jo.bloggs@example.net")
    page.get_by_label("Password", exact=True).fill("not-my-password")
    site.follow(page.get_by_role("button", name="Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Enter a correct email address and password")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))

    page.get_by_label("Password", exact=True).fill("a-good-long-password")
    site.follow(page.get_by_role("button", name="Sign in"))
    expect(page.get_by_text("You are signed in as Jo Bloggs.")).to_be_visible()


def test_a_forgotten_password_is_reset_from_the_emailed_link(site, demo, committed_db):
    page = site.page
    site.visit("/sign-in")
    site.follow(page.get_by_role("link", name="I have forgotten my password"))
    expect(site.heading()).to_have_text("Reset your password")
    page.get_by_label("Email address").fill("applicant@example.org")
    site.follow(page.get_by_role("button", name="Send reset link"))
    expect(site.heading()).to_have_text("Check your email")

    body = committed_db.session.scalar(
        select(OutboxMessage.body)
        .where(OutboxMessage.recipient == "applicant@example.org", OutboxMessage.subject.like("Reset%"))
        .order_by(OutboxMessage.id.desc())
    )
    committed_db.session.rollback()
    assert body is not None, "no reset email in the outbox"
    link = re.search(r"/password/reset/\S+", body)
    assert link, body

    site.visit(link.group(0))
    expect(site.heading()).to_have_text("Choose a new password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    site.follow(page.get_by_role("button", name="Change password"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Your password has been changed.")

    page.get_by_label("Email address").fill("applicant@example.org")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    site.follow(page.get_by_role("button", name="Sign in"))
    expect(site.heading()).to_have_text("Your applications")  # an applicant starts at their applications


def test_an_officer_sees_a_case_and_moves_it_on(site, demo, committed_db):
    page = site.page
    site.sign_in("officer@example.org")
    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Cases"))
    expect(site.heading()).to_have_text("Cases")
    site.follow(page.locator("main").get_by_role("link", name="Applications", exact=True))
    expect(site.heading()).to_have_text("Applications")
    expect(page.get_by_role("table", name="Applications")).to_be_visible()
    site.visit(_case_path(committed_db, "MSCF-R4-0001"), settle=DIAGRAM_SVG)  # the list holds 200 cases

    expect(site.heading()).to_have_text("MSCF-R4-0001")
    expect(page.locator("main")).to_contain_text("Current state: Submitted")
    history = page.get_by_role("table", name="History of MSCF-R4-0001")
    expect(history).to_contain_text("Draft → Submitted")
    expect(page.get_by_role("button", name="Mark as eligible")).to_be_visible()
    expect(page.get_by_role("button", name="Mark as ineligible")).to_be_visible()
    blocked = page.locator("h3:has-text('Not available to you now') + ul")
    expect(blocked.locator("li").first).to_contain_text(re.compile(r"Only .+ can do this\."))

    # The diagram is drawn, with the current state highlighted.
    expect(page.locator(DIAGRAM_SVG)).to_be_visible()
    current = page.locator(f"{DIAGRAM_SVG} g.current")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Submitted")

    site.follow(page.get_by_role("button", name="Mark as eligible"), settle=DIAGRAM_SVG)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Current state: Eligible")
    expect(history.locator("tr", has_text="Submitted → Eligible")).to_contain_text("Priya Sharma")
    expect(page.locator(f"{DIAGRAM_SVG} g.current")).to_contain_text("Eligible")

    # An action that needs a reason, asked for without one.
    action = page.locator("#action-request_information")
    site.follow(action.get_by_role("button", name="Ask the applicant for more information"), settle=DIAGRAM_SVG)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile(r"reason .*'ask the applicant for more information'"))
    expect(link).to_have_attribute("href", "#reason-request_information")
    reason = page.locator("#reason-request_information")
    expect(reason).to_have_class(re.compile(r"\bgovuk-textarea--error\b"))
    expect(page.locator("#reason-request_information-error")).to_have_text(f"Error: {link.inner_text()}")
    expect(reason).to_have_attribute("aria-describedby", "reason-request_information-error")
    expect(page.locator("main")).to_contain_text("Current state: Eligible")


def test_an_admin_grants_a_role_and_reads_workflows_and_emails(site, demo):
    page = site.page
    site.sign_in("admin@example.org")
    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Admin"))
    expect(site.heading()).to_have_text("Admin")

    site.follow(page.get_by_role("link", name="Staff roles"))
    expect(site.heading()).to_have_text("Staff roles")
    page.get_by_label("Email address of the person").fill("applicant@example.org")
    page.get_by_label("Role", exact=True).select_option(label="Assessor")
    page.get_by_label("Programme", exact=True).select_option(label="Mayor's Safer Communities Fund (MSCF)")
    site.follow(page.get_by_role("button", name="Grant role"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Aisha Rahman is now assessor on Mayor's Safer Communities Fund."
    )
    row = page.get_by_role("table", name="Current roles").locator("tr", has_text="applicant@example.org")
    expect(row).to_contain_text("Assessor")
    expect(row).to_contain_text("Mayor's Safer Communities Fund")

    site.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Admin"))
    site.follow(page.get_by_role("link", name="Audit log"))
    expect(site.heading()).to_have_text("Audit log")
    page.get_by_label("From date").fill("31/2/2024")
    page.get_by_label("Action").select_option("grant_role")
    site.follow(page.get_by_role("button", name="Search"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("From date must be a real date, like 27/3/2024")
    expect(page.get_by_label("From date")).to_have_value("31/2/2024")
    page.get_by_label("From date").fill("")
    site.follow(page.get_by_role("button", name="Search"))
    expect(page.get_by_role("table", name="Audit log rows, newest first").locator("tbody tr").first).to_contain_text(
        "applicant@example.org"
    )

    site.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Admin"))
    site.follow(page.get_by_role("link", name="Subject access request"))
    page.get_by_label("Email address of the person").fill("nobody@example.org")
    site.follow(page.get_by_role("button", name="Download everything held about them"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is no account with this email address")
    with page.expect_download() as download:
        page.get_by_label("Email address of the person").fill("applicant@example.org")
        page.get_by_role("button", name="Download everything held about them").click()
    assert download.value.suggested_filename.startswith("subject-access-")

    site.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Admin"))
    site.follow(page.get_by_role("link", name="Workflows"))
    expect(site.heading()).to_have_text("Workflows")
    site.follow(page.get_by_role("link", name="Grant application"), settle=DIAGRAM_SVG)
    expect(site.heading()).to_have_text("Grant application (version 1)")
    expect(page.locator(DIAGRAM_SVG)).to_be_visible()
    expect(page.get_by_role("table", name="Transitions of Grant application")).to_contain_text("Mark as eligible")

    site.follow(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Admin"))
    site.follow(page.get_by_role("link", name="Emails", exact=True))
    expect(site.heading()).to_have_text("Emails")
    first = page.get_by_role("table", name="Emails, sortable by each column").locator("tbody a").first
    subject = first.inner_text()
    site.follow(first)
    expect(site.heading()).to_have_text(subject)
    expect(page.locator(".govuk-summary-list")).to_contain_text("To")
    expect(page.locator(".app-email-body")).not_to_be_empty()


def test_pages_fit_a_320_pixel_wide_screen_without_scrolling_sideways(narrow_site, demo, committed_db):
    site = narrow_site
    site.visit("/")
    assert _body_scroll_width(site) <= 321, f"start page is {_body_scroll_width(site)}px wide"
    site.sign_in("officer@example.org")
    site.visit(_case_path(committed_db, "MSCF-R4-0001"), settle=DIAGRAM_SVG)
    assert _body_scroll_width(site) <= 321, f"case page is {_body_scroll_width(site)}px wide"


def test_without_javascript_an_officer_signs_in_and_moves_a_case_on(no_js_site, demo, committed_db):
    site = no_js_site
    page = site.page
    site.sign_in("officer@example.org")
    site.visit(_case_path(committed_db, "MSCF-R4-0001"))
    expect(page.locator(DIAGRAM_SVG)).to_have_count(0)
    states = page.get_by_role("table", name="States and the steps out of each")
    expect(states.locator("tr", has_text="Current")).to_contain_text("Submitted")

    site.follow(page.get_by_role("button", name="Mark as eligible"))
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Current state: Eligible")
    expect(states.locator("tr", has_text="Current")).to_contain_text("Eligible")
