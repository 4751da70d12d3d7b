"""The committee report as a page, a spreadsheet and a command (issue 6, point 7).

Data: `tests.datasets.committee_report.build()` (its docstring has the table of bids); the report is of
round 2, TST-R2.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook

from grants.extensions import db
from grants.models import Term
from tests.datasets.committee_report import NC, build, grow
from tests.factories import ProgrammeFactory, RoundFactory, member_of, staff_user
from tests.statements import counting_selects

PAGE = "/reports/committee/TST-R2"
SPREADSHEET = "/reports/committee/TST-R2/spreadsheet"


@pytest.fixture
def data():
    return build()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" id="{row_id}">(.*?)</tr>', html, re.DOTALL)
    assert match, f"no row {row_id}"
    return _text(match.group(1)).strip()


def _table(html: str, table_id: str) -> str:
    match = re.search(rf'<table class="govuk-table[^"]*" id="{table_id}">(.*?)</table>', html, re.DOTALL)
    assert match, f"no table {table_id}"
    return match.group(1)


# -- the page ---------------------------------------------------------------------------------------------
def test_officer_sees_the_rounds_they_can_report_on(data, sign_in, client):
    sign_in(data.officer)

    html = client.get("/reports/").get_data(as_text=True)

    assert "Test fund round 2" in html
    assert 'href="/reports/committee/TST-R2"' in html
    assert "TST-OTHER" not in html  # another programme's round


def test_page_shows_the_round_approved_at_decision_by_default(data, sign_in, client):
    sign_in(data.officer)

    response = client.get(PAGE)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Showing: approved at decision." in _text(html)
    # Each figure at the decision and now, for the round and for the rounds so far, side by side.
    assert _row(html, "summary-applications") == "Applications received 5 5 7 7"
    assert _row(html, "summary-requested") == "Amount requested £8,000.49 £8,000.49 £9,500.49 £9,500.49"
    assert _row(html, "summary-awarded") == "Projects awarded 4 2 5 3"
    assert _row(html, "summary-amount") == "Amount awarded £6,500.50 £3,200.50 £7,500.50 £4,200.50"
    assert _row(html, "summary-people") == "People impacted 125 40 225 140"


def test_area_of_focus_table_has_a_caption_row_headers_and_right_aligned_numbers(data, sign_in, client):
    sign_in(data.officer)

    table = _table(client.get(PAGE).get_data(as_text=True), "round-area-of-focus")

    assert '<caption class="govuk-table__caption govuk-table__caption--s">Round 2: projects by area of focus' in table
    assert f'<th scope="row" class="govuk-table__header">{NC}</th>' in table
    for title in ("Amount at decision", "Amount now"):
        assert f'<th scope="col" class="govuk-table__header govuk-table__header--numeric">{title}</th>' in table
    nc_row = re.search(rf"{NC}</th>(.*?)</tr>", table, re.DOTALL)
    assert nc_row
    cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>', nc_row.group(1))
    assert cells == ["2", "50.00%", "£4,500.00", "100", "1", "50.00%", "£2,000.00", "40"]  # at decision, now


def test_each_table_has_a_bar_chart_with_a_title_and_a_description_naming_every_bar(data, sign_in, client):
    sign_in(data.officer)

    html = client.get(PAGE).get_data(as_text=True)

    svg = re.search(r'<svg[^>]*id="chart-round-area-of-focus"[^>]*>(.*?)</svg>', html, re.DOTALL)
    assert svg
    opening = re.search(r'<svg[^>]*id="chart-round-area-of-focus"[^>]*>', html)
    assert opening
    assert 'role="img"' in opening.group(0)
    assert 'aria-labelledby="chart-round-area-of-focus-title chart-round-area-of-focus-desc"' in opening.group(0)
    assert '<title id="chart-round-area-of-focus-title">Round 2: projects by area of focus</title>' in svg.group(1)
    assert (
        '<desc id="chart-round-area-of-focus-desc">Bar chart. Serious Violence: 1 project; Hate Crime: 1 project; '
        "Neighbourhood Crime and ASB: 2 projects.</desc>"
    ) in svg.group(1)
    assert html.count("<svg") == 11  # 5 breakdowns for the round, 5 for the rounds so far, 1 by round
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_switching_to_current_shows_the_awards_after_the_decline_and_the_variation(data, sign_in, client):
    sign_in(data.officer)

    html = client.get(PAGE + "?basis=current").get_data(as_text=True)

    assert "Showing: current." in _text(html)
    assert (
        'id="basis-current" name="basis" type="radio" value="current" aria-describedby="basis-current-hint" checked'
        in html
    )
    assert _row(html, "summary-awarded") == "Projects awarded 4 2 5 3"  # both bases, whichever is chosen
    assert _row(html, "summary-amount") == "Amount awarded £6,500.50 £3,200.50 £7,500.50 £4,200.50"
    assert _row(html, "summary-recovered") == (
        "Money returned or clawed back (not taken off the awards) £60.00 £60.00 £60.00 £60.00"
    )


def test_page_reconciles_the_decision_with_now_naming_the_declined_award(data, sign_in, client):
    sign_in(data.officer)

    text = _text(client.get(PAGE).get_data(as_text=True))

    assert "From the decision to now: 4 approved at decision (£6,500.50); 1 declined (TST-R2-0002, £2,000.00);" in text
    assert "2 current (£3,200.50)" in text
    assert "TST-R2-0002: -£2,000.00. Award AW-TST-R2-0002 declined on" in text
    assert "We could not find a venue in time." in text


def test_an_unknown_basis_shows_the_decision_figures(data, sign_in, client):
    sign_in(data.officer)

    html = client.get(PAGE + "?basis=whenever").get_data(as_text=True)

    assert "Showing: approved at decision." in _text(html)


def test_the_page_costs_the_same_number_of_queries_whatever_the_size(data, sign_in, client):
    sign_in(data.officer)
    db.session.expire_all()  # as in a fresh request: nothing already loaded
    with counting_selects() as small:
        client.get(PAGE)
    grow(data, 20)
    db.session.expire_all()
    with counting_selects() as large:
        html = client.get(PAGE).get_data(as_text=True)

    assert _row(html, "summary-awarded") == "Projects awarded 24 22 45 43"
    assert len(large) == len(small)


# -- the spreadsheet --------------------------------------------------------------------------------------
def _workbook(client, basis: str):
    response = client.get(f"{SPREADSHEET}?basis={basis}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(response.data)), response


def _sheet_rows(sheet) -> dict[str, list]:
    return {row[0].value: [cell.value for cell in row[1:]] for row in sheet.iter_rows(min_row=2)}


def test_spreadsheet_has_a_sheet_per_table_with_totals_equal_to_the_report(data, sign_in, client):
    sign_in(data.officer)

    workbook, response = _workbook(client, "current")

    assert "TST-R2-committee-report-current.xlsx" in response.headers["Content-Disposition"]
    assert workbook.sheetnames == [
        "Summary",
        "Reconciliation",
        "By area of focus",
        "By district",
        "By priority",
        "By theme",
        "By flag",
        "Rounds",
        "Cumulative by area of focus",
        "Cumulative by district",
        "Cumulative by priority",
        "Cumulative by theme",
        "Cumulative by flag",
    ]
    summary = _sheet_rows(workbook["Summary"])
    assert summary["Projects awarded"] == [2, 3]
    assert summary["Amount awarded"] == [3200.50, 4200.50]
    assert summary["Underspend returned"] == [50, 50]
    districts = _sheet_rows(workbook["By district"])  # label: [projects, %, amount, people]
    assert (districts["Bradford"][0], districts["Leeds"][0], districts["None stated"][0]) == (1, 2, 0)
    assert round(sum(r[2] for label, r in districts.items() if label != "None stated"), 2) == 2000.00 + 3200.50
    rounds = _sheet_rows(workbook["Rounds"])  # code: [title, applications, requested, projects, amount, people]
    assert rounds["Total"][1] == rounds["TST-R1"][1] + rounds["TST-R2"][1] == 7
    assert rounds["Total"][3] == rounds["TST-R1"][3] + rounds["TST-R2"][3] == 3
    assert round(rounds["TST-R1"][4] + rounds["TST-R2"][4], 2) == rounds["Total"][4] == 4200.50
    reconciliation = [[c.value for c in row] for row in workbook["Reconciliation"].iter_rows(min_row=2)]
    assert reconciliation[0][3:5] == [4, 6500.5]
    assert reconciliation[-1][3:5] == [2, 3200.5]


def test_the_reconciliation_keeps_each_kind_of_figure_in_its_own_column_so_each_sums_to_what_it_says(
    data, sign_in, client
):
    sign_in(data.officer)

    sheet = _workbook(client, "current")[0]["Reconciliation"]

    header = [cell.value for cell in sheet[1]]
    assert header[4:7] == ["Position (£)", "Step total (£)", "Item (£)"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    decision, current = rows[0][4], rows[-1][4]
    steps = sum(row[5] or 0 for row in rows)
    items = sum(row[6] or 0 for row in rows)
    assert round(decision + steps, 2) == current
    assert round(items, 2) == round(steps, 2)
    assert all(sum(cell is not None for cell in row[4:7]) == 1 for row in rows)  # one figure a row


def test_percentages_are_percent_cells_and_counts_have_thousands_separators(data, sign_in, client):
    sign_in(data.officer)

    sheet = _workbook(client, "current")[0]["By district"]

    leeds = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Leeds")
    assert leeds[2].number_format == "0.00%" and 0 < leeds[2].value <= 1  # a fraction shown as a percentage
    assert leeds[1].number_format == "#,##0" and leeds[4].number_format == "#,##0"


def test_spreadsheet_money_has_a_pound_format_and_the_header_is_frozen(data, sign_in, client):
    sign_in(data.officer)

    workbook, _response = _workbook(client, "decision")

    sheet = workbook["By area of focus"]
    assert sheet.freeze_panes == "A2"
    assert sheet["D1"].value == "Amount awarded (£)"
    nc = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == NC)
    assert nc[3].value == 4500 and nc[3].number_format == '"£"#,##0.00'
    assert sheet.auto_filter.ref


def test_spreadsheet_text_that_looks_like_a_formula_stays_text(data, sign_in, client):
    term = db.session.query(Term).filter_by(vocabulary="district", code="bradford").one()
    term.label = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    sign_in(data.officer)

    workbook, _response = _workbook(client, "decision")

    cells = {row[0].value: row[0] for row in workbook["By district"].iter_rows(min_row=2)}
    planted = cells['=HYPERLINK("http://evil.example")']  # shown exactly as typed
    assert planted.data_type == "s" and planted.quotePrefix  # typed text: never a formula, even when edited


# -- who may see it --------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["officer", "decision_maker", "finance", "admin"])
def test_reporting_staff_on_the_programme_see_the_report_and_download_it(data, sign_in, client, role):
    sign_in(staff_user(role, data.programme))

    assert client.get("/reports/").status_code == 200
    assert client.get(PAGE).status_code == 200
    assert client.get(SPREADSHEET).status_code == 200


@pytest.mark.parametrize("role", ["applicant", "assessor"])
def test_applicants_and_assessors_are_refused(data, sign_in, client, role):
    if role == "applicant":
        sign_in(member_of(data.apps["B1"].organisation))
    else:
        sign_in(staff_user("assessor", data.programme))

    assert [client.get(path).status_code for path in ("/reports/", PAGE, SPREADSHEET)] == [403, 403, 403]


def test_an_officer_of_another_programme_gets_not_found(data, sign_in, client):
    sign_in(staff_user("officer", ProgrammeFactory()))

    assert client.get(PAGE).status_code == 404
    assert client.get(SPREADSHEET).status_code == 404
    assert client.get("/reports/committee/NO-SUCH-ROUND").status_code == 404
    assert "TST-R2" not in client.get("/reports/").get_data(as_text=True)


def test_signed_out_people_are_sent_to_sign_in(data, client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


# -- the command ---------------------------------------------------------------------------------------
@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_command_prints_one_json_object_with_the_committee_keys(data, runner):
    result = runner.invoke(args=["grantflow", "report", "committee", "--round", "TST-R2", "--format", "json"])

    assert result.exit_code == 0, result.output
    payload = _last_json(result.output)
    assert {
        "applications",
        "requested",
        "awarded",
        "awarded_amount",
        "by_area_of_focus",
        "by_district",
        "by_priority",
        "by_theme",
        "people_impacted",
        "round",
        "basis",
        "cumulative",
    } <= set(payload)
    assert (payload["basis"], payload["awarded"], payload["awarded_amount"]) == ("decision", 4, "6500.50")
    assert payload["by_area_of_focus"][NC] == {
        "code": "neighbourhood_crime_and_asb",
        "awarded": 2,
        "amount": "4500.00",
        "people": 100,
        "percent": "50.00",
    }
    assert (payload["cumulative"]["awarded"], payload["cumulative"]["awarded_amount"]) == (5, "7500.50")


def test_command_on_the_current_basis(data, runner):
    result = runner.invoke(
        args=["grantflow", "report", "committee", "--round", "TST-R2", "--basis", "current", "--format", "json"]
    )

    payload = _last_json(result.output)
    assert (payload["basis"], payload["awarded"], payload["awarded_amount"]) == ("current", 2, "3200.50")


def test_command_text_shows_readable_tables(data, runner):
    result = runner.invoke(args=["grantflow", "report", "committee", "--round", "TST-R2"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert re.search(r"^Amount awarded\s+£6,500\.50\s+£7,500\.50$", result.output, re.MULTILINE)
    assert re.search(rf"^{NC}\s+2\s+50\.00%\s+£4,500\.00\s+100$", result.output, re.MULTILINE)
    assert "Round 2: by area of focus" in lines
    assert any(line.startswith("From the decision to now: 4 approved at decision") for line in lines)


def test_command_writes_the_spreadsheet(data, runner, tmp_path):
    target = tmp_path / "report.xlsx"

    result = runner.invoke(args=["grantflow", "report", "committee", "--round", "TST-R2", "-o", str(target)])

    assert result.exit_code == 0, result.output
    summary = _sheet_rows(load_workbook(target)["Summary"])
    assert summary["Projects awarded"] == [4, 5]
    assert round(summary["Amount awarded"][0], 2) == 6500.50


def test_command_refuses_an_unknown_round_and_writes_nothing(data, runner, tmp_path):
    target = tmp_path / "report.xlsx"

    result = runner.invoke(args=["grantflow", "report", "committee", "--round", "NOPE-R9", "-o", str(target)])

    assert result.exit_code != 0
    assert "There is no round with the code 'NOPE-R9'." in result.output
    assert not target.exists()


def test_command_refuses_a_missing_folder(data, runner, tmp_path):
    result = runner.invoke(
        args=["grantflow", "report", "committee", "--round", "TST-R2", "-o", str(tmp_path / "no" / "r.xlsx")]
    )

    assert result.exit_code != 0
    assert "does not exist. Nothing was written." in result.output


def test_a_round_of_a_programme_with_no_decisions_reports_zeros(runner):
    RoundFactory(code="EMPTY-R1", number=1)

    result = runner.invoke(args=["grantflow", "report", "committee", "--round", "EMPTY-R1", "--format", "json"])

    payload = _last_json(result.output)
    assert (payload["applications"], payload["awarded"], payload["awarded_amount"]) == (0, 0, "0.00")
    assert payload["percent_with_area_of_focus"] == "0.00"


def test_each_breakdown_sheet_has_the_other_basis_beside_the_chosen_one(data, sign_in, client):
    sign_in(data.officer)

    sheet = _workbook(client, "decision")[0]["By area of focus"]

    header = [cell.value for cell in sheet[1]]
    assert header[1:5] == ["Projects", "% of projects", "Amount awarded (£)", "People impacted"]
    assert header[5:9] == ["Projects, current", "% of projects, current", "Amount awarded, current (£)",
                           "People impacted, current"]  # fmt: skip
    nc = next([cell.value for cell in row] for row in sheet.iter_rows(min_row=2) if row[0].value == NC)
    assert nc[1:5] == [2, 0.5, 4500, 100] and nc[5:9] == [1, 0.5, 2000, 40]  # at decision, then now
