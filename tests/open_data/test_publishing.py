"""Publishing 360Giving data: the spreadsheet, the command, and the public open data page."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from exports.threesixtygiving_schema import schema_errors
from exports.threesixtygiving_xlsx import GRANT_COLUMNS
from grants.extensions import db
from grants.open_data.publish import write_xlsx
from tests.factories import ProgrammeFactory
from tests.open_data.helpers import (
    ONS,
    PREFIX,
    PUBLISHER,
    grants_by_id,
    mscf,
    vru,
)
from tests.statements import counting_selects

STANDARD_TITLES = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Recipient Org:Charity Number",
    "Recipient Org:Company Number",
    "Recipient Org:City",
    "Recipient Org:Postal Code",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Beneficiary Location:Name",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Grant Programme:Title",
    "Grant Programme:Code",
    "From An Open Call?",
    "Last Modified",
    "Data Source",
]


@pytest.fixture
def built():
    return mscf()


def _sheet_rows(path_or_file, sheet: str = "grants") -> list[dict[str, object]]:
    worksheet = load_workbook(path_or_file)[sheet]
    rows = list(worksheet.iter_rows())
    titles = [cell.value for cell in rows[0]]
    return [dict(zip(titles, row)) for row in rows[1:]]


# -- the spreadsheet ----------------------------------------------------------------------------
def test_the_spreadsheet_has_the_standards_column_titles_and_the_same_total(built, tmp_path: Path):
    path = tmp_path / "grants.xlsx"

    count = write_xlsx(db.session, "MSCF", str(path), **PUBLISHER)

    workbook = load_workbook(path)
    assert [c.value for c in next(workbook["grants"].iter_rows(max_row=1))] == STANDARD_TITLES
    assert [c.title for c in GRANT_COLUMNS] == STANDARD_TITLES
    rows = _sheet_rows(path)
    assert count == len(rows) == 4
    amounts = [row["Amount Awarded"].value for row in rows]
    assert all(isinstance(amount, int | float) for amount in amounts)
    assert round(Decimal(sum(amounts)) * 100) == built.published_total_pence()
    assert workbook["grants"].freeze_panes == "A2"


def test_spreadsheet_dates_are_date_cells_and_identifiers_match_the_json(built, tmp_path: Path):
    path = tmp_path / "grants.xlsx"
    write_xlsx(db.session, "MSCF", str(path), **PUBLISHER)

    first = _sheet_rows(path)[0]

    assert first["Identifier"].value == f"{PREFIX}-MSCF-R3-0001"
    assert first["Award Date"].value == datetime(2023, 2, 9)
    assert first["Award Date"].is_date
    assert first["Planned Dates:Start Date"].value == datetime(2023, 4, 1)
    assert first["Last Modified"].is_date
    assert first["Recipient Org:Identifier"].value == "GB-CHC-1187654"
    assert first["From An Open Call?"].value == "Yes"


def test_a_grant_serving_several_districts_lists_them_on_the_beneficiary_location_sheet(built, tmp_path: Path):
    path = tmp_path / "grants.xlsx"
    write_xlsx(db.session, "MSCF", str(path), **PUBLISHER)

    rows = {row["Identifier"].value: row for row in _sheet_rows(path)}
    locations = [tuple(cell.value for cell in row.values()) for row in _sheet_rows(path, "Beneficiary Location")]

    several = rows[f"{PREFIX}-MSCF-R3-0001"]
    assert several["Beneficiary Location:Name"].value is None
    assert locations == [
        (f"{PREFIX}-MSCF-R3-0001", "Bradford", ONS["bradford"], "MD"),
        (f"{PREFIX}-MSCF-R3-0001", "Leeds", ONS["leeds"], "MD"),
    ]
    one = rows[f"{PREFIX}-MSCF-R3-0002"]
    assert (one["Beneficiary Location:Name"].value, one["Beneficiary Location:Geographic Code"].value) == (
        "Kirklees",
        ONS["kirklees"],
    )


def test_formula_like_names_and_titles_come_out_as_text(built, tmp_path: Path):
    path = tmp_path / "grants.xlsx"
    write_xlsx(db.session, "MSCF", str(path), **PUBLISHER)

    row = {r["Identifier"].value: r for r in _sheet_rows(path)}[f"{PREFIX}-MSCF-R3-0004"]

    for title in ("Recipient Org:Name", "Title", "Description"):
        cell = row[title]
        assert cell.data_type == "s", title
        assert cell.quotePrefix, title
    assert row["Recipient Org:Name"].value == '=HYPERLINK("https://evil.example","Bramley Community Kitchen")'


# -- the command --------------------------------------------------------------------------------
def test_the_command_writes_a_valid_json_package(app, built, tmp_path: Path):
    path = tmp_path / "grants.json"

    result = app.test_cli_runner().invoke(
        args=["grantflow", "export", "360giving", "--programme", "MSCF", "-o", str(path)]
    )

    assert result.exit_code == 0, result.output
    assert "Wrote 4 grants, £21,561.57 in total from MSCF" in result.output
    document = json.loads(path.read_text(encoding="utf-8"))
    assert schema_errors(document) == []
    assert document["downloadURL"] == "http://localhost/open-data/MSCF.json"
    assert [p.name for p in tmp_path.iterdir()] == ["grants.json"]  # no temporary file left beside it


def test_the_command_writes_the_spreadsheet_from_the_extension_or_the_format_option(app, built, tmp_path: Path):
    runner = app.test_cli_runner()
    base = ["grantflow", "export", "360giving", "--programme", "MSCF"]

    by_extension = runner.invoke(args=[*base, "-o", str(tmp_path / "grants.xlsx")])
    by_option = runner.invoke(args=[*base, "--format", "xlsx", "-o", str(tmp_path / "grants.data")])

    assert by_extension.exit_code == 0, by_extension.output
    assert by_option.exit_code == 0, by_option.output
    assert (
        len(_sheet_rows(tmp_path / "grants.xlsx"))
        == len(_sheet_rows(io.BytesIO((tmp_path / "grants.data").read_bytes())))
        == 4
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--programme", "NOPE", "-o", "{tmp}/grants.json"], "There is no programme with the code 'NOPE'"),
        (["--programme", "EMPTY", "-o", "{tmp}/grants.json"], "EMPTY has no awarded grants to publish yet"),
        (["--programme", "MSCF", "-o", "{tmp}/missing/grants.json"], "does not exist"),
        (["--programme", "MSCF", "-o", "{tmp}/grants.txt"], "Say which format to write"),
    ],
)
def test_the_command_refuses_with_a_message_and_writes_nothing(app, built, tmp_path: Path, arguments, message):
    ProgrammeFactory(code="EMPTY", name="Nothing awarded")
    args = [a.replace("{tmp}", str(tmp_path)) for a in arguments]

    result = app.test_cli_runner().invoke(args=["grantflow", "export", "360giving", *args])

    assert result.exit_code != 0
    assert message in result.output
    assert "Nothing was written." in result.output
    assert list(tmp_path.iterdir()) == []


# -- the open data page -------------------------------------------------------------------------
def test_anyone_sees_the_published_programmes_with_downloads_and_the_licence(client, built):
    vru()
    ProgrammeFactory(code="EMPTY", name="Nothing awarded yet")

    html = " ".join(client.get("/open-data/").get_data(as_text=True).split())

    assert "Open data: the grants we have awarded" in html
    assert 'href="/open-data/MSCF.json"' in html and 'href="/open-data/MSCF.xlsx"' in html
    assert 'href="/open-data/VRU.json"' in html
    assert "/open-data/EMPTY.json" not in html
    assert "Nothing published yet" in html
    assert "£21,561.57" in html  # the four MSCF grants, not the declined or cancelled ones
    assert "Open Government Licence v3.0" in html
    assert "Offers that were declined and grants that were cancelled are not published" in html


def test_anyone_downloads_the_json_and_it_passes_the_schema(client, built):
    response = client.get("/open-data/MSCF.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert 'filename="360G-wypcc-MSCF.json"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert schema_errors(json.loads(text)) == []
    assert sum(g["amountAwarded"] for g in grants_by_id(text).values()) * 100 == built.published_total_pence()


def test_anyone_downloads_the_spreadsheet(client, built, tmp_path: Path):
    response = client.get("/open-data/MSCF.xlsx")

    assert response.status_code == 200
    assert "filename=360G-wypcc-MSCF.xlsx" in response.headers["Content-Disposition"]
    path = tmp_path / "download.xlsx"
    path.write_bytes(response.data)
    response.close()
    assert len(_sheet_rows(path)) == 4


def test_a_programme_with_nothing_published_or_unknown_has_no_download(client, built):
    ProgrammeFactory(code="EMPTY", name="Nothing awarded yet")

    assert client.get("/open-data/EMPTY.json").status_code == 404
    assert client.get("/open-data/EMPTY.xlsx").status_code == 404
    assert client.get("/open-data/NOPE.json").status_code == 404


def test_the_open_data_page_runs_the_same_queries_however_many_programmes_and_grants(client, app):
    mscf("ONE")
    with counting_selects() as few:
        client.get("/open-data/")
    for code in ("TWO", "THREE", "FOUR"):
        mscf(code)
    vru()
    with counting_selects() as many:
        html = client.get("/open-data/").get_data(as_text=True)

    assert "/open-data/FOUR.json" in html
    assert len(few) == len(many)


def test_the_package_links_to_this_service_not_to_the_host_a_request_names(client, built):
    response = client.get("/open-data/MSCF.json", headers={"Host": "evil.example"})

    document = json.loads(response.get_data(as_text=True))
    assert document["downloadURL"] == "http://localhost/open-data/MSCF.json"
    assert document["accessURL"] == "http://localhost/open-data/"
    assert date.fromisoformat(document["grants"][0]["awardDate"]) == date(2023, 2, 9)
