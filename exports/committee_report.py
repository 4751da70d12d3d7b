"""The committee report as an XLSX workbook: one sheet per table of the page.

Sheets: "Summary" (this round and the rounds so far), "Reconciliation" (approved at decision to
current, project by project), "By area of focus", "By district", "By priority", "By theme",
"By flag" (this round), "Rounds" (each round so far, and the total), and the same breakdowns
for the rounds so far ("Cumulative by …").

A writer: grants.reports works the figures out and passes them in (`CommitteeWorkbook`, its
parts typed by the Protocols below); the sheets are laid out with exports/xlsx.py (money as
numbers in pounds with the format "£"#,##0.00, every text cell a typed string that can never
be a formula).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from openpyxl import Workbook

from exports.xlsx import Column, Sheet, Target, save

NONE_STATED = "None stated"


class TermFigures(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def projects(self) -> int: ...
    @property
    def percent(self) -> Decimal: ...
    @property
    def amount_pence(self) -> int: ...
    @property
    def people(self) -> int: ...


class Breakdown(Protocol):
    """Projects by the terms of one vocabulary (or by flag), and how many stated none."""

    @property
    def title(self) -> str: ...
    @property
    def rows(self) -> Sequence[TermFigures]: ...
    @property
    def none_stated(self) -> int: ...
    @property
    def percent_none_stated(self) -> Decimal: ...


class Headline(Protocol):
    """Applications received and projects awarded, with their money and the people they reach."""

    @property
    def applications(self) -> int: ...
    @property
    def requested_pence(self) -> int: ...
    @property
    def awarded(self) -> int: ...
    @property
    def awarded_pence(self) -> int: ...
    @property
    def people(self) -> int: ...


class Scope(Headline, Protocol):
    """The figures of one round, or of the rounds so far."""

    @property
    def people_not_stated(self) -> int: ...


class RoundFigures(Headline, Protocol):
    """One round's line of the "Rounds" sheet."""

    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...


class Recoveries(Protocol):
    @property
    def underspend_returned_pence(self) -> int: ...
    @property
    def clawback_pence(self) -> int: ...


class ReconciliationItem(Protocol):
    @property
    def reference(self) -> str: ...
    @property
    def award_reference(self) -> str | None: ...
    @property
    def amount_pence(self) -> int: ...
    @property
    def detail(self) -> str: ...


class ReconciliationStep(Protocol):
    @property
    def label(self) -> str: ...
    @property
    def projects(self) -> int: ...
    @property
    def amount_pence(self) -> int: ...
    @property
    def items(self) -> Sequence[ReconciliationItem]: ...


class Reconciliation(Protocol):
    @property
    def decision_projects(self) -> int: ...
    @property
    def decision_pence(self) -> int: ...
    @property
    def steps(self) -> Sequence[ReconciliationStep]: ...
    @property
    def current_projects(self) -> int: ...
    @property
    def current_pence(self) -> int: ...


@dataclass(frozen=True)
class BreakdownSheets:
    """One breakdown, this round's and the rounds so far: sheets "By {name}" and "Cumulative by {name}"."""

    name: str
    this_round: Breakdown
    cumulative: Breakdown
    none_stated_row: bool = True  # a last row for the projects stating none (not for flags)
    # The same on the other basis, in columns beside the chosen basis's (each term's row keeps its label).
    other_round: Breakdown | None = None
    other_cumulative: Breakdown | None = None


@dataclass(frozen=True)
class CommitteeWorkbook:
    round_code: str
    round_number: int
    round_codes: Sequence[str]
    rounds_label: str  # "Rounds 1 to 3"
    basis_label: str
    this_round: Scope
    cumulative: Scope
    percent_with_area_of_focus: tuple[Decimal, Decimal]  # this round, the rounds so far
    recoveries: Recoveries
    cumulative_recoveries: Recoveries
    reconciliation: Reconciliation
    rounds: Sequence[RoundFigures]
    breakdowns: Sequence[BreakdownSheets]
    other_basis_label: str = ""  # "current" beside "approved at decision", or the other way round


def _summary(workbook: Workbook, report: CommitteeWorkbook) -> None:
    this, cumulative = report.this_round, report.cumulative
    sheet = Sheet(
        workbook,
        "Summary",
        [Column("Figure", 46), Column(f"Round {report.round_number}", 20), Column(report.rounds_label, 20)],
    )
    sheet.append([sheet.text("Round"), sheet.text(report.round_code), sheet.text(", ".join(report.round_codes))])
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
    first, second = report.percent_with_area_of_focus
    sheet.append(
        [
            sheet.text("Projects tackling at least one area of focus"),
            sheet.percent(first),
            sheet.percent(second),
        ]
    )
    recoveries, all_recoveries = report.recoveries, report.cumulative_recoveries
    money("Underspend returned", recoveries.underspend_returned_pence, all_recoveries.underspend_returned_pence)
    money("Clawed back", recoveries.clawback_pence, all_recoveries.clawback_pence)
    sheet.finish()


def _reconciliation(workbook: Workbook, report: CommitteeWorkbook) -> None:
    rec = report.reconciliation
    # Each money column holds one kind of figure, so a SUM of it means what its title says: the two
    # positions, each step's total (they add up to current less decision), and the items of the steps
    # (they add up to the steps' totals).
    sheet = Sheet(
        workbook,
        "Reconciliation",
        [
            Column("Step", 44),
            Column("Application", 16),
            Column("Award", 16),
            Column("Projects", 10),
            Column("Position (£)", 16),
            Column("Step total (£)", 16),
            Column("Item (£)", 16),
            Column("Detail", 60),
        ],
    )

    def line(
        step: str,
        projects: int | None,
        pence: int,
        column: int,
        reference: str = "",
        award: str = "",
        detail: str = "",
    ) -> None:
        money = [sheet.money(pence if column == i else None) for i in range(3)]
        sheet.append(
            [
                sheet.text(step),
                sheet.text(reference),
                sheet.text(award),
                sheet.number(projects),
                *money,
                sheet.text(detail, wrap=True),
            ]
        )

    line("Approved at decision", rec.decision_projects, rec.decision_pence, 0)
    for step in rec.steps:
        line(step.label, step.projects, step.amount_pence, 1, detail="Total of this step")
        for item in step.items:
            line(step.label, None, item.amount_pence, 2, item.reference, item.award_reference or "", item.detail)
    line("Current", rec.current_projects, rec.current_pence, 0)
    sheet.finish()


def _breakdown(
    workbook: Workbook,
    title: str,
    breakdown: Breakdown,
    none_stated_row: bool,
    other: Breakdown | None = None,
    other_label: str = "",
) -> None:
    columns = [
        Column(breakdown.title, 48),
        Column("Projects", 10),
        Column("% of projects", 12),
        Column("Amount awarded (£)", 18),
        Column("People impacted", 14),
    ]
    if other is not None:
        columns += [
            Column(f"Projects, {other_label}", 12),
            Column(f"% of projects, {other_label}", 14),
            Column(f"Amount awarded, {other_label} (£)", 20),
            Column(f"People impacted, {other_label}", 16),
        ]
    sheet = Sheet(workbook, title, columns)
    beside = {row.label: row for row in other.rows} if other is not None else {}

    def other_cells(label: str | None) -> list[object]:
        if other is None:
            return []
        if label is None:  # the projects stating none
            return [sheet.number(other.none_stated), sheet.percent(other.percent_none_stated), sheet.money(None),
                    sheet.number(None)]  # fmt: skip
        row = beside.get(label)
        if row is None:
            return [sheet.number(0), sheet.percent(Decimal("0")), sheet.money(0), sheet.number(0)]
        return [sheet.number(row.projects), sheet.percent(row.percent), sheet.money(row.amount_pence),
                sheet.number(row.people)]  # fmt: skip

    for row in breakdown.rows:
        sheet.append(
            [
                sheet.text(row.label),
                sheet.number(row.projects),
                sheet.percent(row.percent),
                sheet.money(row.amount_pence),
                sheet.number(row.people),
                *other_cells(row.label),
            ]
        )
    if none_stated_row:
        sheet.append(
            [
                sheet.text(NONE_STATED),
                sheet.number(breakdown.none_stated),
                sheet.percent(breakdown.percent_none_stated),
                sheet.money(None),
                sheet.number(None),
                *other_cells(None),
            ]
        )
    sheet.finish()


def _rounds(workbook: Workbook, report: CommitteeWorkbook) -> None:
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
    for line in report.rounds:
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
    total = report.cumulative
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


def build_workbook(report: CommitteeWorkbook, workbook: Workbook) -> None:
    _summary(workbook, report)
    _reconciliation(workbook, report)
    for sheets in report.breakdowns:
        _breakdown(
            workbook, f"By {sheets.name}", sheets.this_round, sheets.none_stated_row, sheets.other_round,
            report.other_basis_label,
        )  # fmt: skip
    _rounds(workbook, report)
    for sheets in report.breakdowns:
        _breakdown(
            workbook, f"Cumulative by {sheets.name}", sheets.cumulative, sheets.none_stated_row,
            sheets.other_cumulative, report.other_basis_label,
        )  # fmt: skip


def write_committee_report(report: CommitteeWorkbook, target: Target) -> None:
    """Write the workbook to a path (whole or not at all) or a binary stream."""
    save(lambda workbook: build_workbook(report, workbook), target)
