"""A case list sorts by its column headers both ways, filters by state, programme, round and the day a
case last changed state (all in its address), says what is wrong with odd filters, and downloads as CSV
with exactly the rows the pages show."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

import pytest

from grants.extensions import db
from grants.models import Membership
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    staff_user,
)
from tests.statements import statements_at_page_sizes


def _ids(client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code in (200, 400), response.status_code
    return [int(n) for n in re.findall(r'href="/cases/application/(\d+)"', response.get_data(as_text=True))]


def _csv(client, url: str) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


class Lists:
    """Three applications in one round of the officer's programme, each first by a different column,
    one in another round, one the officer is conflicted on and one on another programme."""

    def __init__(self) -> None:
        self.programme = ProgrammeFactory(name="Safer Streets")
        self.officer = staff_user("officer", self.programme)
        self.round = RoundFactory(programme=self.programme, code="SS-R1")
        self.other_round = RoundFactory(programme=self.programme, code="SS-R2")

        def made(state: str, amount: int, changed: datetime, round_=None, **kwargs):
            return ApplicationFactory(
                round=round_ or self.round,
                state=state,
                amount_requested_pence=amount,
                state_changed_at=changed,
                **kwargs,
            )

        self.a = made("submitted", 300_000, datetime(2023, 5, 2, 9, tzinfo=UTC))
        self.b = made("eligible", 100_000, datetime(2023, 5, 9, 9, tzinfo=UTC))
        self.c = made("in_assessment", 200_000, datetime(2023, 4, 30, 23, 30, tzinfo=UTC))  # 1 May in London
        self.later = made("submitted", 900_000, datetime(2023, 6, 1, tzinfo=UTC), round_=self.other_round)
        conflicted = made("submitted", 50_000, datetime(2023, 5, 3, tzinfo=UTC))
        db.session.add(Membership(user_id=self.officer.id, organisation_id=conflicted.organisation_id))
        ApplicationFactory(round=RoundFactory(programme=ProgrammeFactory()), state="submitted")
        db.session.commit()
        self.conflicted = conflicted


@pytest.fixture
def seen(client, sign_in):
    made = Lists()
    sign_in(made.officer)
    return made


@pytest.mark.parametrize(
    ("column", "ascending"),
    [
        ("reference", ["a", "b", "c", "later"]),
        ("state", ["b", "c", "a", "later"]),  # eligible, in assessment, submitted (ties by id)
        ("changed", ["c", "a", "b", "later"]),
        ("amount", ["b", "c", "a", "later"]),
    ],
)
def test_an_officer_sorts_a_case_list_by_each_column_both_ways(client, seen, column, ascending):
    expected = [getattr(seen, name).id for name in ascending]

    assert _ids(client, f"/cases/application?sort={column}&dir=asc") == expected
    assert _ids(client, f"/cases/application?sort={column}&dir=desc") == expected[::-1]


def test_ties_keep_the_same_order_on_every_page_so_no_case_is_repeated_or_missed(app, client, sign_in):
    programme = ProgrammeFactory()
    officer = staff_user("officer", programme)
    round_ = RoundFactory(programme=programme)
    made = [ApplicationFactory(round=round_, state="submitted", amount_requested_pence=1_000) for _ in range(7)]
    sign_in(officer)
    app.config["PAGE_SIZE"], size = 3, app.config["PAGE_SIZE"]
    try:
        shown = [i for page in (1, 2, 3) for i in _ids(client, f"/cases/application?sort=amount&dir=desc&page={page}")]
    finally:
        app.config["PAGE_SIZE"] = size

    assert shown == sorted((a.id for a in made), reverse=True)


def test_a_column_header_links_to_the_other_direction_keeping_the_filters(client, seen):
    html = client.get(f"/cases/application?sort=amount&dir=asc&round={seen.round.id}").get_data(as_text=True)

    header = re.search(r'<th[^>]*aria-sort="ascending"[^>]*>\s*<a[^>]*href="([^"]+)"', html)
    assert header is not None
    link = header.group(1).replace("&amp;", "&")
    assert "sort=amount" in link and "dir=desc" in link and f"round={seen.round.id}" in link
    assert html.count('aria-sort="none"') == 4  # reference, state, last changed, officer


def test_an_officer_filters_by_round_state_and_the_day_a_case_last_changed(client, seen):
    assert _ids(client, f"/cases/application?round={seen.other_round.id}") == [seen.later.id]
    assert _ids(client, "/cases/application?state=submitted&state=eligible") == [seen.a.id, seen.b.id, seen.later.id]
    assert _ids(client, f"/cases/application?programme={seen.programme.id}&round={seen.round.id}") == [
        seen.a.id,
        seen.b.id,
        seen.c.id,
    ]
    may = "/cases/application?changed-from=2023-05-01&changed-to=2023-05-02"
    assert _ids(client, may) == [seen.a.id, seen.c.id]  # 23:30 UTC on 30 April is 1 May in London
    assert _ids(client, "/cases/application?changed-from=2/5/2023&changed-to=9/5/2023") == [seen.a.id, seen.b.id]


def test_filters_are_kept_across_pages_and_in_the_sort_links(app, client, seen):
    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        html = client.get(f"/cases/application?round={seen.round.id}&sort=amount&dir=desc").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = size

    assert f"round={seen.round.id}&amp;sort=amount&amp;dir=desc&amp;page=2" in html
    assert "Download these 3 applications as CSV" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("changed-from=2023-02-31", "The ‘changed from’ date must be a real date, for example, 2023-05-31"),
        ("changed-to=" + "9" * 5000, "The ‘changed to’ date must be a real date, for example, 2023-05-31"),
        ("changed-from=%00", None),
        ("changed-from=0001-01-01", "The ‘changed from’ date must be a year between 1900 and 2999"),
        (
            "changed-from=2023-06-01&changed-to=2023-05-01",
            "The ‘changed to’ date must be the same as or after the ‘changed from’ date",
        ),
        ("programme=" + "9" * 5000, "Choose a programme from the list"),
        ("round=1e5", "Choose a round from the list"),
        ("round=-1", "Choose a round from the list"),
    ],
)
def test_odd_filters_get_a_specific_message_never_an_error_page(client, seen, query, message):
    response = client.get(f"/cases/application?{query}")

    page = response.get_data(as_text=True)
    if message is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert message in page and "There is a problem" in page
        assert _ids(client, f"/cases/application?{query}") == []


def test_an_impossible_date_is_shown_again_as_typed(client, seen):
    page = client.get("/cases/application?changed-from=2023-02-31").get_data(as_text=True)

    assert 'name="changed-from" type="date" value="2023-02-31"' in page


def test_an_unknown_programme_or_round_lists_nothing(client, seen):
    assert _ids(client, "/cases/application?programme=999999999") == []
    assert _ids(client, "/cases/application?round=999999999&state=%00x" + "y" * 5000) == []


def test_the_csv_holds_exactly_the_rows_of_every_page_with_the_same_filters_and_sort(app, client, seen):
    query = f"programme={seen.programme.id}&sort=amount&dir=desc"
    app.config["PAGE_SIZE"], size = 1, app.config["PAGE_SIZE"]
    try:
        shown = [i for page in (1, 2, 3, 4) for i in _ids(client, f"/cases/application?{query}&page={page}")]
        rows = _csv(client, f"/cases/application/cases.csv?{query}")
    finally:
        app.config["PAGE_SIZE"] = size

    by_id = {seen.a.id: seen.a, seen.b.id: seen.b, seen.c.id: seen.c, seen.later.id: seen.later}
    assert rows[0] == ["Reference", "Title", "Organisation", "State", "Amount (£)", "State changed", "Officer"]
    assert [row[0] for row in rows[1:]] == [by_id[i].reference for i in shown]
    assert rows[1][4] == "9000.00"
    assert seen.conflicted.reference not in {row[0] for row in rows}


def test_a_csv_with_a_mistake_in_its_filters_goes_back_to_the_list(client, seen):
    response = client.get("/cases/application/cases.csv?changed-from=2023-13-01")

    assert response.status_code == 302
    assert "/cases/application?changed-from=2023-13-01" in response.headers["Location"]


def test_a_filtered_sorted_case_list_runs_the_same_statements_whatever_the_page_size(client, sign_in):
    programme = ProgrammeFactory()
    officer = staff_user("officer", programme)
    round_ = RoundFactory(programme=programme)
    for number in range(30):
        ApplicationFactory(
            round=round_, state="submitted", organisation=OrganisationFactory(), amount_requested_pence=number
        )
    sign_in(officer)
    url = f"/cases/application?round={round_.id}&changed-from=2000-01-01&sort=amount&dir=desc"
    client.get(url)  # the first request after the factories also loads what they left in the session
    small, large = statements_at_page_sizes(client, url, (2, 25))

    assert small == large
