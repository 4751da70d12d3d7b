"""The finance spreadsheet: a programme's awards decided in a period, its payments due, and totals.

Sheets (XLSX):

- "Awards": every award of the programme whose decision (`Award.decided_at`) falls on a
  date from `starts_on` to `ends_on` inclusive, counted in Europe/London (a decision at
  00:30 BST on 1 April is on 1 April). No award is left out because of its state; the
  state is a column. Columns: reference, organisation, charity and company numbers, the
  supplier's bank details (name on the account, sort code, account number: the sort code
  and account number masked, "**-**-56" and "****5678", unless the export is made with
  bank details, which only finance may ask for), district (the organisation's), budget
  stream, cost centre, amount awarded (the current amount, after variations), amount at
  decision, paid (instalments in the state "paid"), outstanding, decision date, state.
  Outstanding is the amount awarded less what is paid, and nothing for an award that is
  declined, cancelled or closed (no more will be paid on it).
- "Payments due": the instalments of the programme's awards (whatever the award's decision
  date) due on a date in the period, whatever their state.
- "Summary": awards, awarded, at decision, paid and outstanding by budget stream, by
  district and in total, each figure summed by the database (GROUP BY), so they equal the
  database to the penny; the Awards sheet's columns add up to the same figures.
- "About": what the file holds (programme, period, when it was made, whether bank details
  are shown) and the rules above.

A writer: it takes the rows (`FinanceSheets`: iterators the area streams from the database,
grants/finance_export/spreadsheet.py) and writes them as they come, with openpyxl in write-only
mode, so memory stays flat whatever the number of rows. Dates are date cells ("dd/mm/yyyy"),
money is numeric with the format "£"#,##0.00, every text cell a typed string that can never be
a formula (exports/xlsx.py). Speed: the cells are made directly with styles fixed per workbook
and openpyxl's writer gets them as they are (`exports.xlsx.FastSheet`), so what is left is
openpyxl's own XML writing; see benchmarks/finance_export.py.

The CSV of the Awards sheet is written by exports/finance_csv.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from openpyxl import Workbook
from openpyxl.cell import Cell

from exports.xlsx import Column, FastSheet, Target, save

# An award as its ten text values, its four money values (pence), its decision day and its state label.
AwardValues = tuple[Sequence[str], Sequence[int | None], date | None, str]
# An instalment due: reference, organisation, due date, amount (pence), state, tied monitoring return,
# its state, paid on, finance reference.
PaymentValues = tuple[str, str, date | None, int, str, str, str, date | None, str]

AWARD_COLUMNS = [
    Column("Reference", 16),
    Column("Organisation", 36),
    Column("Charity number", 14),
    Column("Company number", 14),
    Column("Name on the bank account", 30),
    Column("Sort code", 11),
    Column("Account number", 15),
    Column("District", 14),
    Column("Budget stream", 26),
    Column("Cost centre", 12),
    Column("Amount awarded (£)", 17),
    Column("Amount at decision (£)", 17),
    Column("Paid (£)", 15),
    Column("Outstanding (£)", 15),
    Column("Decision date", 13),
    Column("State", 16),
]
PAYMENT_COLUMNS = [
    Column("Reference", 18),
    Column("Organisation", 36),
    Column("Due date", 12),
    Column("Amount (£)", 15),
    Column("State", 20),
    Column("Tied monitoring return", 22),
    Column("Return state", 18),
    Column("Paid on", 12),
    Column("Finance reference", 20),
]
SUMMARY_COLUMNS = [
    Column("Totals by", 16),
    Column("Name", 30),
    Column("Awards", 10),
    Column("Amount awarded (£)", 18),
    Column("Amount at decision (£)", 18),
    Column("Paid (£)", 16),
    Column("Outstanding (£)", 16),
]


class Totals(Protocol):
    @property
    def awards(self) -> int: ...
    @property
    def awarded_pence(self) -> int: ...
    @property
    def at_decision_pence(self) -> int: ...
    @property
    def paid_pence(self) -> int: ...
    @property
    def outstanding_pence(self) -> int: ...


class SummaryLine(Protocol):
    @property
    def grouping(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def totals(self) -> Totals: ...


@dataclass(frozen=True)
class FinanceSheets:
    """What the workbook shows: the Awards and Payments due rows (streamed), the Summary and the About lines."""

    awards: Iterable[AwardValues]
    payments: Iterable[PaymentValues]
    summary: Sequence[SummaryLine]
    about: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class SheetCounts:
    award_rows: int
    payment_rows: int
    payments_due_pence: int


def _awards_sheet(workbook: Workbook, awards: Iterable[AwardValues]) -> int:
    sheet = FastSheet(workbook, "Awards", AWARD_COLUMNS)
    text, money, day = sheet.text, sheet.money, sheet.day
    count = 0
    for texts, pence, decided_on, state in awards:
        cells: list[Cell | None] = [text(value, i) for i, value in enumerate(texts, 1)]
        cells += [money(value, i) for i, value in enumerate(pence, 11)]
        cells += [day(decided_on, 15), text(state, 16)]
        sheet.append(cells)
        count += 1
    sheet.finish()
    return count


def _payments_sheet(workbook: Workbook, payments: Iterable[PaymentValues]) -> tuple[int, int]:
    sheet = FastSheet(workbook, "Payments due", PAYMENT_COLUMNS)
    text, money, day = sheet.text, sheet.money, sheet.day
    count = total = 0
    for reference, organisation, due_on, amount, state, period, return_state, paid_on, finance_ref in payments:
        sheet.append(
            [
                text(reference, 1),
                text(organisation, 2),
                day(due_on, 3),
                money(amount, 4),
                text(state, 5),
                text(period, 6),
                text(return_state, 7),
                day(paid_on, 8),
                text(finance_ref, 9),
            ]
        )
        count += 1
        total += amount
    sheet.finish()
    return count, total


def _summary_sheet(workbook: Workbook, lines: Sequence[SummaryLine]) -> None:
    sheet = FastSheet(workbook, "Summary", SUMMARY_COLUMNS)
    for line in lines:
        t = line.totals
        sheet.append(
            [
                sheet.text(line.grouping, 1),
                sheet.text(line.name, 2),
                sheet.number(t.awards, 3),
                sheet.money(t.awarded_pence, 4),
                sheet.money(t.at_decision_pence, 5),
                sheet.money(t.paid_pence, 6),
                sheet.money(t.outstanding_pence, 7),
            ]
        )
    sheet.finish()


def _about_sheet(workbook: Workbook, lines: Sequence[tuple[str, str]]) -> None:
    sheet = FastSheet(workbook, "About", [Column("About this file", 18), Column("Details", 100)])
    for name, value in lines:
        sheet.append([sheet.text(name, 1), sheet.text(value, 2)])
    sheet.finish()


def fill_workbook(sheets: FinanceSheets, workbook: Workbook) -> SheetCounts:
    """Stream every sheet into a write-only workbook (to openpyxl's temporary files); save it to finish."""
    award_rows = _awards_sheet(workbook, sheets.awards)
    payment_rows, payments_due_pence = _payments_sheet(workbook, sheets.payments)
    _summary_sheet(workbook, sheets.summary)
    _about_sheet(workbook, sheets.about)
    return SheetCounts(award_rows, payment_rows, payments_due_pence)


def write_finance_xlsx(sheets: FinanceSheets, target: Target) -> SheetCounts:
    """Write the finance workbook to a path (whole or not at all) or to a binary stream."""
    counts: SheetCounts = save(lambda workbook: fill_workbook(sheets, workbook), target)
    return counts
