"""An officer lists a round's applications: filters, pages, the total asked for, and a CSV download."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from grants.extensions import db
from grants.models import ApplicationTerm, Term
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    ensure_terms,
    member_of,
    staff_user,
)
from tests.statements import counting_selects

TERMS = {
    ("district", "bradford"): "Bradford",
    ("district", "leeds"): "Leeds",
    ("district", "wakefield"): "Wakefield",
    ("area_of_focus", "serious_violence"): "Serious Violence",
    ("area_of_focus", "road_safety"): "Road Safety, Speeding and Dangerous Driving",
    ("priority", "safer_places"): "Safer Places and Thriving Communities",
    ("theme", "early_intervention"): "Early Intervention and Prevention",
}


@pytest.fixture
def terms() -> dict[str, Term]:
    return ensure_terms(TERMS)


@pytest.fixture
def round_():
    return RoundFactory(code="MSCF-R9", title="Safer Communities Round 9")


@pytest.fixture
def officer(round_, sign_in):
    user = staff_user("officer", round_.programme)
    sign_in(user)
    return user


_numbers = iter(range(1, 10_000))


def bid(round_, terms, *, tags=("leeds",), amount=500_000, state="submitted", organisation=None, number=None, **kwargs):
    """An application to the round, tagged with districts, areas of focus, priorities or themes."""
    number = number or next(_numbers)
    submitted = state != "draft"
    application = ApplicationFactory(
        round=round_,
        organisation=organisation or OrganisationFactory(),
        amount_requested_pence=amount,
        state=state,
        public_reference=f"{round_.code}-{number:04d}" if submitted else None,
        **{"submitted_at": datetime(2022, 11, 3, 15, 30, tzinfo=UTC) if submitted else None, **kwargs},
    )
    db.session.add_all(ApplicationTerm(application_id=application.id, term_id=terms[code].id) for code in tags)
    db.session.commit()
    return application


def listing(client, round_, query: str = "") -> str:
    response = client.get(f"/officer/rounds/{round_.code}/applications{query}")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def references(html: str, round_) -> list[str]:
    import re

    return re.findall(rf">({round_.code}-\d{{4}})</a>", html)


def test_an_officer_sees_the_rounds_submitted_applications_by_reference_with_what_they_ask_for(
    client, round_, terms, officer
):
    later = bid(round_, terms, amount=798_550, project_title="Gloves Not Knives", number=9042)
    earlier = bid(
        round_, terms, amount=120_000, organisation=OrganisationFactory(name="Holbeck Youth Project"), number=9007
    )
    bid(round_, terms, state="draft", amount=700_000)
    bid(RoundFactory(programme=round_.programme), terms, amount=300_000)  # another round

    html = listing(client, round_)

    assert references(html, round_) == [earlier.public_reference, later.public_reference]
    assert "2 applications asking for £9,185.50" in html
    assert "Holbeck Youth Project" in html and "Gloves Not Knives" in html and "£7,985.50" in html
    assert f'href="/cases/application/{later.id}"' in html


def test_drafts_are_listed_only_when_asked_for(client, round_, terms, officer):
    bid(round_, terms, amount=100_000)
    bid(round_, terms, state="draft", amount=250_000, project_title="Unfinished idea")

    html = listing(client, round_, "?state=draft")

    assert "1 application asking for £2,500.00" in html
    assert "Unfinished idea" in html


def test_the_state_filter_narrows_the_list_and_shows_plain_labels(client, round_, terms, officer):
    bid(round_, terms, state="submitted", project_title="Still waiting")
    bid(round_, terms, state="information_requested", project_title="Asked a question")

    html = listing(client, round_, "?state=information_requested")

    assert "Asked a question" in html and "Still waiting" not in html
    assert "More information requested" in html


def test_the_district_filter_narrows_the_list(client, round_, terms, officer):
    bid(round_, terms, tags=("leeds", "bradford"), project_title="Both sides of the border")
    bid(round_, terms, tags=("bradford",), project_title="Only Bradford")
    bid(round_, terms, tags=("wakefield",), project_title="Only Wakefield")

    html = listing(client, round_, "?district=bradford")

    assert "Both sides of the border" in html and "Only Bradford" in html and "Only Wakefield" not in html
    assert "2 applications" in html
    assert "Bradford, Leeds" in html


def test_the_area_of_focus_filter_narrows_the_list(client, round_, terms, officer):
    bid(round_, terms, tags=("leeds", "serious_violence"), project_title="Knife crime workshops")
    bid(round_, terms, tags=("leeds", "road_safety"), project_title="Community Speedwatch")
    bid(round_, terms, tags=("leeds",), project_title="Tackles none of them")

    html = listing(client, round_, "?area_of_focus=road_safety")

    assert "Community Speedwatch" in html
    assert "Knife crime workshops" not in html and "Tackles none of them" not in html
    assert "Road Safety, Speeding and Dangerous Driving" in html


def test_the_amount_filters_narrow_the_list_inclusively_in_pounds(client, round_, terms, officer):
    for pounds in (1_000, 2_500, 4_000, 8_000):
        bid(round_, terms, amount=pounds * 100, project_title=f"Asks {pounds}")

    html = listing(client, round_, "?amount_from=%C2%A32%2C500&amount_to=4000.00")

    assert [t for t in ("Asks 1000", "Asks 2500", "Asks 4000", "Asks 8000") if t in html] == ["Asks 2500", "Asks 4000"]
    assert "2 applications asking for £6,500.00" in html


def test_an_amount_that_is_not_money_is_explained_and_ignored(client, round_, terms, officer):
    bid(round_, terms, amount=100_000)
    bid(round_, terms, amount=700_000)

    html = listing(client, round_, "?amount_from=lots&amount_to=5000")

    assert "There is a problem" in html
    assert "Enter the amount from in pounds" in html
    assert 'href="#amount_from"' in html
    assert "1 application asking for £1,000.00" in html
    assert 'value="lots"' in html


def test_an_amount_to_below_the_amount_from_is_explained(client, round_, terms, officer):
    bid(round_, terms)

    html = listing(client, round_, "?amount_from=5000&amount_to=100")

    assert "The amount to must be the same as or more than the amount from" in html


def test_the_organisation_filter_matches_part_of_the_name_in_any_case(client, round_, terms, officer):
    bid(round_, terms, organisation=OrganisationFactory(name="Keighley Boxing Club"), project_title="Boxing")
    bid(round_, terms, organisation=OrganisationFactory(name="Batley Food Bank"), project_title="Food")
    bid(round_, terms, organisation=OrganisationFactory(name="100% Dewsbury"), project_title="Percent")

    assert "Boxing" in listing(client, round_, "?organisation=BOXING+club")
    assert "Food" not in listing(client, round_, "?organisation=BOXING+club")
    percent = listing(client, round_, "?organisation=%25")
    assert "1 application" in percent and "Percent" in percent


def test_filters_combine(client, round_, terms, officer):
    bid(round_, terms, tags=("leeds", "serious_violence"), amount=700_000, project_title="Match")
    bid(round_, terms, tags=("leeds", "serious_violence"), amount=100_000, project_title="Too small")
    bid(round_, terms, tags=("bradford", "serious_violence"), amount=700_000, project_title="Wrong district")

    html = listing(client, round_, "?district=leeds&area_of_focus=serious_violence&amount_from=5000")

    assert "Match" in html and "Too small" not in html and "Wrong district" not in html


def test_the_list_is_paged_and_the_total_covers_every_matching_application(client, round_, terms, officer):
    for _ in range(30):
        bid(round_, terms, amount=123_456)

    first, second = listing(client, round_), listing(client, round_, "?page=2")

    assert len(references(first, round_)) == 25 and len(references(second, round_)) == 5
    assert "Showing 26 to 30 of 30" in second
    assert "30 applications asking for £37,036.80" in first and "30 applications asking for £37,036.80" in second
    assert set(references(first, round_)).isdisjoint(references(second, round_))


def test_the_pager_keeps_the_filters(client, round_, terms, officer):
    for _ in range(26):
        bid(round_, terms, tags=("wakefield",))

    html = listing(client, round_, "?district=wakefield")

    assert "district=wakefield" in html.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_the_page_uses_the_same_number_of_statements_for_3_or_60_matching_applications(client, round_, terms, officer):
    def statements() -> int:
        with counting_selects() as seen:
            listing(client, round_, "?area_of_focus=serious_violence")
        return len(seen)

    for _ in range(3):
        bid(round_, terms, tags=("leeds", "bradford", "serious_violence", "safer_places"))
    few = statements()
    for _ in range(57):
        bid(round_, terms, tags=("leeds", "serious_violence", "early_intervention"))
    many = statements()

    assert few == many
    assert "60 applications" in listing(client, round_, "?area_of_focus=serious_violence")


# -- CSV -------------------------------------------------------------------------------------------
def download(client, round_, query: str = "") -> list[list[str]]:
    response = client.get(f"/officer/rounds/{round_.code}/applications.csv{query}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{round_.code}-applications.csv"'
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_the_csv_has_a_header_and_the_filtered_rows_with_money_as_numbers(client, round_, terms, officer):
    bid(
        round_,
        terms,
        tags=("bradford", "leeds", "serious_violence", "safer_places", "early_intervention"),
        amount=798_550,
        organisation=OrganisationFactory(name="Keighley Boxing Club", org_type="cic"),
        project_title="Gloves Not Knives",
        people_reached=120,
    )
    bid(round_, terms, tags=("wakefield",), project_title="Not in Leeds")

    rows = download(client, round_, "?district=leeds")

    assert rows[0] == [
        "Reference", "Organisation", "Organisation type", "Districts", "Areas of focus", "Priorities", "Themes",
        "Project title", "Amount requested", "People reached", "State", "Submitted at",
    ]  # fmt: skip
    assert len(rows) == 2
    assert rows[1][1:] == [
        "Keighley Boxing Club", "Community interest company (CIC)", "Bradford; Leeds", "Serious Violence",
        "Safer Places and Thriving Communities", "Early Intervention and Prevention", "Gloves Not Knives",
        "7985.50", "120", "Submitted", "2022-11-03T15:30:00+00:00",
    ]  # fmt: skip


def test_the_csv_gives_submission_times_in_london_time(client, round_, terms, officer):
    bid(round_, terms, submitted_at=datetime(2022, 10, 20, 11, 0, tzinfo=UTC))

    rows = download(client, round_)

    assert rows[1][-1] == "2022-10-20T12:00:00+01:00"


def test_a_formula_in_a_name_comes_out_as_text(client, round_, terms, officer):
    bid(
        round_,
        terms,
        organisation=OrganisationFactory(name='=HYPERLINK("http://evil.example","Click me")'),
        project_title="+44 helpline",
    )
    bid(round_, terms, organisation=OrganisationFactory(name="@risk youth"), project_title="-5 degrees club")

    rows = download(client, round_)

    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","Click me")'
    assert rows[1][7] == "'+44 helpline"
    assert (rows[2][1], rows[2][7]) == ("'@risk youth", "'-5 degrees club")
    assert rows[1][8] == "5000.00"


def test_the_csv_of_many_applications_has_every_row(client, round_, terms, officer):
    for _ in range(40):
        bid(round_, terms)

    rows = download(client, round_)

    assert len(rows) == 41
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])


# -- who may see it --------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_an_officer_on_another_programme_gets_not_found(client, round_, terms, sign_in, suffix):
    bid(round_, terms)
    sign_in(staff_user("officer", ProgrammeFactory()))

    assert client.get(f"/officer/rounds/{round_.code}/applications{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_an_unknown_round_is_not_found(client, officer, suffix):
    assert client.get(f"/officer/rounds/NOPE-R1/applications{suffix}").status_code == 404


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_an_admin_on_every_programme_may_see_it(client, round_, terms, sign_in, suffix):
    bid(round_, terms)
    sign_in(staff_user("admin"))

    assert client.get(f"/officer/rounds/{round_.code}/applications{suffix}").status_code == 200


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_an_assessor_on_the_programme_is_refused(client, round_, terms, sign_in, suffix):
    sign_in(staff_user("assessor", round_.programme))

    assert client.get(f"/officer/rounds/{round_.code}/applications{suffix}").status_code == 403


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_an_applicant_is_refused(client, round_, terms, sign_in, suffix):
    application = bid(round_, terms)
    sign_in(member_of(application.organisation))

    assert client.get(f"/officer/rounds/{round_.code}/applications{suffix}").status_code == 403


@pytest.mark.parametrize("suffix", ["", ".csv"])
def test_someone_not_signed_in_is_sent_to_sign_in(client, round_, suffix):
    response = client.get(f"/officer/rounds/{round_.code}/applications{suffix}")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# -- a download that fails ---------------------------------------------------------------------------
def _failing_row_after(count: int, monkeypatch):
    from grants.applications import services

    real, done = services._csv_row, []

    def row(application, states):
        if len(done) >= count:
            raise RuntimeError("the database went away")
        done.append(application.id)
        return real(application, states)

    monkeypatch.setattr(services, "_csv_row", row)


def test_a_csv_that_fails_before_its_first_row_is_an_error_page_not_an_empty_file(
    app, client, round_, terms, officer, monkeypatch
):
    bid(round_, terms)
    _failing_row_after(0, monkeypatch)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get(f"/officer/rounds/{round_.code}/applications.csv")
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert response.mimetype == "text/html"


def test_a_csv_that_fails_part_way_ends_saying_it_is_incomplete_and_breaks_off(
    app, client, round_, terms, officer, monkeypatch
):
    from grants.applications import services

    monkeypatch.setattr(services, "CSV_BATCH", 2)
    for _ in range(5):
        bid(round_, terms)
    _failing_row_after(2, monkeypatch)
    response = client.get(f"/officer/rounds/{round_.code}/applications.csv", buffered=False)
    assert response.status_code == 200  # the first batch was good: the file had started
    received = []
    with pytest.raises(RuntimeError, match="the database went away"):  # the server breaks the download off
        for chunk in response.response:
            received.append(chunk if isinstance(chunk, str) else chunk.decode("utf-8"))
    text = "".join(received)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len([row for row in rows if row and row[0].startswith(round_.code)]) == 2
    assert rows[-1][0].startswith("INCOMPLETE DOWNLOAD: the server stopped part-way through this file")
