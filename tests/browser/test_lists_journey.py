"""An officer sorts a case list by a column header, filters it, and downloads what it shows as CSV; the
ranking's second page carries the running total in from the first and says where the funding line is,
with the running total in view at 1280 px. Axe on every page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Browser
from tests.factories import PASSWORD, ApplicationFactory, ProgrammeFactory, RoundFactory, staff_user

pytestmark = pytest.mark.browser


def test_an_officer_sorts_filters_and_downloads_a_case_list(site: Browser, live_server, committed_db):
    programme = ProgrammeFactory()
    round_ = RoundFactory(programme=programme)
    small = ApplicationFactory(round=round_, state="submitted", amount_requested_pence=100_000)
    large = ApplicationFactory(round=round_, state="submitted", amount_requested_pence=900_000)
    eligible = ApplicationFactory(round=round_, state="eligible", amount_requested_pence=500_000)
    staff_user("officer", programme, email="priya@example.org", name="Priya Sharma")
    page = site.page

    site.sign_in("priya@example.org", PASSWORD)
    site.visit("/cases/application")
    page.get_by_text("Filter applications").click()
    page.get_by_label("Submitted", exact=True).check()
    site.follow(page.get_by_role("button", name="Apply filters"))
    expect(page.locator("main table")).not_to_contain_text(eligible.reference)

    amount = page.locator("main table thead a", has_text="Amount")
    site.follow(amount)
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Amount")
    rows = page.locator("main table tbody tr")
    expect(rows.nth(0)).to_contain_text(small.reference)
    expect(amount).to_contain_text("sorted ascending: sort descending")  # what a screen reader hears
    site.follow(amount)
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Amount")
    expect(rows.nth(0)).to_contain_text(large.reference)
    assert "state=submitted" in page.url and "dir=desc" in page.url

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these 2 applications as CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        body = file.read()
    references = [row[0] for row in csv.reader(io.StringIO(body))][1:]
    assert references == [large.reference, small.reference]


def test_the_second_page_of_the_ranking_carries_the_running_total_and_points_to_the_funding_line(
    site: Browser, live_server, committed_db, app
):
    programme = ProgrammeFactory()
    round_ = RoundFactory(programme=programme, code="LJ-R1", state="closed", budget_pence=1_000_000)
    for number in range(1, 6):
        ApplicationFactory(
            round=round_,
            amount_requested_pence=300_000,
            state="in_assessment",
            public_reference=f"LJ-R1-{number:04d}",
            submitted_at=datetime(2022, 11, 3, tzinfo=UTC),
        )
    staff_user("officer", programme, email="olu@example.org", name="Olu Adeyemi")
    page = site.page
    original = app.config.get("RANKING_PAGE_SIZE")
    app.config["RANKING_PAGE_SIZE"] = 2
    try:
        site.sign_in("olu@example.org", PASSWORD)
        site.visit("/panel/rounds/LJ-R1/ranking")
        expect(page.locator("#ranking-position")).to_contain_text(
            "5 bids; 3 above the funding line, within the £10,000.00 budget; funding line on page 2"
        )
        site.follow(page.locator("#ranking-position").get_by_role("link", name="page 2"))

        expect(page.locator("#carried-total")).to_contain_text("£6,000.00")
        expect(page.locator("#ranking-position")).to_contain_text("funding line on this page")
        expect(page.locator("#funding-line")).to_be_visible()
        running = page.locator("#ranking th", has_text="Running total")
        box = running.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280, box
    finally:
        if original is None:
            app.config.pop("RANKING_PAGE_SIZE")
        else:
            app.config["RANKING_PAGE_SIZE"] = original


def test_the_demo_rounds_ranking_says_where_its_funding_line_is_and_fits_1280_px(site: Browser, demo):
    page = site.page

    site.sign_in("officer@example.org")
    site.visit("/panel/rounds/MSCF-R3/ranking")

    expect(page.locator("#ranking-position")).to_contain_text(
        "191 bids; 73 above the funding line, within the £510,000.00 budget; funding line on page 2"
    )
    running = page.locator("#ranking th", has_text="Running total")
    box = running.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280, box


def test_an_officer_takes_a_case_on_and_finds_it_under_cases_they_look_after(site: Browser, live_server, committed_db):
    programme = ProgrammeFactory()
    round_ = RoundFactory(programme=programme)
    mine = ApplicationFactory(round=round_, state="submitted")
    other = ApplicationFactory(round=round_, state="submitted")
    staff_user("officer", programme, email="priya@example.org", name="Priya Sharma")
    staff_user("officer", programme, email="tom@example.org", name="Tom Baker")
    page = site.page

    site.sign_in("priya@example.org", PASSWORD)
    site.visit("/work/")
    site.follow(page.get_by_role("link", name="Cases", exact=True).first)
    site.follow(page.get_by_role("link", name="Applications", exact=True))
    site.follow(page.get_by_role("link", name=mine.reference))
    expect(page.locator("#case-officer")).to_contain_text("Nobody yet")
    page.get_by_label("Who looks after this application").select_option(label="Priya Sharma")
    site.follow(page.get_by_role("button", name="Save officer"))
    expect(page.locator(".govuk-notification-banner, .app-flash, main").first).to_contain_text(
        f"Priya Sharma now looks after {mine.reference}."
    )
    expect(page.locator("#history")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Officer: nobody → Priya Sharma")

    site.visit("/work/")
    queue = page.locator("#queue-cases_you_look_after")
    expect(queue).to_contain_text("1")
    site.follow(queue.get_by_role("link"))
    site.follow(page.get_by_role("link", name="Applications you look after"))
    expect(page.get_by_label("Officer", exact=True)).to_have_value("me")
    expect(page.locator("main table")).to_contain_text(mine.reference)
    expect(page.locator("main table")).not_to_contain_text(other.reference)
