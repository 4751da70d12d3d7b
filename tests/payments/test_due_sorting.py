"""Payments due sorts by its columns (headers are links, the sort is in the address) and downloads as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from tests.factories import OrganisationFactory, PaymentFactory, ProgrammeFactory, ReturnFactory
from tests.payments.helpers import award, people, text_of
from tests.statements import statements_at_page_sizes

MAY = date(2023, 5, 1)


def _references(client, url: str) -> list[str]:
    html = client.get(url).get_data(as_text=True)
    return re.findall(
        r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="/payments/\d+">([^<]+)</a>', html
    )


def _csv(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def three(sign_in):
    """Three outstanding instalments of three organisations, each first by a different column."""
    team = people()
    first = award(team.programme, organisation=OrganisationFactory(name="Bramble Trust"))
    second = award(team.programme, organisation=OrganisationFactory(name="Acorn Club"))
    third = award(team.programme, organisation=OrganisationFactory(name="Cedar Group"))
    payments = {
        "june": PaymentFactory(award=first, amount_pence=50_000, due_on=date(2023, 6, 1), state="held"),
        "may": PaymentFactory(award=second, amount_pence=90_000, due_on=MAY, state="scheduled"),
        "july": PaymentFactory(award=third, amount_pence=10_000, due_on=date(2023, 7, 1), state="approved"),
    }
    PaymentFactory(award=award(ProgrammeFactory()), due_on=MAY)  # someone else's programme
    sign_in(team.finance)
    return {name: p.reference for name, p in payments.items()}


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("due", ["may", "june", "july"]),
        ("organisation", ["may", "june", "july"]),  # Acorn, Bramble, Cedar
        ("amount", ["july", "june", "may"]),
        ("state", ["july", "june", "may"]),  # approved, held, scheduled
    ],
)
def test_finance_sorts_payments_due_by_each_column_both_ways(client, three, column, ascending):
    expected = [three[name] for name in ascending]

    assert _references(client, f"/payments/due?sort={column}&dir=asc") == expected
    assert _references(client, f"/payments/due?sort={column}&dir=desc") == expected[::-1]


def test_payments_due_opens_on_the_earliest_due_and_an_unknown_sort_is_that_order(client, three):
    opened = _references(client, "/payments/due")

    assert opened == [three["may"], three["june"], three["july"]]
    assert _references(client, "/payments/due?sort=%00nonsense&dir=sideways") == opened
    assert _references(client, "/payments/due?sort=" + "x" * 5000) == opened


def test_a_column_header_is_a_link_that_reverses_the_sort_and_says_how_it_is_sorted(client, three):
    html = client.get("/payments/due?sort=amount&dir=asc&state=").get_data(as_text=True)

    header = re.search(r'<th[^>]*aria-sort="ascending"[^>]*>\s*<a[^>]*href="([^"]+)"', html)
    assert header is not None
    link = header.group(1).replace("&amp;", "&")
    assert "sort=amount" in link and "dir=desc" in link and "state=" in link
    assert html.count('aria-sort="none"') == 4


def test_the_sort_is_kept_from_page_to_page_and_no_instalment_is_repeated_or_missed(app, client, sign_in):
    team = people()
    grant = award(team.programme, amount_pence=10_000_000)
    made = [PaymentFactory(award=grant, instalment=n, amount_pence=5_000, due_on=MAY) for n in range(1, 8)]
    sign_in(team.finance)
    original = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 3
    try:
        seen = []
        for number in (1, 2, 3):
            seen += _references(client, f"/payments/due?sort=amount&dir=desc&page={number}")
    finally:
        app.config["PAGE_SIZE"] = original

    assert seen == [p.reference for p in sorted(made, key=lambda p: p.id, reverse=True)]


def test_the_csv_holds_every_instalment_the_list_shows_with_its_filters_and_sort(app, client, three):
    original = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 1
    try:
        query = "sort=amount&dir=desc&state="
        shown = [ref for page in (1, 2, 3) for ref in _references(client, f"/payments/due?{query}&page={page}")]
        assert "Download these 3 instalments as CSV" in text_of(client.get(f"/payments/due?{query}"))
        rows = _csv(client, f"/payments/due.csv?{query}")
    finally:
        app.config["PAGE_SIZE"] = original

    assert rows[0] == ["Due", "Instalment", "Award", "Organisation", "Amount (£)", "State", "Paid on", "Waits for"]
    assert [row[1] for row in rows[1:]] == shown
    assert rows[1][3:5] == ["Acorn Club", "900.00"]


def test_the_csv_keeps_the_state_filter_and_leaves_out_other_programmes(client, three):
    rows = _csv(client, "/payments/due.csv?state=held")

    assert [row[1] for row in rows[1:]] == [three["june"]]


def test_a_csv_with_impossible_dates_goes_back_to_the_list_which_says_what_is_wrong(client, three):
    response = client.get("/payments/due.csv?from-day=31&from-month=2&from-year=2023")

    assert response.status_code == 302
    assert "/payments/due?" in response.headers["Location"]


def test_sorting_payments_due_runs_the_same_statements_whatever_the_page_size(client, sign_in):
    team = people()
    grant = award(team.programme, amount_pence=10_000_000)
    for number in range(1, 31):
        PaymentFactory(
            award=grant,
            instalment=number,
            amount_pence=10_000 + number,
            due_on=MAY + timedelta(days=number),
            monitoring_return=ReturnFactory(award=grant) if number % 3 == 0 else None,
        )
    sign_in(team.finance)
    small, large = statements_at_page_sizes(client, "/payments/due?sort=organisation&dir=desc", (2, 25))

    assert small == large
