"""The committee report in a real browser, with axe on every page (issue 6, point 7).

An officer opens Reports, then a round's committee report (approved at decision), switches to
the current figures and reads how the decision became them. The data is the small programme
of `tests/datasets/committee_report.py`, committed so the server sees it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browser
from tests.datasets.committee_report import build
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _summary_row(site: Browser, row_id: str) -> list[str]:
    return [text.strip() for text in site.page.locator(f"#{row_id} td").all_inner_texts()]


def test_an_officer_reads_the_committee_report_on_both_bases(site: Browser, live_server, committed_db):
    data = build()
    officer_email = data.officer.email
    committed_db.session.remove()

    site.sign_in(officer_email, PASSWORD)
    site.visit("/reports/")
    expect(site.heading()).to_have_text("Reports")
    site.follow(site.page.get_by_role("link", name="Committee report for Test fund round 2"))

    expect(site.heading()).to_have_text("Committee report: Test fund round 2")
    expect(site.page.get_by_label("Approved at decision")).to_be_checked()
    # Round 2 at decision and now, then rounds 1 to 2 at decision and now: both bases side by side.
    assert _summary_row(site, "summary-awarded") == ["4", "2", "5", "3"]
    assert _summary_row(site, "summary-amount") == ["£6,500.50", "£3,200.50", "£7,500.50", "£4,200.50"]
    chart = site.page.get_by_role("img", name="Round 2: projects by area of focus")
    expect(chart).to_have_count(1)
    expect(site.page.get_by_role("table", name="Round 2: projects by area of focus")).to_be_visible()

    site.page.get_by_label("Current").check()
    site.follow(site.page.get_by_role("button", name="Show these figures"))

    expect(site.page.get_by_label("Current")).to_be_checked()
    expect(site.page.locator("#basis-shown")).to_contain_text("Showing: current.")
    assert _summary_row(site, "summary-awarded") == ["4", "2", "5", "3"]  # the same table, whichever basis
    reconciliation = site.page.get_by_role("table", name="Round 2: approved at decision, to current")
    expect(reconciliation).to_contain_text("Offer declined after the decision")
    expect(reconciliation).to_contain_text("TST-R2-0002")
    expect(reconciliation).to_contain_text("Variation 1: £2,500.00 to £2,000.00")
    expect(site.page.get_by_role("link", name="Download this report as a spreadsheet (XLSX)")).to_have_attribute(
        "href", "/reports/committee/TST-R2/spreadsheet?basis=current"
    )
