"""Downloading the finance spreadsheet at /finance/: who may, what they get, what they are told."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.datasets.finance import build_finance_data, database_totals, pence, sheet_rows
from tests.factories import AwardFactory, OrganisationFactory, ProgrammeFactory, member_of, staff_user
from tests.finance_export.helpers import read_csv
from tests.fixtures import post_form

URL = "/finance/"
YEAR = {
    "starts_on": ["1", "4", "2022"],
    "ends_on": ["31", "3", "2023"],
}


@pytest.fixture
def data(db_session):
    return build_finance_data()


def _form(programme: str = "FIN", output_format: str = "xlsx", **dates):
    fields = {**YEAR, **dates}
    return {"programme": programme, "output_format": output_format, **fields}


def _download(client, **kwargs):
    return post_form(client, URL, _form(**kwargs))


def _awards(response):
    return sheet_rows(load_workbook(io.BytesIO(response.data))["Awards"])


def test_finance_downloads_the_spreadsheet_with_bank_details_in_full(data, sign_in, client):
    sign_in(staff_user("finance"))

    response = _download(client)

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "FIN-finance-2022-04-01-to-2023-03-31.xlsx" in response.headers["Content-Disposition"]
    rows = _awards(response)
    assert sum(pence(row["Amount awarded (£)"]) for row in rows) == database_totals(data)["awarded"]
    assert {row["Account number"] for row in rows} >= {"12345678", "87654321"}


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_download_it_with_bank_details_masked(data, sign_in, client, role):
    sign_in(staff_user(role))

    response = _download(client)

    assert response.status_code == 200
    rows = _awards(response)
    assert {row["Account number"] for row in rows} - {None} == {"****5678", "****4321"}
    assert {row["Sort code"] for row in rows} - {None} == {"**-**-56", "**-**-21"}
    assert b"87654321" not in response.data


def test_the_csv_streams_the_awards_with_the_same_figures(data, sign_in, client):
    sign_in(staff_user("officer"))

    response = _download(client, output_format="csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "FIN-finance-2022-04-01-to-2023-03-31.csv" in response.headers["Content-Disposition"]
    rows = read_csv(response.get_data(as_text=True))
    expected = database_totals(data)
    assert len(rows) == len(data.in_period)
    assert sum(pence(row["Amount awarded (£)"]) for row in rows) == expected["awarded"]
    assert sum(pence(row["Outstanding (£)"]) for row in rows) == expected["outstanding"]
    assert "87654321" not in response.get_data(as_text=True)


def test_finance_on_one_programme_sees_bank_details_only_there(data, sign_in, client):
    user = staff_user("finance", data.programme)
    from grants.extensions import db
    from grants.models import RoleGrant

    db.session.add(RoleGrant(user_id=user.id, role="officer", programme_id=data.other_programme.id))
    db.session.commit()
    sign_in(user)

    page = client.get(URL).get_data(as_text=True)
    own = _awards(_download(client))
    other = read_csv(_download(client, programme="FINX", output_format="csv").get_data(as_text=True))

    assert "shown in full for FIN" in page and "masked for FINX" in page
    assert "87654321" in {row["Account number"] for row in own}
    assert [row["Account number"] for row in other] == ["****4321"]


@pytest.mark.parametrize("role", ["applicant", "assessor"])
def test_applicants_and_assessors_are_refused(data, sign_in, client, role):
    if role == "applicant":
        user = member_of(data.in_period[0].organisation)
    else:
        user = staff_user("assessor", data.programme)
    sign_in(user)

    assert client.get(URL).status_code == 403
    response = client.post(URL, data=_form())  # no page to take a CSRF token from: never a file
    assert response.status_code in (400, 403)
    assert response.mimetype == "text/html"


def test_someone_signed_out_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_a_programme_the_person_does_not_work_on_is_not_offered_and_is_refused(data, sign_in, client):
    sign_in(staff_user("officer", data.programme))

    page = client.get(URL).get_data(as_text=True)
    response = _download(client, programme="FINX")

    assert 'value="FIN"' in page and 'value="FINX"' not in page
    assert response.status_code == 400
    assert "Select a programme from the list" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_the_form_offers_the_current_financial_year(sign_in, client):
    ProgrammeFactory(code="ONLY", name="The only fund")
    sign_in(staff_user("finance"))

    html = client.get(URL).get_data(as_text=True)

    today = date.today()
    start = today.year if today.month >= 4 else today.year - 1
    assert 'id="starts_on-day" name="starts_on" type="text" value="1"' in html
    assert 'id="ends_on-day" name="ends_on" type="text" value="31"' in html
    assert f'value="{start}"' in html and f'value="{start + 1}"' in html
    assert "Download the finance spreadsheet" in html


def test_a_period_ending_before_it_starts_is_explained_and_what_was_typed_is_kept(data, sign_in, client):
    sign_in(staff_user("finance"))

    response = _download(client, ends_on=["31", "3", "2021"])
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "There is a problem" in html
    assert "The date the period ends must be the same as or after 1 April 2022" in html
    assert 'href="#ends_on-day"' in html
    assert 'value="2021"' in html
    assert 'value="FIN" selected' in html


@pytest.mark.parametrize(
    ("dates", "message", "anchor"),
    [
        ({"starts_on": ["31", "2", "2023"]}, "The date the period starts must be a real date", "starts_on-day"),
        ({"ends_on": ["31", "", "2023"]}, "The date the period ends must include a month", "ends_on-day"),
        ({"starts_on": ["", "", ""]}, "Enter the date the period starts", "starts_on-day"),
    ],
)
def test_a_date_that_is_not_a_date_is_explained(data, sign_in, client, dates, message, anchor):
    sign_in(staff_user("finance"))

    response = _download(client, **dates)
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert message in html
    assert f'href="#{anchor}"' in html


def test_no_programme_chosen_is_explained(data, sign_in, client):
    sign_in(staff_user("finance"))

    response = _download(client, programme="")

    assert response.status_code == 400
    assert "Select a programme" in response.get_data(as_text=True)


def test_an_empty_period_is_explained_instead_of_a_file_of_headers(sign_in, client):
    programme = ProgrammeFactory(code="EMPTY")
    AwardFactory(programme=programme, organisation=OrganisationFactory())  # decided 30 days ago
    sign_in(staff_user("finance"))

    response = _download(client, programme="EMPTY", starts_on=["1", "4", "2010"], ends_on=["31", "3", "2011"])

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Nothing to export: no award of EMPTY was decided from 1 April 2010 to 31 March 2011" in response.get_data(
        as_text=True
    )
