"""Finance downloads the finance spreadsheet in a real browser, with axe on every page (issue 6, point 5).

A period typed backwards is explained on the page (error summary linking to the date), what
was typed is kept; put right, the spreadsheet downloads and its totals are the database's.
"""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import Browser
from tests.datasets.finance import build_finance_data, database_totals, pence, sheet_rows
from tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.browser

FINANCE = "fatima.finance@example.org"


def _fill_date(site: Browser, legend: str, day: str, month: str, year: str) -> None:
    group = site.page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_finance_downloads_the_spreadsheet_after_putting_a_backwards_period_right(site, committed_db, tmp_path):
    data = build_finance_data()
    staff_user("finance", email=FINANCE, name="Fatima Finance")
    expected = database_totals(data)
    committed_db.session.remove()

    site.sign_in(FINANCE, PASSWORD)
    site.visit("/finance/")
    expect(site.heading()).to_have_text("Download the finance spreadsheet")
    site.page.get_by_label("Programme").select_option("FIN")
    _fill_date(site, "Start of the period", "1", "4", "2023")
    _fill_date(site, "End of the period", "31", "3", "2023")
    site.follow(site.page.get_by_role("button", name="Download"))

    summary = site.page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date the period ends must be the same as or after 1 April 2023")
    expect(site.page.get_by_role("group", name="Start of the period").get_by_label("Year")).to_have_value("2023")
    summary.get_by_role("link").click()
    expect(site.page.locator("#ends_on-day")).to_be_focused()

    _fill_date(site, "Start of the period", "1", "4", "2022")
    with site.page.expect_download() as download:
        site.page.get_by_role("button", name="Download").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    assert path.name == "FIN-finance-2022-04-01-to-2023-03-31.xlsx"
    rows = sheet_rows(load_workbook(path)["Awards"])
    assert sum(pence(row["Amount awarded (£)"]) for row in rows) == expected["awarded"]
    assert "87654321" in {row["Account number"] for row in rows}
