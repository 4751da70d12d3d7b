"""Formula-like text typed into any field (names, titles, comments, bank account names, cost centres,
finance references) comes out of every spreadsheet and CSV the app serves exactly as typed and is never
run as a formula: in XLSX a text cell marked quote-prefixed (no visible apostrophe added), in CSV a
leading apostrophe; the only formulas in any file are the totals the export writes itself.

The demo is loaded and every such field of every row gets a planted prefix (`=`, `+`, `-`, `@`, a tab,
leading spaces, full-width ＝). Every file-serving route is found from the URL map; a new one fails
this test until it is downloaded here (or listed as not a spreadsheet).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import case, func, literal, select, update

from exports.xlsx import FORMULA_STARTS
from grants import audit
from grants.extensions import db
from grants.models import (
    Application,
    Award,
    Budget,
    Contract,
    MonitoringReturn,
    Organisation,
    OutboxMessage,
    Payment,
    PaymentRun,
    Recommendation,
    RoleGrant,
    Round,
    Score,
    User,
)
from tests.factories import PASSWORD, UserFactory
from tests.fixtures import post_form, sign_in_as

PLANTED = ("=1+1 ", "  =2+2 ", "\t=3+3 ", "\uff1d4+4 ", "+44 ", "-5+5 ", "@A1 ", '=HYPERLINK("http://evil.example") ')
FIELDS = [
    (Organisation, "name"),
    (Organisation, "bank_account_name"),
    (User, "name"),
    (Application, "project_title"),
    (Score, "comment"),
    (Recommendation, "moderation_reason"),
    (Award, "title"),
    (Award, "cost_centre"),
    (Award, "signatory_name"),
    (Award, "rag_reason"),
    (Payment, "finance_reference"),
    (PaymentRun, "finance_reference"),
    (Budget, "cost_centre"),
    (Contract, "title"),
    (MonitoringReturn, "review_comment"),
    (OutboxMessage, "subject"),
]
# Files with no typed text in them: counts and sums by programme, metric or theme (and, in the demo, no
# return waiting for an officer's review).
NO_TYPED_TEXT = ("awaiting_review.", "outcomes.", "overdue_by_programme.", "/reports/committee/")
NOT_SPREADSHEETS = {"api.openapi_document", "open_data.grants_json"}  # JSON, read by programs
TOTAL_FORMULA = re.compile(r"^=SUM\([A-Z]+\d+:[A-Z]+\d+\)$")
NUMBER = re.compile(r"^-?[\d,]*\.?\d+%?$")
STAFF_ROLES = ("officer", "finance", "decision_maker", "admin")


def _plant() -> None:
    """Prefix every planted field of every row (cycling through PLANTED by id), cut to the column's length."""
    for model, name in FIELDS:
        column = getattr(model, name)
        prefix = case(*((model.id % len(PLANTED) == n, literal(p)) for n, p in enumerate(PLANTED)))
        value = prefix + func.coalesce(column, "")
        length = column.type.length
        db.session.execute(update(model).values({name: func.substr(value, 1, length) if length else value}))
    db.session.commit()


def _a_payment_run() -> int:
    run_id = db.session.scalar(select(PaymentRun.id).limit(1))
    if run_id is not None:
        return run_id
    paid = db.session.scalars(select(Payment).where(Payment.state == "paid").limit(3)).all()
    run = PaymentRun(reference="PR-2026-0900", paid_on=date(2026, 12, 1), finance_reference="=SUM(A1) ",
                     instalments=len(paid), total_pence=sum(p.amount_pence for p in paid),
                     made_by_id=db.session.scalar(select(User.id).order_by(User.id).limit(1)))  # fmt: skip
    db.session.add(run)
    db.session.flush()
    for payment in paid:
        payment.payment_run_id = run.id
    db.session.commit()
    return run.id


def _a_return_due_this_month() -> None:
    """The demo's returns fall due in some months only: make one open return due today, so the
    "due this month" files have a row whatever month the tests run in."""
    from grants.awards.services import today
    from grants.workflow_states import states

    open_return = db.session.scalar(
        select(MonitoringReturn)
        .where(MonitoringReturn.state.not_in(states("return", "ended")))
        .order_by(MonitoringReturn.id)
        .limit(1)
    )
    open_return.due_date = today()
    db.session.commit()


def _an_audit_row_with_a_planted_reason() -> None:
    """Audit rows are never changed, so a new one carries the planted text (a reason as typed)."""
    bid = db.session.scalar(select(Application).order_by(Application.id).limit(1))
    audit.record_on(bid, actor=None, action="approve", reason=PLANTED[0] + "the panel agreed")
    db.session.commit()


@pytest.fixture(scope="module")
def planted(app, demo_loaded):
    with app.app_context():
        run_id = _a_payment_run()
        _a_return_due_this_month()
        _plant()
        _an_audit_row_with_a_planted_reason()
        everyone = UserFactory(email="every.role@example.org", name="Every Role")
        db.session.add_all(RoleGrant(user_id=everyone.id, role=role) for role in STAFF_ROLES)
        db.session.commit()
        db.session.remove()
    return run_id


def _downloads(run_id: int) -> list[tuple[str, str, dict | None]]:
    """(endpoint, URL, form to POST or None) for every file the app serves."""
    from grants.monitoring.dashboard import TABLES

    files = [("applications.applications_csv", "/officer/rounds/MSCF-R3/applications.csv", None)]
    files += [("decisions.panel_pack", "/panel/rounds/MSCF-R3/panel-pack.xlsx", None)]
    files += [("payments.bank_file", f"/payments/runs/{run_id}/bank-file.{fmt}", None) for fmt in ("csv", "xlsx")]
    files += [("payments.due_csv", "/payments/due.csv?state=", None)]
    files += [("awards.index_csv", "/awards/awards.csv", None)]
    files += [("cases.list_csv", f"/cases/{kind}/cases.csv", None) for kind in ("application", "award")]
    files += [("open_data.grants_xlsx", f"/open-data/{code}.xlsx", None) for code in ("MSCF", "MOJ", "VRU")]
    files += [("monitoring.export", f"/monitoring/export/{t}.{fmt}", None) for t in TABLES for fmt in ("csv", "xlsx")]
    files += [("admin.audit_log_csv", "/admin/audit.csv", None)]
    files += [("admin.emails_csv", "/admin/emails.csv?sort=subject", None)]
    files += [("assessment.screening_csv", "/assessing/rounds/MSCF-R3/screening.csv?sort=organisation", None)]
    files += [("commissioning.contracts_csv", "/commissioning/contracts.csv", None)]
    files += [("commissioning.contracts_xlsx", "/commissioning/contracts.xlsx", None)]
    files += [("reports.committee_spreadsheet", f"/reports/committee/MSCF-R3/spreadsheet?basis={basis}", None)
              for basis in ("decision", "current")]  # fmt: skip
    files += [("reports.moj_spreadsheet", f"/reports/moj/spreadsheet?year={year}", None) for year in (2022, 2023)]
    period = {"starts_on": ["1", "4", "2022"], "ends_on": ["31", "3", "2026"]}
    files += [
        ("finance_export.export", "/finance/", {"programme": code, "output_format": fmt, **period})
        for code in ("MSCF", "MOJ", "VRU")
        for fmt in ("xlsx", "csv")
    ]
    files += [("jobs.download", f"/jobs/{job_id}/download.{fmt}", None) for fmt, job_id in _background_files(period)]
    return files


def _background_files(period: dict[str, list[str]]) -> list[tuple[str, int]]:
    """The finance spreadsheet and CSV of MSCF and MSCF-R3's panel pack, made as background jobs (run at once in
    tests), to fetch. (The committee report holds no typed text: its job file is the same workbook.)"""
    from grants.decisions import background as panel_pack
    from grants.finance_export import background, services

    user = db.session.scalar(select(User).where(User.email == "every.role@example.org"))
    starts_on, ends_on = (date(int(p[2]), int(p[1]), int(p[0])) for p in (period["starts_on"], period["ends_on"]))
    made = []
    for fmt in ("xlsx", "csv"):
        asked = background.start(user, services.export_for(user, "MSCF", starts_on, ends_on), fmt)
        made.append((fmt, asked.job_id))
    round_ = db.session.scalar(select(Round).where(Round.code == "MSCF-R3"))
    made.append(("xlsx", panel_pack.start(user, round_).job_id))
    return made


def _formula_like(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_STARTS) and not NUMBER.match(text.strip())


def _xlsx_problems(body: bytes) -> tuple[list[str], int]:
    problems, typed = [], 0
    workbook = load_workbook(io.BytesIO(body))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f":
                    if not TOTAL_FORMULA.match(str(value)):
                        problems.append(f"{sheet.title}!{cell.coordinate} is a formula: {value!r}")
                elif isinstance(value, str) and _formula_like(value):
                    typed += value.startswith(PLANTED)
                    if not cell.quotePrefix:
                        problems.append(f"{sheet.title}!{cell.coordinate} is not quote-prefixed: {value!r}")
                elif isinstance(value, str) and value.startswith("'") and value[1:].startswith(PLANTED):
                    problems.append(f"{sheet.title}!{cell.coordinate} shows an apostrophe not typed: {value!r}")
    return problems, typed


def _csv_problems(body: bytes) -> tuple[list[str], int]:
    problems, typed = [], 0
    for number, row in enumerate(csv.reader(io.StringIO(body.decode("utf-8-sig"))), start=1):
        for value in row:
            if _formula_like(value):
                problems.append(f"row {number}: {value!r} would run as a formula")
            typed += value.startswith("'") and value[1:].startswith(PLANTED)
    return problems, typed


def _download(client, url: str, form: dict | None) -> Any:
    if form is None:
        return client.get(url)
    return post_form(client, url, form)


def test_every_file_shows_planted_formulas_as_typed_and_runs_none(app, client, planted):
    files = _downloads(planted)
    served = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if re.search(r"\.(csv|xlsx|json)|<any\(csv, xlsx|spreadsheet", rule.rule)
        or rule.endpoint == "finance_export.export"
    }
    assert served - NOT_SPREADSHEETS == {endpoint for endpoint, _url, _form in files}, "a file route is not swept"
    sign_in_as(client, "every.role@example.org", PASSWORD)

    found: dict[str, list[str]] = {}
    untyped = []
    for _endpoint, url, form in files:
        response = _download(client, url, form)
        assert response.status_code == 200, (url, form, response.get_data(as_text=True)[:300])
        body = response.get_data()
        is_xlsx = body[:2] == b"PK"
        problems, typed = (_xlsx_problems if is_xlsx else _csv_problems)(body)
        label = f"{url} {form['programme'] + ' ' + form['output_format'] if form else ''}".strip()
        if problems:
            found[label] = problems[:5]
        if typed == 0 and not any(part in url for part in NO_TYPED_TEXT):
            untyped.append(label)

    assert found == {}
    assert untyped == [], f"{untyped}: these files showed no planted text, so this test checked nothing in them"


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
ALL_SHEETS_AS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
ERRORS = ("#NAME?", "#VALUE!", "#REF!", "Err:", "#DIV/0!")


def _as_libreoffice_shows(body: bytes, folder: Path) -> dict[str, list[list[str]]]:
    """Each sheet of an XLSX as LibreOffice computes and shows it (headless conversion to CSV)."""
    source = folder / "download.xlsx"
    source.write_bytes(body)
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", ALL_SHEETS_AS_CSV,
         "--outdir", str(folder / "out"), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    names = {sheet.title: index for index, sheet in enumerate(load_workbook(io.BytesIO(body)).worksheets)}
    shown = {}
    for path in (folder / "out").glob("*.csv"):
        title = path.stem.removeprefix("download-")
        with path.open(encoding="utf-8", newline="") as handle:
            shown[title] = list(csv.reader(handle))
    assert set(shown) == set(names), (sorted(shown), sorted(names))
    return shown


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed on this machine")
@pytest.mark.parametrize(
    ("url", "form"),
    [
        ("/finance/", {"programme": "MSCF", "output_format": "xlsx", "starts_on": ["1", "4", "2022"],
                       "ends_on": ["31", "3", "2026"]}),
        ("/panel/rounds/MSCF-R3/panel-pack.xlsx", None),
    ],
    ids=["finance spreadsheet", "panel pack"],
)  # fmt: skip
def test_libreoffice_shows_planted_text_as_typed_and_totals_that_add_up(client, planted, tmp_path, url, form):
    sign_in_as(client, "every.role@example.org", PASSWORD)
    body = _download(client, url, form).get_data()
    typed = load_workbook(io.BytesIO(body))

    shown = _as_libreoffice_shows(body, tmp_path)

    checked_text = checked_totals = 0
    for sheet in typed.worksheets:
        rows = shown[sheet.title]
        for row in sheet.iter_rows():
            for cell in row:
                seen = rows[cell.row - 1][cell.column - 1] if cell.column <= len(rows[cell.row - 1]) else ""
                assert not seen.startswith(ERRORS), f"{sheet.title}!{cell.coordinate}: {seen}"
                if cell.data_type == "s" and isinstance(cell.value, str) and cell.value.startswith(PLANTED):
                    assert seen == cell.value, f"{sheet.title}!{cell.coordinate}: {seen!r}"
                    checked_text += 1
                elif cell.data_type == "f":
                    above = [r[cell.column - 1] for r in rows[1 : cell.row - 1]]
                    expected = sum(Decimal(v.replace(",", "")) for v in above if v.strip())
                    assert Decimal(seen.replace(",", "")) == expected, f"{sheet.title}!{cell.coordinate}"
                    checked_totals += 1
    assert checked_text and checked_totals
