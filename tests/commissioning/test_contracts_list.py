"""An officer sorts the contracts list by its column headers both ways (older `order=` links still work),
and downloads exactly the rows of every page, filtered and sorted the same, as CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from tests.factories import ContractFactory, OrganisationFactory, ProgrammeFactory, staff_user
from tests.statements import statements_at_page_sizes


@pytest.fixture
def programme():
    return ProgrammeFactory(code="SRT", name="Sorting Fund", kind="commissioning")


@pytest.fixture
def four(programme):
    cedar = OrganisationFactory(name="Cedar Trust")
    made = {
        "a": ContractFactory(programme=programme, public_reference="SRT-001", title="Youth boxing", provider=cedar,
                             amount_pence=300_000, end_date=date(2027, 3, 31), state="delivering"),
        "b": ContractFactory(programme=programme, public_reference="SRT-002", title="=Art in parks",
                             provider=OrganisationFactory(name="Acorn"), amount_pence=100_000,
                             end_date=date(2026, 3, 31), state="need_identified"),
        "c": ContractFactory(programme=programme, public_reference="SRT-003", title="Night walks", provider=None,
                             amount_pence=200_000, end_date=None, state="mobilising"),
        "d": ContractFactory(programme=programme, public_reference="SRT-004", title="Youth boxing", provider=cedar,
                             amount_pence=300_000, end_date=date(2027, 3, 31), state="delivering"),
    }  # fmt: skip
    return {name: contract.public_reference for name, contract in made.items()}


@pytest.fixture
def officer(programme):
    return staff_user("officer", programme)


def _references(client, query: str = "") -> list[str]:
    response = client.get(f"/commissioning/contracts?{query}")
    assert response.status_code == 200
    return re.findall(r">(SRT-\d{3})</a>", response.get_data(as_text=True))


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("reference", "abcd"),
        ("title", "bcad"),  # the two "Youth boxing" tie: by id
        ("provider", "cbad"),  # no provider yet first
        ("programme", "abcd"),  # all one programme: by id
        ("state", "adcb"),  # delivering, delivering, mobilising, need identified
        ("value", "bcad"),
        ("ends", "badc"),  # no end date after every date
    ],
)
def test_an_officer_sorts_the_contracts_by_each_column_both_ways(client, sign_in, officer, four, column, ascending):
    sign_in(officer)
    expected = [four[name] for name in ascending]

    assert _references(client, f"sort={column}&dir=asc") == expected
    assert _references(client, f"sort={column}&dir=desc") == expected[::-1]  # ties too: the id reverses


def test_older_links_with_order_still_sort_and_dir_wins_over_order(client, sign_in, officer, four):
    sign_in(officer)
    by_value_down = [four[name] for name in "dacb"]

    assert _references(client, "sort=value&order=desc") == by_value_down
    assert _references(client, "sort=value&dir=desc&order=asc") == by_value_down


@pytest.mark.parametrize(
    "query",
    ["sort=%00&dir=up", "sort=drop%20table&order=%00", "sort=" + "x" * 5000, "sort=99999999999999999999&dir=desc"],
)
def test_an_odd_sort_is_the_reference_order_not_an_error(client, sign_in, officer, four, query):
    sign_in(officer)

    assert _references(client, query) == [four[name] for name in "abcd"]


def test_a_header_says_how_the_list_is_sorted_and_its_link_reverses_it_keeping_the_filters(
    client, sign_in, officer, four
):
    html = sign_in(officer).get("/commissioning/contracts?state=contracted&sort=value&dir=asc").get_data(as_text=True)

    header = re.search(r'<th[^>]*aria-sort="ascending"[^>]*>\s*<a[^>]*href="([^"]+)"', html)
    assert header is not None
    assert header.group(1).replace("&amp;", "&") == "/commissioning/contracts?state=contracted&sort=value&dir=desc"
    assert html.count('aria-sort="none"') == 6  # the other sortable columns
    assert 'name="dir" value="asc"' in html  # filtering again keeps the sort


def test_the_csv_has_the_rows_of_every_page_with_the_filters_and_sort(app, client, sign_in, officer, four):
    sign_in(officer)
    query = "state=contracted&sort=ends&dir=desc"
    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        shown = [reference for page in (1, 2, 3) for reference in _references(client, f"{query}&page={page}")]
        html = client.get(f"/commissioning/contracts?{query}").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size
    link = re.search(r'<a[^>]*href="([^"]+)"[^>]*>Download these contracts as CSV</a>', html)
    assert link is not None

    rows = _csv_rows(client.get(link.group(1).replace("&amp;", "&")))

    assert shown == [four[name] for name in "cda"]  # "contracted" leaves out the need identified
    assert rows[0][:3] == ["Reference", "Title", "Provider"]
    assert [row[0] for row in rows[1:]] == shown


def test_csv_cells_a_spreadsheet_would_run_start_with_an_apostrophe(client, sign_in, officer, four):
    rows = _csv_rows(sign_in(officer).get("/commissioning/contracts.csv?sort=reference"))

    assert rows[2][:3] == ["SRT-002", "'=Art in parks", "Acorn"]


def test_only_the_lists_own_readers_download_it(client, sign_in, programme, four):
    other = ProgrammeFactory(code="OTH", name="Other Fund", kind="commissioning")

    assert _csv_rows(sign_in(staff_user("officer", other)).get("/commissioning/contracts.csv")) == [
        _csv_rows(sign_in(staff_user("officer", programme)).get("/commissioning/contracts.csv"))[0]
    ]  # another programme's officer: the header and no rows
    assert sign_in(staff_user("assessor", programme)).get("/commissioning/contracts.csv").status_code == 403


def test_a_page_runs_the_same_statements_for_one_row_or_many(client, sign_in, officer, four):
    sign_in(officer)
    url = "/commissioning/contracts?sort=provider&dir=desc"
    client.get(url)  # anything read once per process is read now

    few, many = statements_at_page_sizes(client, url, (1, 50))

    assert few == many
