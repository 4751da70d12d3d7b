"""Finance asks for a big finance spreadsheet in a real browser: it is made in the background, the page
says it is waiting, "Check again" shows it ready, and it downloads; axe on every page.

The threshold is set to two awards, and the served app's queue keeps jobs in memory until the test
plays the worker (one job taken from the queue and run, as `grantflow worker` does)."""

from __future__ import annotations

import pytest
from huey import MemoryHuey
from openpyxl import load_workbook
from playwright.sync_api import expect

from grants.extensions import db
from grants.jobs import queue
from grants.jobs.services import run
from tests.browser.conftest import Browser
from tests.datasets.finance import build_finance_data, database_totals, pence, sheet_rows
from tests.factories import PASSWORD, staff_user

pytestmark = pytest.mark.browser

FINANCE = "fiona.finance@example.org"


@pytest.fixture
def waiting_queue(app, monkeypatch, tmp_path):
    """Jobs wait on a queue in memory (not run at once) until `work_one` takes one."""
    huey = MemoryHuey("journey", results=False)
    monkeypatch.setitem(app.extensions, "job_queue", queue.attach(app, huey, run))
    monkeypatch.setitem(app.config, "BACKGROUND_EXPORT_ROWS", 2)
    monkeypatch.setitem(app.config, "EXPORT_FOLDER", str(tmp_path / "exports"))

    def work_one() -> None:
        message = huey.dequeue()
        assert message is not None, "nothing was queued"
        with app.app_context():
            huey.execute(message)
            db.session.remove()

    return work_one


def _fill_date(site: Browser, legend: str, day: str, month: str, year: str) -> None:
    group = site.page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_finance_asks_for_a_big_spreadsheet_sees_it_waiting_then_ready_and_downloads_it(
    site, committed_db, waiting_queue, tmp_path
):
    data = build_finance_data()
    staff_user("finance", email=FINANCE, name="Fiona Finance")
    expected = database_totals(data)
    committed_db.session.remove()

    site.sign_in(FINANCE, PASSWORD)
    site.visit("/finance/")
    expect(site.page.get_by_text("is made while you do something else")).to_be_visible()
    site.page.get_by_label("Programme").select_option("FIN")
    _fill_date(site, "Start of the period", "1", "4", "2022")
    _fill_date(site, "End of the period", "31", "3", "2023")
    site.follow(site.page.get_by_role("button", name="Download"))

    expect(site.heading()).to_have_text("Your file is being made")
    expect(site.page.get_by_role("status")).to_contain_text("Waiting to start")
    job_page = site.path

    waiting_queue()  # the worker takes the job and makes the file

    site.follow(site.page.get_by_role("button", name="Check again"))
    assert site.path == job_page
    expect(site.heading()).to_have_text("Your file is ready")
    expect(site.page.get_by_role("status")).to_contain_text(f"{len(data.in_period)} rows")
    with site.page.expect_download() as download:
        site.page.get_by_role("link", name="Download FIN-finance-2022-04-01-to-2023-03-31.xlsx (XLSX)").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "FIN-finance-2022-04-01-to-2023-03-31.xlsx"
    rows = sheet_rows(load_workbook(path)["Awards"])
    assert sum(pence(row["Amount awarded (£)"]) for row in rows) == expected["awarded"]

    site.follow(site.page.get_by_role("link", name="Your files").first)
    expect(site.heading()).to_have_text("Your files")
    expect(site.page.get_by_role("link", name="FIN finance spreadsheet, 1 April 2022 to 31 March 2023")).to_be_visible()
    expect(site.page.locator(".govuk-table .govuk-tag")).to_have_text("Ready")
