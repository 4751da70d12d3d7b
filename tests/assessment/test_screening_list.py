"""An officer sorts a round's screening list by its column headers both ways (the screening status in the
order the work goes: not started, in progress, passed, failed) and downloads every bid of every page, in
the same order, as CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest

from grants.extensions import db
from grants.models import ScreeningCheck
from grants.models.assessments import SCREENING_ITEMS
from tests.factories import ApplicationFactory, OrganisationFactory, ProgrammeFactory, RoundFactory, staff_user
from tests.statements import statements_at_page_sizes

ALL_PASS = dict.fromkeys(SCREENING_ITEMS, "pass")


@pytest.fixture
def round_():
    return RoundFactory(code="MSCF-R8", title="Safer Communities Round 8", state="closed")


@pytest.fixture
def officer(round_):
    return staff_user("officer", round_.programme)


@pytest.fixture
def five(round_):
    """Five bids, each column with a tie in it; their checklists not started, part done, passed, failed."""
    bids = [
        ("Cedar", "Youth boxing", 300_000, "submitted", None),
        ("=Acorn", "Art in parks", 100_000, "submitted", ({"accounts": "pass"}, None)),
        ("Bramble", "Youth boxing", 300_000, "eligible", (ALL_PASS, "low")),
        ("Cedar", "Night walks", 200_000, "information_requested", ({**ALL_PASS, "accounts": "fail"}, "high")),
        ("Bramble", "Parks", 100_000, "submitted", (ALL_PASS, None)),  # every item, no fraud risk: in progress
    ]
    made = {}
    for number, (organisation, title, amount, state, check) in enumerate(bids, start=1):
        application = ApplicationFactory(
            round=round_, organisation=OrganisationFactory(name=organisation), project_title=title,
            amount_requested_pence=amount, state=state, public_reference=f"MSCF-R8-{number:04d}",
        )  # fmt: skip
        if check is not None:
            db.session.add(ScreeningCheck(application_id=application.id, answers=check[0], fraud_risk=check[1]))
        made[f"b{number}"] = application.public_reference
    ApplicationFactory(round=round_, state="draft", public_reference=None)  # not submitted: not listed
    db.session.commit()
    return made


def _references(client, query: str = "") -> list[str]:
    response = client.get(f"/assessing/rounds/MSCF-R8/screening?{query}")
    assert response.status_code == 200
    return re.findall(r">(MSCF-R8-\d{4})</a>", response.get_data(as_text=True))


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("reference", ["b1", "b2", "b3", "b4", "b5"]),
        ("organisation", ["b2", "b3", "b5", "b1", "b4"]),
        ("project", ["b2", "b4", "b5", "b1", "b3"]),
        ("amount", ["b2", "b5", "b4", "b1", "b3"]),
        ("state", ["b3", "b4", "b1", "b2", "b5"]),  # eligible, information requested, submitted
        ("screening", ["b1", "b2", "b5", "b3", "b4"]),  # not started, in progress (2), passed, failed
        ("fraud_risk", ["b3", "b4", "b1", "b2", "b5"]),  # low, high, then not rated
    ],
)
def test_an_officer_sorts_the_screening_list_by_each_column_both_ways(
    client, sign_in, officer, five, column, ascending
):
    sign_in(officer)
    expected = [five[name] for name in ascending]

    assert _references(client, f"sort={column}&dir=asc") == expected
    assert _references(client, f"sort={column}&dir=desc") == expected[::-1]  # ties too: the id reverses


def test_the_screening_sort_agrees_with_the_status_each_row_shows(client, sign_in, officer, five):
    html = sign_in(officer).get("/assessing/rounds/MSCF-R8/screening?sort=screening").get_data(as_text=True)

    shown = re.findall(r"<td[^>]*>(Not started|In progress|Passed|Failed)</td>", html)
    assert shown == ["Not started", "In progress", "In progress", "Passed", "Failed"]


@pytest.mark.parametrize(
    "query",
    ["sort=%00&dir=%00", "sort=" + "x" * 5000 + "&dir=up", "sort=99999999999999999999&page=99999999999999999999"],
)
def test_an_odd_sort_is_the_reference_order_not_an_error(client, sign_in, officer, five, query):
    sign_in(officer)

    assert _references(client, query) == [five[name] for name in ("b1", "b2", "b3", "b4", "b5")]


def test_a_header_link_reverses_the_sort(client, sign_in, officer, five):
    html = sign_in(officer).get("/assessing/rounds/MSCF-R8/screening?sort=amount&dir=asc").get_data(as_text=True)

    header = re.search(r'<th[^>]*aria-sort="ascending"[^>]*>\s*<a[^>]*href="([^"]+)"', html)
    assert header is not None
    assert header.group(1).replace("&amp;", "&") == "/assessing/rounds/MSCF-R8/screening?sort=amount&dir=desc"


def test_the_csv_has_the_bids_of_every_page_in_the_same_order(app, client, sign_in, officer, five):
    sign_in(officer)
    query = "sort=screening&dir=desc"
    app.config["PAGE_SIZE"], size = 2, app.config["PAGE_SIZE"]
    try:
        shown = [reference for page in (1, 2, 3) for reference in _references(client, f"{query}&page={page}")]
        html = client.get(f"/assessing/rounds/MSCF-R8/screening?{query}").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size
    link = re.search(r'<a[^>]*href="([^"]+)"[^>]*>Download these 5 bids as CSV</a>', html)
    assert link is not None

    rows = _csv_rows(client.get(link.group(1).replace("&amp;", "&")))

    assert shown == [five[name] for name in ("b4", "b3", "b5", "b2", "b1")]
    assert rows[0] == ["Reference", "Organisation", "Project", "Amount requested (£)", "State", "Screening",
                       "Fraud risk"]  # fmt: skip
    assert [row[0] for row in rows[1:]] == shown
    assert rows[1][1:] == ["Cedar", "Night walks", "2000.00", "More information requested", "Failed", "High"]
    assert rows[4][1] == "'=Acorn"  # a spreadsheet shows it, never runs it


def test_only_the_rounds_officers_download_its_screening(client, sign_in, round_, five):
    other = staff_user("officer", ProgrammeFactory(code="VRU"))

    assert sign_in(other).get("/assessing/rounds/MSCF-R8/screening.csv").status_code == 404
    assert (
        sign_in(staff_user("assessor", round_.programme)).get("/assessing/rounds/MSCF-R8/screening.csv").status_code
        == 403
    )


def test_a_page_runs_the_same_statements_for_one_bid_or_many(client, sign_in, officer, five):
    sign_in(officer)
    url = "/assessing/rounds/MSCF-R8/screening?sort=fraud_risk&dir=desc"
    client.get(url)  # anything read once per process is read now

    few, many = statements_at_page_sizes(client, url, (1, 50))

    assert few == many
