"""Staff start from Your work: an officer follows a count to the cases waiting for them and opens one,
then finds a bid from the header's search; finance opens the payments waiting, outstanding first;
axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_an_officer_goes_from_their_work_to_a_case_and_finds_another_by_search(site, demo):
    page = site.page
    site.sign_in("officer@example.org")
    assert site.path == "/work/", site.path
    expect(site.heading()).to_have_text("Your work")
    expect(page.locator(".govuk-service-navigation").get_by_role("link", name="Your work")).to_be_visible()

    waiting = page.locator("table[data-role=officer] tr:has(td strong) a").first  # a queue with work in it
    title = waiting.inner_text()
    site.follow(waiting)
    assert site.path != "/work/", title
    first = page.locator("main table tbody tr a").first
    reference = first.inner_text()
    site.follow(first)
    expect(page.locator("h1")).to_contain_text(reference)

    page.get_by_label("Find a reference or organisation").fill("MSCF-R3-00")
    site.follow(page.get_by_role("button", name="Find", exact=True))
    expect(page.locator("#search-results caption")).to_contain_text("results")
    found = page.locator("#search-results tbody tr a").first
    bid = found.inner_text()
    site.follow(found)
    expect(page.locator("h1")).to_contain_text(bid)

    page.get_by_label("Find a reference or organisation").fill(bid)
    site.follow(page.get_by_role("button", name="Find", exact=True))
    assert site.path.startswith("/cases/application/"), site.path  # one exact match opens it


def test_finance_opens_the_payments_waiting_outstanding_and_oldest_first(site, demo):
    page = site.page
    site.sign_in("finance@example.org")
    expect(site.heading()).to_have_text("Your work")
    site.follow(page.locator("#queue-instalments_to_approve a"))
    expect(site.heading()).to_have_text("Payments due")
    expect(page.locator("#state")).to_have_value("scheduled")
    site.follow(page.locator(".govuk-service-navigation").get_by_role("link", name="Payments"))
    expect(page.locator("#state")).to_have_value("outstanding")
    expect(page.locator("table tbody")).not_to_contain_text("Paid on")
