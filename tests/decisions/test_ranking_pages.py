"""The ranking comes a page of bids at a time, each page showing the budget, the running total carried in
from the pages before, and where the funding line falls."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.factories import PASSWORD, ApplicationFactory, OrganisationFactory, RoundFactory, staff_user
from tests.fixtures import sign_in_as
from tests.statements import statements_at_page_sizes


@pytest.fixture
def seven_bids():
    """Seven unscored bids of £3,000 (ranked by reference) against a £10,000 budget: three fit."""
    round_ = RoundFactory(code="MSCF-R8", title="Round 8", state="closed", budget_pence=1_000_000)
    bids = [
        ApplicationFactory(
            round=round_,
            organisation=OrganisationFactory(),
            amount_requested_pence=300_000,
            state="in_assessment",
            public_reference=f"MSCF-R8-{number:04d}",
            submitted_at=datetime(2022, 11, 3, tzinfo=UTC),
        )
        for number in range(1, 8)
    ]
    return round_, bids


@pytest.fixture
def officer_client(app, seven_bids):
    round_, _bids = seven_bids
    officer = staff_user("officer", round_.programme)
    client = app.test_client()
    assert sign_in_as(client, officer.email, PASSWORD).status_code == 302
    original = app.config.get("RANKING_PAGE_SIZE")
    app.config["RANKING_PAGE_SIZE"] = 2
    yield client
    if original is None:
        app.config.pop("RANKING_PAGE_SIZE")
    else:
        app.config["RANKING_PAGE_SIZE"] = original


def _page(client, number: int | str) -> str:
    response = client.get(f"/panel/rounds/MSCF-R8/ranking?page={number}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def _references(html: str) -> list[str]:
    return re.findall(r'id="bid-\d+">\s*<td[^>]*>\d+</td>\s*<td[^>]*><a[^>]*>(MSCF-R8-\d{4})</a>', html)


def test_each_page_of_the_ranking_shows_its_share_of_the_bids_and_every_bid_is_on_one_page(officer_client):
    seen = [ref for number in (1, 2, 3, 4) for ref in _references(_page(officer_client, number))]

    assert seen == [f"MSCF-R8-{n:04d}" for n in range(1, 8)]


def test_the_summary_says_how_many_bids_fit_the_budget_and_which_page_the_funding_line_is_on(officer_client):
    first = _text(_page(officer_client, 1))

    assert "7 bids; 3 above the funding line, within the £10,000.00 budget; funding line on page 2." in first
    assert "The funding line is on page 2: every bid on this page is above it." in first
    assert 'id="funding-line"' not in _page(officer_client, 1)


def test_the_page_with_the_funding_line_draws_it_after_the_last_bid_that_fits(officer_client):
    html = _page(officer_client, 2)

    assert "funding line on this page" in _text(html)
    assert html.index("MSCF-R8-0003") < html.index('id="funding-line"') < html.index("MSCF-R8-0004")


def test_a_later_page_carries_in_the_running_total_of_the_bids_ranked_above(officer_client):
    third = _text(_page(officer_client, 3))

    assert "Carried from the 4 bids ranked above (page 2 and before) £12,000.00" in third
    assert "Running total carried from the bids ranked above: £12,000.00." in third
    assert "The funding line is on page 2: every bid on this page is below it." in third
    assert "£10,000.00" in third  # the budget is on every page


def test_a_page_past_the_end_or_not_a_number_shows_a_page_of_the_ranking(officer_client):
    assert _references(_page(officer_client, 99)) == ["MSCF-R8-0007"]
    assert _references(_page(officer_client, "%00" + "9" * 5000)) == ["MSCF-R8-0001", "MSCF-R8-0002"]


def test_a_link_to_a_bid_opens_the_ranking_page_it_is_on(officer_client, seven_bids):
    _round, bids = seven_bids

    response = officer_client.get(f"/panel/rounds/MSCF-R8/ranking?bid={bids[4].id}")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/panel/rounds/MSCF-R8/ranking?page=3#bid-{bids[4].id}")
    assert officer_client.get("/panel/rounds/MSCF-R8/ranking?bid=²").status_code == 200


def test_a_ranking_page_runs_the_same_statements_whatever_the_page_size(officer_client):
    small, large = statements_at_page_sizes(
        officer_client, "/panel/rounds/MSCF-R8/ranking?page=1", (2, 50), setting="RANKING_PAGE_SIZE"
    )

    assert small == large
