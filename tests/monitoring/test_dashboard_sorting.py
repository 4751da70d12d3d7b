"""The monitoring dashboard's tables sort by their columns both ways (descending the exact reverse, ties by
id, empty cells after the rest on either database), odd input is the default order, and each table's CSV
holds the rows of all its pages with the dashboard's filters and that table's sort."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta

import pytest

from grants.formatting import LONDON
from tests.factories import AwardFactory, OrganisationFactory, ProgrammeFactory, ReturnFactory, staff_user
from tests.statements import statements_at_page_sizes


def today() -> date:
    return datetime.now(LONDON).date()


@pytest.fixture
def programme():
    return ProgrammeFactory(code="MSCF", name="Mayor's Safer Communities Fund")


@pytest.fixture
def officer(programme):
    return staff_user("officer", programme)


def award_of(programme, reference, organisation, **kwargs):
    return AwardFactory(programme=programme, public_reference=reference, state="active",
                        organisation=OrganisationFactory(name=organisation), **kwargs)  # fmt: skip


def overdue(award, days_late):
    return ReturnFactory(award=award, workflow_version=2, state="overdue", due_date=today() - timedelta(days=days_late))


@pytest.fixture
def late(programme):
    """Three overdue returns: two ten days late from organisations of one name, one thirty days late."""
    made = {
        "r1": overdue(award_of(programme, "MSCF-0001", "Birch"), 10),
        "r2": overdue(award_of(programme, "MSCF-0002", "=Acorn"), 30),
        "r3": overdue(award_of(programme, "MSCF-0003", "Birch"), 10),
    }
    return {name: r.award.public_reference for name, r in made.items()}


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start + 1)
    return page[start : end if end != -1 else len(page)]


def _grants(client, query: str, table: str = "overdue") -> list[str]:
    response = client.get(f"/monitoring?{query}")
    assert response.status_code == 200
    return re.findall(r">([A-Z]+-\d{4})<", section(response.get_data(as_text=True), table))


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("reference", ["r1", "r2", "r3"]),
        ("organisation", ["r2", "r1", "r3"]),  # the two Birches by id
        ("due", ["r2", "r1", "r3"]),
        ("days_late", ["r1", "r3", "r2"]),  # least late first
    ],
)
def test_the_overdue_returns_sort_by_each_column_both_ways(client, sign_in, officer, late, column, ascending):
    sign_in(officer)
    expected = [late[name] for name in ascending]

    assert _grants(client, f"sort_overdue={column}&dir_overdue=asc") == expected
    assert _grants(client, f"sort_overdue={column}&dir_overdue=desc") == expected[::-1]


def test_spend_sorts_by_rating_most_pressing_first_and_unreported_spend_after_the_rest(
    client, sign_in, programme, officer
):
    awards = {
        rating: award_of(programme, f"MSCF-00{n}0", f"Org {n}", rag_rating=rating)
        for n, rating in enumerate(["green", None, "red", "amber"], start=1)
    }
    for spent, rating in ((50_000, "green"), (20_000, "red")):
        ReturnFactory(award=awards[rating], workflow_version=2, state="accepted", spend_to_date_pence=spent,
                      period_ends_on=date(2024, 6, 30), due_date=date(2024, 7, 14))  # fmt: skip
    sign_in(officer)
    reference = {rating: award.public_reference for rating, award in awards.items()}

    by_rating = [reference[r] for r in ("red", "amber", "green", None)]
    assert _grants(client, "sort_spend=rating&dir_spend=asc", "spend") == by_rating
    assert _grants(client, "sort_spend=rating&dir_spend=desc", "spend") == by_rating[::-1]
    by_spend = [reference[r] for r in ("red", "green", None, "amber")]  # none reported: by id, after the rest
    assert _grants(client, "sort_spend=spend&dir_spend=asc", "spend") == by_spend
    assert _grants(client, "sort_spend=spend&dir_spend=desc", "spend") == by_spend[::-1]


def test_overdue_by_programme_sorts_by_its_columns_in_the_table_and_its_csv(client, sign_in, programme, late):
    overdue(award_of(ProgrammeFactory(code="VRU", name="Violence Reduction Unit"), "VRU-0001", "Elm"), 3)
    client = sign_in(staff_user("admin"))

    def programmes(query: str) -> list[str]:
        html = section(client.get(f"/monitoring?{query}").get_data(as_text=True), "overdue_by_programme")
        return re.findall(r'<th scope="row" class="govuk-table__header">([A-Z]+)</th>', html)

    assert programmes("") == ["MSCF", "VRU"]
    assert programmes("sort_overdue_by_programme=programme&dir_overdue_by_programme=desc") == ["VRU", "MSCF"]
    assert programmes("sort_overdue_by_programme=overdue&dir_overdue_by_programme=asc") == ["VRU", "MSCF"]
    assert programmes("sort_overdue_by_programme=overdue&dir_overdue_by_programme=desc") == ["MSCF", "VRU"]
    rows = _csv_rows(client.get("/monitoring/export/overdue_by_programme.csv?sort_overdue_by_programme=programme"
                                "&dir_overdue_by_programme=desc"))  # fmt: skip
    assert rows[1:] == [["VRU", "1"], ["MSCF", "3"]]


@pytest.mark.parametrize(
    "query",
    [
        "sort_overdue=%00&dir_overdue=%00",
        "sort_overdue=flags&dir_overdue=up",
        "sort_overdue=" + "x" * 5000,
        "dir_overdue=99999999999999999999&page_overdue=99999999999999999999",
        "round=%00&state=%00&programme=%00",
        "officer=99999999999999999999",
    ],
)
def test_odd_sorts_and_filters_give_the_default_order_not_an_error(client, sign_in, officer, late, query):
    sign_in(officer)

    assert _grants(client, query) == [late[name] for name in ("r2", "r3", "r1")]  # most days late first
    assert [row[0] for row in _csv_rows(client.get(f"/monitoring/export/overdue.csv?{query}"))[1:]] == [
        late[name] for name in ("r2", "r3", "r1")
    ]


def test_a_tables_csv_has_the_rows_of_all_its_pages_with_the_filters_and_its_sort(app, client, sign_in, late):
    overdue(award_of(ProgrammeFactory(code="VRU", name="Violence Reduction Unit"), "VRU-0001", "Elm"), 3)
    client = sign_in(staff_user("admin"))
    query = "programme=MSCF&sort_overdue=organisation&dir_overdue=desc"
    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        shown = [grant for page in (1, 2, 3) for grant in _grants(client, f"{query}&page_overdue={page}")]
        html = section(client.get(f"/monitoring?{query}").get_data(as_text=True), "overdue")
    finally:
        app.config["PAGE_SIZE"] = size
    link = re.search(r'href="([^"]+)">CSV<span class="govuk-visually-hidden"> of overdue returns', html)
    assert link is not None

    rows = _csv_rows(client.get(link.group(1).replace("&amp;", "&")))

    assert shown == [late[name] for name in ("r3", "r1", "r2")]  # no VRU: the programme filter
    assert [row[0] for row in rows[1:]] == shown
    assert rows[3][1] == "'=Acorn"  # a spreadsheet shows it, never runs it


def test_only_the_dashboards_readers_download_its_tables(client, sign_in, programme, late):
    other = ProgrammeFactory(code="VRU", name="Violence Reduction Unit")

    assert len(_csv_rows(sign_in(staff_user("officer", other)).get("/monitoring/export/overdue.csv"))) == 1
    assert sign_in(staff_user("assessor", programme)).get("/monitoring/export/overdue.csv").status_code == 403


def test_the_page_runs_the_same_statements_for_a_page_of_one_or_of_many(client, sign_in, officer, late):
    sign_in(officer)
    url = "/monitoring?sort_overdue=organisation&dir_overdue=desc&sort_spend=spend"
    client.get(url)  # anything read once per process is read now

    few, many = statements_at_page_sizes(client, url, (1, 50))

    assert few == many
