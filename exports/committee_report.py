"""The committee report as an XLSX workbook: one sheet per table of the page.

Sheets: "Summary" (this round and the rounds so far), "Reconciliation" (approved at decision to
current, project by project), "By area of focus", "By district", "By priority", "By theme",
"By flag" (this round), "Rounds" (each round so far, and the total), and the same breakdowns
for the rounds so far ("Cumulative by …").

Written like the panel pack (`exports.panel_pack.Sheet`): openpyxl write-only, money as
numbers in pounds with the format "£"#,##0.00, frozen header rows, autofilters, set column
widths, and every text cell a typed string that can never be a formula.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from exports.panel_pack import Column, Sheet
from grants.reports.committee import FLAGS, VOCABULARIES, Breakdown, Scope, percent
from grants.reports.services import CommitteeReport

PERCENT_FORMAT = "0.00"
SHEET_TITLES = {
    "area_of_focus": "area of focus",
    "district": "district",
    "priority": "priority",
    "theme": "theme",
    FLAGS: "flag",
}
NONE_STATED = "None stated"


def _percent(sheet: Sheet, value: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet.ws, value=value)
    cell.number_format = PERCENT_FORMAT
    return cell


def _summary(workbook: Workbook, report: CommitteeReport) -> None:
    this, cumulative = report.this_round, report.cumulative
    sheet = Sheet(
        workbook,
        "Summary",
        [Column("Figure", 46), Column(f"Round {report.round.number}", 20), Column(report.rounds_label, 20)],
    )
    sheet.append([sheet.text("Round"), sheet.text(report.round.code), sheet.text(", ".join(report.round_codes))])
    sheet.append([sheet.text("Basis"), sheet.text(report.basis_label), sheet.text(report.basis_label)])

    def numbers(label: str, first: int, second: int) -> None:
        sheet.append([sheet.text(label), sheet.number(first), sheet.number(second)])

    def money(label: str, first: int, second: int) -> None:
        sheet.append([sheet.text(label), sheet.money(first), sheet.money(second)])

    numbers("Applications received", this.applications, cumulative.applications)
    money("Amount requested", this.requested_pence, cumulative.requested_pence)
    numbers("Projects awarded", this.awarded, cumulative.awarded)
    money("Amount awarded", this.awarded_pence, cumulative.awarded_pence)
    numbers("People impacted", this.people, cumulative.people)
    numbers("Projects giving no number of people", this.people_not_stated, cumulative.people_not_stated)
    first, second = this.breakdowns["area_of_focus"], cumulative.breakdowns["area_of_focus"]
    sheet.append(
        [
            sheet.text("Projects tackling at least one area of focus (%)"),
            _percent(sheet, first.percent_with_any),
            _percent(sheet, second.percent_with_any),
        ]
    )
    recoveries, all_recoveries = report.figures.recoveries, report.figures.cumulative_recoveries
    money("Underspend returned", recoveries.underspend_returned_pence, all_recoveries.underspend_returned_pence)
    money("Clawed back", recoveries.clawback_pence, all_recoveries.clawback_pence)
    sheet.finish()


def _reconciliation(workbook: Workbook, report: CommitteeReport) -> None:
    rec = report.reconciliation
    sheet = Sheet(
        workbook,
        "Reconciliation",
        [
            Column("Step", 44),
            Column("Application", 16),
            Column("Award", 16),
            Column("Projects", 10),
            Column("Amount (£)", 16),
            Column("Detail", 60),
        ],
    )

    def line(
        step: str, projects: int | None, pence: int, reference: str = "", award: str = "", detail: str = ""
    ) -> None:
        sheet.append(
            [
                sheet.text(step),
                sheet.text(reference),
                sheet.text(award),
                sheet.number(projects),
                sheet.money(pence),
                sheet.text(detail, wrap=True),
            ]
        )

    line("Approved at decision", rec.decision_projects, rec.decision_pence)
    for step in rec.steps:
        line(step.label, step.projects, step.amount_pence, detail="Total of this step")
        for item in step.items:
            line(step.label, None, item.amount_pence, item.reference, item.award_reference or "", item.detail)
    line("Current", rec.current_projects, rec.current_pence)
    sheet.finish()


def _breakdown(workbook: Workbook, title: str, breakdown: Breakdown) -> None:
    sheet = Sheet(
        workbook,
        title,
        [
            Column(breakdown.title, 48),
            Column("Projects", 10),
            Column("% of projects", 12),
            Column("Amount awarded (£)", 18),
            Column("People impacted", 14),
        ],
    )
    for row in breakdown.rows:
        sheet.append(
            [
                sheet.text(row.label),
                sheet.number(row.projects),
                _percent(sheet, row.percent),
                sheet.money(row.amount_pence),
                sheet.number(row.people),
            ]
        )
    if breakdown.vocabulary != FLAGS:
        sheet.append(
            [
                sheet.text(NONE_STATED),
                sheet.number(breakdown.none_stated),
                _percent(sheet, percent(breakdown.none_stated, breakdown.projects)),
                sheet.money(None),
                sheet.number(None),
            ]
        )
    sheet.finish()


def _rounds(workbook: Workbook, report: CommitteeReport) -> None:
    sheet = Sheet(
        workbook,
        "Rounds",
        [
            Column("Round", 14),
            Column("Title", 36),
            Column("Applications received", 14),
            Column("Amount requested (£)", 18),
            Column("Projects awarded", 12),
            Column("Amount awarded (£)", 18),
            Column("People impacted", 14),
        ],
    )
    for line in report.figures.rounds:
        sheet.append(
            [
                sheet.text(line.code),
                sheet.text(line.title),
                sheet.number(line.applications),
                sheet.money(line.requested_pence),
                sheet.number(line.awarded),
                sheet.money(line.awarded_pence),
                sheet.number(line.people),
            ]
        )
    total: Scope = report.cumulative
    sheet.append(
        [
            sheet.text("Total"),
            sheet.text(report.rounds_label),
            sheet.number(total.applications),
            sheet.money(total.requested_pence),
            sheet.number(total.awarded),
            sheet.money(total.awarded_pence),
            sheet.number(total.people),
        ]
    )
    sheet.finish()


def build_workbook(report: CommitteeReport) -> Workbook:
    workbook = Workbook(write_only=True)
    _summary(workbook, report)
    _reconciliation(workbook, report)
    order: Sequence[str] = (*VOCABULARIES, FLAGS)
    for vocabulary in order:
        _breakdown(workbook, f"By {SHEET_TITLES[vocabulary]}", report.this_round.breakdowns[vocabulary])
    _rounds(workbook, report)
    for vocabulary in order:
        _breakdown(workbook, f"Cumulative by {SHEET_TITLES[vocabulary]}", report.cumulative.breakdowns[vocabulary])
    return workbook


def filename(report: CommitteeReport) -> str:
    return f"{report.round.code}-committee-report-{report.basis}.xlsx"


def write_committee_report(report: CommitteeReport, target: str | os.PathLike[str] | IO[bytes]) -> None:
    """Write the workbook to a path (via a temporary file renamed into place) or a binary stream."""
    workbook = build_workbook(report)
    if isinstance(target, str | os.PathLike):
        path = Path(target)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
        os.close(handle)
        try:
            workbook.save(temporary)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        workbook.save(target)
