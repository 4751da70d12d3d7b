"""Each staff role from its home, by clicking only (issue 14, "Done means"): after signing in as the demo's
officer, finance or admin, every page below is reached by clicking links and buttons from "Your work", with
axe on every page, and the staff menu fits one line at 1280 px.

- officer: each queue on Your work opens its list; a case from "Applications to screen", a private note
  and a transition with a reason; the round's case page, its applications, screening, assessors,
  moderation and ranking; an active award, its payment schedule, variation, money-returned and closure
  pages; the finance spreadsheet page (officers may export it: `finance_export.services.EXPORT_ROLES`).
- finance: the instalments due to approve, approving one; the approved instalments to pay, marking paid
  one that another finance user approved (the two-person rule); the held instalments; the finance
  spreadsheet, downloaded and opened with openpyxl.
- admin: the emails that could not be sent; staff roles, two-factor resets, the audit log; the reference
  data (programmes, vocabularies, monitoring plans, application forms, workflows); the emails
  programmes send.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import Browser

pytestmark = pytest.mark.browser

NOTE = "Rang the treasurer: the accounts are on their way."
INELIGIBLE = "The project is outside West Yorkshire, so the fund cannot support it."
SECOND_FINANCE = "payments@example.org"  # the demo's second finance user (grants.demo.accounts)


def _menu(site: Browser):
    return site.page.locator(".govuk-service-navigation")


def _menu_fits_one_line(site: Browser) -> None:
    """At 1280 px every item of the staff menu sits on the same line: the list is one item tall."""
    assert site.page.viewport_size == {"width": 1280, "height": 720}, site.page.viewport_size
    items = site.page.locator(".govuk-service-navigation__item")
    boxes = [items.nth(i).bounding_box() for i in range(items.count())]
    assert len(boxes) > 2, boxes
    tops = {round(box["y"]) for box in boxes if box}
    line = max(box["height"] for box in boxes if box)
    height = site.page.locator(".govuk-service-navigation__list").bounding_box()["height"]
    assert len(tops) == 1 and height < 1.5 * line, f"the menu takes {height}px for a {line}px line (tops {tops})"


def _home(site: Browser) -> None:
    site.follow(_menu(site).get_by_role("link", name="Your work"))
    expect(site.heading()).to_have_text("Your work")


def _no_errors(site: Browser) -> None:
    expect(site.page.locator(".govuk-error-summary")).to_have_count(0)


def _flash(site: Browser, text: str) -> None:
    expect(site.page.locator(".govuk-notification-banner")).to_contain_text(text)


def _signed_in_at_home(site: Browser, email: str) -> None:
    site.sign_in(email)
    assert site.path == "/work/", site.path
    expect(site.heading()).to_have_text("Your work")
    _menu_fits_one_line(site)


def _each_queue(site: Browser, role: str) -> list[str]:
    """Open every queue on Your work for this role and come back: each opens a page with its own heading."""
    queues = site.page.locator(f"table[data-role={role}] tbody tr a")
    titles = [queues.nth(i).inner_text() for i in range(queues.count())]
    assert titles, f"no queues for {role}"
    for index, title in enumerate(titles):
        site.follow(queues.nth(index))
        assert site.path != "/work/", title
        expect(site.heading()).to_be_visible()
        _home(site)
    return titles


# -- officer ---------------------------------------------------------------------------------------------
def _open_round(site: Browser, code: str) -> None:
    page = site.page
    site.follow(_menu(site).get_by_role("link", name="Cases", exact=True))
    site.follow(page.locator("main").get_by_role("link", name="Rounds", exact=True))
    site.follow(page.locator("main table tbody").get_by_role("link", name=code, exact=True))
    expect(site.heading()).to_contain_text(code)


def test_an_officer_reaches_their_queues_a_case_a_round_and_an_awards_money_by_clicking(site: Browser, demo):
    page, main = site.page, site.page.locator("main")
    _signed_in_at_home(site, "officer@example.org")
    titles = _each_queue(site, "officer")
    assert "Applications to screen" in titles, titles

    # A bid to screen: a private note, then a transition that needs a reason.
    site.follow(page.locator("#queue-applications_to_screen a"))
    row = page.locator("main table tbody tr a").first
    reference = row.inner_text()
    site.follow(row)
    expect(site.heading()).to_contain_text(reference)
    page.get_by_label("Private note (only staff see it)").fill(NOTE)
    site.follow(page.get_by_role("button", name="Add note"))
    _no_errors(site)
    history = page.locator("#history + .app-table-wrapper")
    expect(history).to_contain_text(NOTE)
    page.locator("#reason-mark_ineligible").fill(INELIGIBLE)
    site.follow(page.get_by_role("button", name="Mark as ineligible"))
    _no_errors(site)
    expect(history).to_contain_text(INELIGIBLE)
    expect(main).to_contain_text("Ineligible")

    # The round: its applications, moderation and ranking; then screening and assessors.
    _open_round(site, "MSCF-R3")
    site.follow(main.get_by_role("link", name="Moderation", exact=True))
    expect(site.heading()).to_contain_text("Moderation")
    site.follow(main.get_by_role("link", name="Ranking and recommendations"))
    expect(site.heading()).to_contain_text("Ranking")
    site.follow(main.get_by_role("link", name="All applications"))
    expect(main.locator("table tbody tr").first).to_contain_text("MSCF-R3-")
    _open_round(site, "MSCF-R3")
    site.follow(main.get_by_role("link", name="Screening, criteria and assessors for this round"))
    tasks = site.path
    for link in (
        "Screen the bids",
        "Assign assessors",
        "Scoring criteria",
        "Assessment due date",
        "Conflicts of interest",
    ):
        site.follow(main.get_by_role("link", name=link, exact=True))
        _no_errors(site)
        page.go_back()  # the browser's Back button
        site.check()
        assert site.path == tasks, site.path

    # An active award: its payment schedule, and from there a variation, money returned and closing it.
    site.follow(_menu(site).get_by_role("link", name="Awards", exact=True))
    page.get_by_label("State").select_option("active")
    site.follow(page.get_by_role("button", name="Apply filters"))
    award = page.locator("main table tbody tr a").first
    award_reference = award.inner_text()
    site.follow(award)
    expect(site.heading()).to_contain_text(award_reference)
    site.follow(main.get_by_role("link", name=f"History and workflow actions for {award_reference}"))
    expect(main).to_contain_text("What you can do")
    site.follow(main.get_by_role("link", name="The award's offer, payment schedule, variations, money returned"))
    expect(site.heading()).to_contain_text(award_reference)
    site.follow(main.get_by_role("link", name="Payment schedule, variations, money returned and closure"))
    expect(site.heading()).to_contain_text("schedule")
    for link, heading in (
        ("Ask to change the award's amount or end date", "Ask to vary award"),
        ("Record money received back", "Record money received back"),
        ("Close the award", "Close award"),
    ):
        site.follow(main.get_by_role("link", name=link))
        expect(site.heading()).to_contain_text(heading)
        site.follow(page.locator(".govuk-breadcrumbs").get_by_role("link", name="Payment schedule"))

    # The finance spreadsheet: officers may export their programmes' awards and payments.
    site.follow(_menu(site).get_by_role("link", name="Payments", exact=True))
    site.follow(main.get_by_role("link", name="Download the finance spreadsheet of awards and payments"))
    expect(site.heading()).to_have_text("Download the finance spreadsheet")


# -- finance ---------------------------------------------------------------------------------------------
def _instalments_due(db) -> tuple[str, str]:
    """Two instalments due today on a new MSCF award (the demo's own wait for monitoring returns); the second
    approved by the demo's second finance user, so the demo's finance user may pay it (two-person rule)."""
    from grants.models import Organisation, Programme, User
    from grants.payments.instalments import approve
    from tests.factories import AwardFactory, PaymentFactory

    programme = db.session.scalar(select(Programme).where(Programme.code == "MSCF"))
    shed = db.session.scalar(select(Organisation).where(Organisation.name == "Pontefract Men's Shed"))
    award = AwardFactory(
        programme=programme, organisation=shed, state="active", amount_pence=900_000, public_reference="MSCF-R4-0901"
    )
    first, second = (PaymentFactory(award=award, instalment=n, amount_pence=300_000) for n in (1, 2))
    db.session.commit()
    other = db.session.scalar(select(User).where(User.email == SECOND_FINANCE))
    approve(other, second, second.version_id)
    db.session.commit()
    references = first.reference, second.reference
    db.session.remove()
    return references


def test_finance_approves_pays_and_downloads_the_spreadsheet_by_clicking(site: Browser, demo, committed_db, tmp_path):
    page, main = site.page, site.page.locator("main")
    to_approve, approved_by_other = _instalments_due(committed_db)
    _signed_in_at_home(site, "finance@example.org")
    _each_queue(site, "finance")

    # Approve an instalment due.
    site.follow(page.locator("#queue-instalments_to_approve a"))
    expect(site.heading()).to_have_text("Payments due")
    site.follow(main.get_by_role("link", name=to_approve, exact=True))
    site.follow(page.get_by_role("button", name="Approve for payment"))
    _no_errors(site)
    expect(page.locator("#state")).to_have_text("Approved for payment")

    # To pay: the one they approved waits for someone else; the one another approved they mark paid.
    _home(site)
    site.follow(page.locator("#queue-instalments_to_pay a"))
    expect(main).to_contain_text(approved_by_other)
    site.follow(main.get_by_role("link", name=to_approve, exact=True))
    expect(page.get_by_role("button", name="Mark as paid")).to_have_count(0)
    _home(site)
    site.follow(page.locator("#queue-instalments_to_pay a"))
    site.follow(main.get_by_role("link", name=approved_by_other, exact=True))
    today = datetime.now(UTC).date()
    group = page.get_by_role("group", name="Date paid")
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Finance system reference").fill("BACS-2026-201")
    site.follow(page.get_by_role("button", name="Mark as paid"))
    _no_errors(site)
    expect(page.locator("#state")).to_have_text("Paid")

    # Held instalments, and one of them.
    _home(site)
    site.follow(page.locator("#queue-instalments_held a"))
    site.follow(main.locator("table tbody tr a").first)
    expect(main).to_contain_text("Release the hold")

    # The finance spreadsheet, downloaded and opened.
    site.follow(_menu(site).get_by_role("link", name="Payments", exact=True))
    site.follow(main.get_by_role("link", name="Download the finance spreadsheet of awards and payments"))
    expect(site.heading()).to_have_text("Download the finance spreadsheet")
    page.get_by_label("Programme").select_option("MSCF")
    for legend, (day, month, year) in (
        ("Start of the period", ("1", "4", "2020")),
        ("End of the period", ("31", "3", "2030")),
    ):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill(day)
        group.get_by_label("Month").fill(month)
        group.get_by_label("Year").fill(year)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    workbook = load_workbook(path)
    assert "Awards" in workbook.sheetnames, workbook.sheetnames
    assert workbook["Awards"].max_row > 1


# -- admin -----------------------------------------------------------------------------------------------
ADMIN_PAGES = (
    ("Staff roles", "roles"),
    ("Two-factor sign-in", "two-factor"),
    ("Audit log", "audit"),
    ("Programmes", "Programmes"),
    ("Vocabularies", "Vocabularies"),
    ("Monitoring plans", "Monitoring plans"),
    ("Application forms", "Application forms"),
    ("Workflows", "Workflows"),
    ("API tokens", "API tokens"),
    ("Subject access request", "subject access"),
)


def test_an_admin_reaches_failed_emails_roles_and_reference_data_by_clicking(site: Browser, demo):
    page, main = site.page, site.page.locator("main")
    _signed_in_at_home(site, "admin@example.org")
    _each_queue(site, "admin")
    site.follow(page.locator("#queue-failed_emails a"))
    expect(site.heading()).to_contain_text("Emails")

    admin_menu = _menu(site).get_by_role("link", name="Admin", exact=True)
    for link, heading in ADMIN_PAGES:
        site.follow(admin_menu)
        site.follow(main.get_by_role("link", name=link, exact=True))
        expect(site.heading()).to_contain_text(heading, ignore_case=True)
        _no_errors(site)

    # Reference data: a programme's page, a vocabulary's terms.
    site.follow(admin_menu)
    site.follow(main.get_by_role("link", name="Programmes", exact=True))
    site.follow(main.locator("table tbody tr a").first)
    expect(site.heading()).to_have_text("Change the name and the standard agreement terms")
    site.follow(admin_menu)
    site.follow(main.get_by_role("link", name="Vocabularies", exact=True))
    site.follow(main.get_by_role("link", name="District", exact=True))
    expect(site.heading()).to_contain_text("District")

    # The emails the programmes send, one programme's list and one email's wording.
    _home(site)
    site.follow(main.get_by_role("link", name="emails your programmes send"))
    site.follow(main.get_by_role("link", name="Mayor's Safer Communities Fund (MSCF)"))
    expect(site.heading()).to_have_text("Emails Mayor's Safer Communities Fund sends")
    site.follow(main.locator("table tbody tr a, ul.govuk-list a").first)
    expect(main.locator("form")).not_to_have_count(0)


@pytest.mark.parametrize("email", ["assessor@example.org", "decision@example.org"])
def test_the_assessors_and_decision_makers_menu_fits_one_line_on_their_work(site: Browser, demo, email):
    _signed_in_at_home(site, email)
