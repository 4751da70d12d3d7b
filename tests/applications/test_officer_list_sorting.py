"""An officer sorts a round's applications by any column header, both ways; the CSV keeps the sort."""

from __future__ import annotations

import pytest

from tests.applications.test_officer_list import TERMS, bid, download, listing, references
from tests.factories import OrganisationFactory, RoundFactory, ensure_terms, staff_user


@pytest.fixture
def three(client, sign_in):
    round_ = RoundFactory(code="MSCF-R7", title="Round 7")
    terms = ensure_terms(TERMS)
    sign_in(staff_user("officer", round_.programme))
    made = {
        "a": bid(round_, terms, number=1, amount=300_000, state="eligible", project_title="Youth boxing",
                 organisation=OrganisationFactory(name="Cedar Group")),
        "b": bid(round_, terms, number=2, amount=100_000, state="submitted", project_title="Art in parks",
                 organisation=OrganisationFactory(name="Acorn Club")),
        "c": bid(round_, terms, number=3, amount=200_000, state="ineligible", project_title="Night walks",
                 organisation=OrganisationFactory(name="Bramble Trust")),
    }  # fmt: skip
    return round_, {name: application.public_reference for name, application in made.items()}


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("reference", ["a", "b", "c"]),
        ("organisation", ["b", "c", "a"]),
        ("project", ["b", "c", "a"]),
        ("amount", ["b", "c", "a"]),
        ("state", ["a", "c", "b"]),  # eligible, ineligible, submitted
    ],
)
def test_an_officer_sorts_the_rounds_applications_by_each_column_both_ways(client, three, column, ascending):
    round_, refs = three
    query = "?state=&sort={}&dir={}"
    expected = [refs[name] for name in ascending]

    assert references(listing(client, round_, query.format(column, "asc")), round_) == expected
    assert references(listing(client, round_, query.format(column, "desc")), round_) == expected[::-1]


def test_an_unknown_sort_is_the_reference_order_and_the_header_says_how_it_is_sorted(client, three):
    round_, refs = three

    html = listing(client, round_, "?state=&sort=%00drop&dir=" + "x" * 5000)

    assert references(html, round_) == [refs["a"], refs["b"], refs["c"]]
    assert html.count('aria-sort="ascending"') == 1 and html.count('aria-sort="none"') == 4


def test_the_csv_keeps_the_lists_sort(client, three):
    round_, refs = three

    rows = download(client, round_, "?state=&sort=amount&dir=desc")

    assert [row[0] for row in rows[1:]] == [refs["a"], refs["c"], refs["b"]]
