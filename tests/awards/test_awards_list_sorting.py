"""An officer sorts the awards list by any column header, both ways, keeping its filters."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.factories import AwardFactory, OrganisationFactory, ProgrammeFactory, ensure_terms, staff_user


@pytest.fixture
def three(client, sign_in):
    ensure_terms({("budget_stream", "community_safety"): "Community Safety", ("budget_stream", "youth"): "Youth"})
    programme = ProgrammeFactory(code="SRT", name="Sorting Fund")
    made = {
        "a": AwardFactory(programme=programme, public_reference="SRT-0001", title="Youth boxing", state="offered",
                          amount_pence=300_000, budget_stream="youth", organisation=OrganisationFactory(name="Cedar")),
        "b": AwardFactory(programme=programme, public_reference="SRT-0002", title="Art in parks", state="accepted",
                          amount_pence=100_000, budget_stream="community_safety",
                          organisation=OrganisationFactory(name="Acorn")),
        "c": AwardFactory(programme=programme, public_reference="SRT-0003", title="Night walks", state="closed",
                          amount_pence=200_000, budget_stream="youth",
                          organisation=OrganisationFactory(name="Bramble")),
    }  # fmt: skip
    sign_in(staff_user("officer", programme))
    return {name: award.public_reference for name, award in made.items()}


def _references(client, query: str) -> list[str]:
    response = client.get(f"/awards/?programme=SRT&{query}")
    assert response.status_code == 200
    return re.findall(r">(SRT-\d{4})</a>", response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("reference", ["a", "b", "c"]),
        ("organisation", ["b", "c", "a"]),
        ("project", ["b", "c", "a"]),
        ("stream", ["b", "a", "c"]),  # community_safety, then youth (ties by id)
        ("amount", ["b", "c", "a"]),
        ("state", ["b", "c", "a"]),  # accepted, closed, offered
    ],
)
def test_an_officer_sorts_the_awards_by_each_column_both_ways(client, three, column, ascending):
    expected = [three[name] for name in ascending]

    assert _references(client, f"sort={column}&dir=asc") == expected
    assert _references(client, f"sort={column}&dir=desc") == expected[::-1]  # ties too: the id reverses


def test_an_unknown_sort_is_the_reference_order(client, three):
    assert _references(client, "sort=%00&dir=up") == [three["a"], three["b"], three["c"]]


def test_a_header_link_keeps_the_filters_and_reverses_the_sort(client, three):
    html = client.get("/awards/?programme=SRT&sort=amount&dir=asc").get_data(as_text=True)

    header = re.search(r'<th[^>]*aria-sort="ascending"[^>]*>\s*<a[^>]*href="([^"]+)"', html)
    assert header is not None
    assert header.group(1).replace("&amp;", "&") == "/awards/?programme=SRT&sort=amount&dir=desc"


def test_the_awards_without_a_schedule_sort_by_each_column_both_ways(client, sign_in):
    programme = ProgrammeFactory()
    made = [
        AwardFactory(programme=programme, state="offered", amount_pence=300_000,
                     organisation=OrganisationFactory(name="Cedar")),
        AwardFactory(programme=programme, state="accepted", amount_pence=100_000,
                     organisation=OrganisationFactory(name="Acorn")),
        AwardFactory(programme=programme, state="active", amount_pence=200_000,
                     organisation=OrganisationFactory(name="Bramble")),
    ]  # fmt: skip
    sign_in(staff_user("officer", programme))

    def listed(query: str) -> list[int]:
        html = client.get(f"/awards/without-schedule?{query}").get_data(as_text=True)
        return [int(n) for n in re.findall(r'href="/payments/awards/(\d+)/schedule"', html)]

    a, b, c = (award.id for award in made)
    for column, ascending in (("organisation", [b, c, a]), ("amount", [b, c, a]), ("state", [b, c, a])):
        assert listed(f"sort={column}&dir=asc") == ascending, column
        assert listed(f"sort={column}&dir=desc") == ascending[::-1], column


def test_the_awards_csv_has_every_award_the_list_shows_with_its_filters_and_sort(app, client, three):
    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        shown = [ref for page in (1, 2, 3) for ref in _references(client, f"sort=amount&dir=desc&page={page}")]
        assert "Download these 3 awards as CSV" in client.get("/awards/?programme=SRT").get_data(as_text=True)
        response = client.get("/awards/awards.csv?programme=SRT&sort=amount&dir=desc")
    finally:
        app.config["PAGE_SIZE"] = size

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Reference", "Organisation", "Project", "Budget stream", "Amount (£)", "State"]
    assert [row[0] for row in rows[1:]] == shown
    assert rows[1][1:3] + rows[1][4:5] == ["Cedar", "Youth boxing", "3000.00"]
    offered = client.get("/awards/awards.csv?programme=SRT&state=offered").get_data().decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(offered))][1:] == [three["a"]]
