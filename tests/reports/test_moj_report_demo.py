"""The demo's MoJ 2022-23 returns add up exactly to the figures the Police and Crime Panel was told (issue 12,
points 9 and 11): by the command, on the page and in the spreadsheet."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from grants.auth.services import find_user
from grants.extensions import db
from grants.models import Programme

PANEL = {  # Item 7, Police and Crime Panel, 14 July 2023; docs/domain.md
    "victims_supported": 90_793,
    "idva_domestic_abuse": 22_989,
    "isva_sexual_abuse": 5_168,
    "reported_before": 69_041,
    "reported_during_or_after": 410,
    "mental_health_referrals": 1_487,
    "restorative_justice": 7_667,
}


@pytest.fixture
def loaded(demo_loaded):
    return None


def test_command_prints_the_panels_2022_23_figures(loaded, app):
    result = app.test_cli_runner().invoke(args=["grantflow", "report", "moj", "--year", "2022", "--format", "json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert {key: report[key] for key in PANEL} == PANEL
    assert report["returns"] == 72 * 4
    assert all(report["quarters"][q]["not_returned"] == [] for q in ("Q1", "Q2", "Q3", "Q4"))
    for key in PANEL:
        assert sum(report["quarters"][q][key] for q in ("Q1", "Q2", "Q3", "Q4")) == PANEL[key]


def test_the_officer_sees_them_on_the_page_and_in_the_spreadsheet(loaded, client, sign_in):
    officer = find_user("officer@example.org")
    assert db.session.scalar(select(Programme.lead_user_id).where(Programme.code == "MOJ")) == officer.id
    sign_in(officer, "grantflow-demo")

    html = client.get("/reports/moj?year=2022").get_data(as_text=True)
    row = re.search(r'<tr class="govuk-table__row" id="figure-victims-supported">(.*?)</tr>', html, re.DOTALL)
    assert row and re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1))).strip().endswith("90,793")
    assert "Every strand has returned for this quarter." in html

    book = load_workbook(io.BytesIO(client.get("/reports/moj/spreadsheet?year=2022").data))
    totals = {row[0].value: row[5].value for row in book["Summary"].iter_rows(min_row=2)}
    assert totals["Victims supported directly"] == 90_793
    assert totals["Victims supported by the restorative-justice service"] == 7_667
    assert totals["Returns counted"] == 288
