"""The MoJ return (issue 12, point 9): the strands' figures added up by financial-year quarter and year,
as a page, a spreadsheet and a command; what counts; who may see it.

Data: an MoJ programme with two strands (MOJ-T-001, MOJ-T-002) allocated for 2022-23, and their returns.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from grants.extensions import db
from grants.models import ReturnMetric
from grants.monitoring.metrics import MOJ_METRICS
from grants.reports.moj import quarter_dates
from tests.factories import (
    AwardFactory,
    ContractFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ReturnFactory,
    member_of,
    staff_user,
)

PAGE = "/reports/moj?year=2022"
SPREADSHEET = "/reports/moj/spreadsheet?year=2022"


class Data:
    pass


def _strand(programme, reference: str, provider: str):
    organisation = OrganisationFactory(name=provider)
    contract = ContractFactory(programme=programme, public_reference=reference, title=f"Strand {reference}",
                               provider=organisation)  # fmt: skip
    award = AwardFactory(
        programme=programme,
        organisation=organisation,
        contract_id=contract.id,
        public_reference=f"{reference}-22",
        state="closed",
        starts_on=date(2022, 4, 1),
        ends_on=date(2023, 3, 31),
    )
    return award


def _return(award, starts: date, state: str, victims: int, **others: int):
    ret = ReturnFactory(
        award=award,
        period_label=f"from {starts:%Y-%m}",
        period_starts_on=starts,
        period_ends_on=starts.replace(day=28),
        due_date=starts.replace(day=28),
        workflow_version=2,
        state=state,
    )
    for metric, value in {"victims_supported": victims, **others}.items():
        db.session.add(ReturnMetric(monitoring_return_id=ret.id, metric=metric, value=value))
    db.session.commit()
    return ret


@pytest.fixture
def data():
    d = Data()
    d.moj = ProgrammeFactory(code="MOJ", name="MoJ victims' services", kind="commissioning")
    d.mscf = ProgrammeFactory(code="MSCF", name="Safer Communities Fund")
    d.one = _strand(d.moj, "MOJ-T-001", "Valley Women's Aid")
    d.two = _strand(d.moj, "MOJ-T-002", "Hospital Trust")
    # Q1 (April to June 2022): both strands, one accepted, one submitted and not yet reviewed.
    _return(d.one, date(2022, 4, 1), "accepted", 1_200, idva_domestic_abuse=900, reported_before=800)
    _return(d.two, date(2022, 4, 1), "submitted", 300, restorative_justice=250, reported_during_or_after=5)
    # Q2: the first strand only; the second's return was waived.
    _return(d.one, date(2022, 7, 1), "accepted", 1_000, idva_domestic_abuse=700)
    _return(d.two, date(2022, 7, 1), "waived", 999_999)
    # Q4 (January to March 2023): the first strand; its period starts in January 2023.
    _return(d.one, date(2023, 1, 1), "accepted", 50, mental_health_referrals=7)
    # Not sent: never counted.
    _return(d.two, date(2022, 10, 1), "overdue", 77_777)
    _return(d.two, date(2023, 1, 1), "changes_requested", 66_666)
    _return(d.one, date(2022, 10, 1), "awaiting_sign_off", 55_555)
    # Another year and another programme: not in 2022-23's MoJ return.
    _return(d.one, date(2023, 4, 1), "accepted", 4_444)
    _return(d.one, date(2022, 3, 1), "accepted", 3_333)
    mscf_award = AwardFactory(programme=d.mscf, starts_on=date(2022, 4, 1), ends_on=date(2023, 3, 31))
    _return(mscf_award, date(2022, 4, 1), "accepted", 22_222)
    d.officer = staff_user("officer", d.moj)
    d.mscf_officer = staff_user("officer", d.mscf)
    d.finance = staff_user("finance", d.moj)
    d.provider = member_of(d.one.organisation)
    return d


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr class="govuk-table__row" id="{row_id}">(.*?)</tr>', html, re.DOTALL)
    assert match, f"no row {row_id}"
    return _text(match.group(1)).strip()


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# -- what counts, and where -----------------------------------------------------------------------------------
def test_quarters_run_from_april_and_the_fourth_ends_on_31_march():
    assert [(label, first, last) for label, _months, first, last in quarter_dates(2022)] == [
        ("Q1", date(2022, 4, 1), date(2022, 6, 30)),
        ("Q2", date(2022, 7, 1), date(2022, 9, 30)),
        ("Q3", date(2022, 10, 1), date(2022, 12, 31)),
        ("Q4", date(2023, 1, 1), date(2023, 3, 31)),
    ]


def test_command_adds_up_submitted_and_accepted_returns_by_quarter_and_year(data, runner):
    result = runner.invoke(args=["grantflow", "report", "moj", "--year", "2022", "--format", "json"])

    assert result.exit_code == 0, result.output
    report = last_json(result.output)
    assert {key: report[key] for key in MOJ_METRICS} == {
        "victims_supported": 1_200 + 300 + 1_000 + 50,
        "idva_domestic_abuse": 1_600,
        "isva_sexual_abuse": 0,
        "reported_before": 800,
        "reported_during_or_after": 5,
        "mental_health_referrals": 7,
        "restorative_justice": 250,
    }
    assert all(isinstance(report[key], int) for key in MOJ_METRICS)
    quarters = report["quarters"]
    assert [quarters[q]["victims_supported"] for q in ("Q1", "Q2", "Q3", "Q4")] == [1_500, 1_000, 0, 50]
    assert [quarters[q]["returns"] for q in ("Q1", "Q2", "Q3", "Q4")] == [2, 1, 0, 1]
    assert report["returns"] == 4


def test_strands_not_yet_returned_are_listed_for_each_quarter(data, runner):
    report = last_json(runner.invoke(args=["grantflow", "report", "moj", "--year", "2022", "--format", "json"]).output)

    quarters = report["quarters"]
    assert quarters["Q1"]["not_returned"] == []
    assert quarters["Q2"]["not_returned"] == ["MOJ-T-002"]  # waived: not returned
    assert quarters["Q3"]["not_returned"] == ["MOJ-T-001", "MOJ-T-002"]  # awaiting sign-off, overdue
    assert quarters["Q4"]["not_returned"] == ["MOJ-T-002"]  # sent back for changes


def test_command_text_is_a_readable_table(data, runner):
    result = runner.invoke(args=["grantflow", "report", "moj", "--year", "2022"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "MoJ victims' services return: financial year 2022-23 (1 April 2022 to 31 March 2023)" in lines
    victims = next(line for line in lines if line.startswith("Victims supported directly"))
    assert victims.split()[-5:] == ["1,500", "1,000", "0", "50", "2,550"]
    assert any("MOJ-T-002" in line and "Hospital Trust" in line for line in lines)


def test_command_refuses_a_year_out_of_range(data, runner):
    result = runner.invoke(args=["grantflow", "report", "moj", "--year", "1850"])

    assert result.exit_code != 0
    assert "Enter a financial year from 2000" in result.output


def test_command_writes_the_spreadsheet(data, runner, tmp_path):
    target = tmp_path / "moj.xlsx"

    result = runner.invoke(args=["grantflow", "report", "moj", "--year", "2022", "-o", str(target)])

    assert result.exit_code == 0, result.output
    summary = load_workbook(target)["Summary"]
    assert summary["F2"].value == 2_550


# -- the page ---------------------------------------------------------------------------------------------------
def test_officer_finds_the_moj_return_under_reports(data, sign_in, client):
    sign_in(data.officer)

    html = client.get("/reports/").get_data(as_text=True)

    assert 'href="/reports/moj"' in html


def test_page_shows_each_figure_by_quarter_and_the_year(data, sign_in, client):
    sign_in(data.officer)

    response = client.get(PAGE)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _row(html, "figure-victims-supported") == "Victims supported directly 1,500 1,000 0 50 2,550"
    assert _row(html, "figure-idva-domestic-abuse") == "Domestic-abuse victims supported by IDVAs 900 700 0 0 1,600"
    assert _row(html, "figure-returns") == "Returns counted 2 1 0 1 4"
    missing = re.search(r'<div id="missing-q3">(.*?)</div>', html, re.DOTALL)
    assert missing and "MOJ-T-001" in missing.group(1) and "MOJ-T-002" in missing.group(1)


def test_a_year_that_is_not_a_number_is_named_on_the_field_and_kept(data, sign_in, client):
    sign_in(data.officer)

    html = client.get("/reports/moj?year=twenty22").get_data(as_text=True)

    assert "There is a problem" in html
    assert 'id="year-error"' in html
    assert 'value="twenty22"' in html


def test_an_officer_of_another_programme_cannot_open_it(data, sign_in, client):
    sign_in(data.mscf_officer)

    assert client.get(PAGE).status_code == 404
    assert client.get(SPREADSHEET).status_code == 404
    assert 'href="/reports/moj"' not in client.get("/reports/").get_data(as_text=True)


def test_finance_on_the_programme_is_not_among_those_who_report_to_the_ministry(data, sign_in, client):
    sign_in(data.finance)

    assert client.get(PAGE).status_code == 403


def test_a_provider_cannot_open_it(data, sign_in, client):
    sign_in(data.provider)

    assert client.get(PAGE).status_code == 403
    assert client.get(SPREADSHEET).status_code == 403


def test_spreadsheet_has_numbers_with_thousands_separators_and_totals_that_reconcile(data, sign_in, client):
    sign_in(data.officer)

    response = client.get(SPREADSHEET)

    assert response.status_code == 200
    assert "moj-victims-services-return-2022-23.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Returns", "Not returned"]
    summary = book["Summary"]
    assert [c.value for c in summary[1]] == ["Figure", "Q1", "Q2", "Q3", "Q4", "2022-23"]
    victims = list(summary[2])
    assert victims[0].value == "Victims supported directly"
    assert [c.value for c in victims[1:]] == [1_500, 1_000, 0, 50, 2_550]
    assert all(isinstance(c.value, int) and c.number_format == "#,##0" for c in victims[1:])
    for row in summary.iter_rows(min_row=2):
        assert row[5].value == sum(c.value for c in row[1:5])
    returns = book["Returns"]
    victims_column = [c.value for c in returns["G"]][1:]
    assert sum(victims_column) == 2_550
    not_returned = [(r[0].value, r[1].value) for r in book["Not returned"].iter_rows(min_row=2)]
    assert ("Q2 (July to September 2022)", "MOJ-T-002") in not_returned
