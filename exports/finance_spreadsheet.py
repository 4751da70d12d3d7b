"""The finance spreadsheet: a programme's awards decided in a period, its payments due, money returned, totals.

Sheets (XLSX), each ending (lists) with a bold total row whose money cells are SUM formulas over the
rows above it, outside the filter, so the file adds itself up:

- "Awards": every award of the programme whose decision (`Award.decided_at`) falls on a
  date from `starts_on` to `ends_on` inclusive, counted in Europe/London. Columns: reference,
  organisation, charity and company numbers, the bank details (masked "**-**-56", "****5678"
  unless the export is for finance) and their check ("Missing", or "Changed since the last
  payment"), district, budget stream, cost centre, amount awarded (live awards only, after
  variations), not going ahead (a declined or cancelled award's amount), amount at decision,
  paid gross, returned (underspends and clawbacks), paid net, outstanding (nothing on an ended
  award), decision date, state.
- "Payments due": the instalments still to pay (scheduled, approved or held) due in the period.
- "Returned": each underspend returned or clawback on the period's awards.
- "Summary": by budget stream, by district and in total, each figure summed by the database
  (GROUP BY), so they equal the database to the penny; the Awards sheet adds up to the same.
- "About": what the file holds and the rules above.

Every sheet prints landscape, one page wide, the header row (wrapped) on each page, and a footer
naming the export, its period and when it was made, with "Page 2 of 9".

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

# An award as its eleven text values, its seven money values (pence), its decision day and its state label.
AwardValues = tuple[Sequence[str], Sequence[int | None], date | None, str]
# Money returned: reference, organisation, kind, amount (pence), received on, reason.
ReturnedValues = tuple[str, str, str, int, date, str]
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
    Column("Bank details check", 22),
    Column("District", 14),
    Column("Budget stream", 26),
    Column("Cost centre", 12),
    Column("Amount awarded (£)", 15),
    Column("Not going ahead (£)", 15),
    Column("Amount at decision (£)", 15),
    Column("Paid, gross (£)", 15),
    Column("Returned (£)", 14),
    Column("Paid, net (£)", 15),
    Column("Outstanding (£)", 15),
    Column("Decision date", 12),
    Column("State", 14),
]
AWARD_TEXTS, AWARD_MONEY = 11, 7  # the first money column is the 12th
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
RETURNED_COLUMNS = [
    Column("Reference", 18),
    Column("Organisation", 36),
    Column("Kind", 20),
    Column("Amount (£)", 15),
    Column("Received on", 12),
    Column("Reason", 60),
]
SUMMARY_COLUMNS = [
    Column("Totals by", 16),
    Column("Name", 30),
    Column("Awards", 9),
    Column("Amount awarded (£)", 16),
    Column("Not going ahead", 10),
    Column("Not going ahead (£)", 15),
    Column("Amount at decision (£)", 16),
    Column("Paid, gross (£)", 15),
    Column("Returned (£)", 14),
    Column("Paid, net (£)", 15),
    Column("Outstanding (£)", 15),
]


class Totals(Protocol):
    @property
    def awards(self) -> int: ...
    @property
    def awarded_pence(self) -> int: ...
    @property
    def fallen_away(self) -> int: ...
    @property
    def fallen_away_pence(self) -> int: ...
    @property
    def at_decision_pence(self) -> int: ...
    @property
    def paid_pence(self) -> int: ...
    @property
    def returned_pence(self) -> int: ...
    @property
    def paid_net_pence(self) -> int: ...
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
    """What the workbook shows: the Awards, Payments due and Returned rows (streamed), the Summary and the
    About lines, and the footer every printed page carries (what the file is, and when it was made)."""

    awards: Iterable[AwardValues]
    payments: Iterable[PaymentValues]
    returned: Iterable[ReturnedValues]
    summary: Sequence[SummaryLine]
    about: Sequence[tuple[str, str]]
    footer: str = ""


@dataclass(frozen=True)
class SheetCounts:
    award_rows: int
    payment_rows: int
    payments_due_pence: int


def _awards_sheet(workbook: Workbook, awards: Iterable[AwardValues], footer: str) -> int:
    sheet = FastSheet(workbook, "Awards", AWARD_COLUMNS, footer)
    text, money, day = sheet.text, sheet.money, sheet.day
    first_money = AWARD_TEXTS + 1
    count = 0
    for texts, pence, decided_on, state in awards:
        cells: list[Cell | None] = [text(value, i) for i, value in enumerate(texts, 1)]
        cells += [money(value, i) for i, value in enumerate(pence, first_money)]
        cells += [day(decided_on, first_money + AWARD_MONEY), text(state, first_money + AWARD_MONEY + 1)]
        sheet.append(cells)
        count += 1
    sheet.total_row("Total", range(first_money, first_money + AWARD_MONEY), count_column=2)
    sheet.finish()
    return count


def _payments_sheet(workbook: Workbook, payments: Iterable[PaymentValues], footer: str) -> tuple[int, int]:
    sheet = FastSheet(workbook, "Payments due", PAYMENT_COLUMNS, footer)
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
    sheet.total_row("Total still to pay", [4], count_column=2)
    sheet.finish()
    return count, total


def _returned_sheet(workbook: Workbook, returned: Iterable[ReturnedValues], footer: str) -> None:
    sheet = FastSheet(workbook, "Returned", RETURNED_COLUMNS, footer)
    for reference, organisation, kind, amount, received_on, reason in returned:
        sheet.append(
            [
                sheet.text(reference, 1),
                sheet.text(organisation, 2),
                sheet.text(kind, 3),
                sheet.money(amount, 4),
                sheet.day(received_on, 5),
                sheet.text(reason, 6),
            ]
        )
    sheet.total_row("Total returned", [4], count_column=2)
    sheet.finish()


def _summary_sheet(workbook: Workbook, lines: Sequence[SummaryLine], footer: str) -> None:
    sheet = FastSheet(workbook, "Summary", SUMMARY_COLUMNS, footer)
    for line in lines:
        t = line.totals
        sheet.append(
            [
                sheet.text(line.grouping, 1),
                sheet.text(line.name, 2),
                sheet.number(t.awards, 3),
                sheet.money(t.awarded_pence, 4),
                sheet.number(t.fallen_away, 5),
                sheet.money(t.fallen_away_pence, 6),
                sheet.money(t.at_decision_pence, 7),
                sheet.money(t.paid_pence, 8),
                sheet.money(t.returned_pence, 9),
                sheet.money(t.paid_net_pence, 10),
                sheet.money(t.outstanding_pence, 11),
            ]
        )
    sheet.finish()


def _about_sheet(workbook: Workbook, lines: Sequence[tuple[str, str]], footer: str) -> None:
    sheet = FastSheet(workbook, "About", [Column("About this file", 18), Column("Details", 100)], footer)
    for name, value in lines:
        sheet.append([sheet.text(name, 1), sheet.text(value, 2)])
    sheet.finish()


def fill_workbook(sheets: FinanceSheets, workbook: Workbook) -> SheetCounts:
    """Stream every sheet into a write-only workbook (to openpyxl's temporary files); save it to finish."""
    award_rows = _awards_sheet(workbook, sheets.awards, sheets.footer)
    payment_rows, payments_due_pence = _payments_sheet(workbook, sheets.payments, sheets.footer)
    _returned_sheet(workbook, sheets.returned, sheets.footer)
    _summary_sheet(workbook, sheets.summary, sheets.footer)
    _about_sheet(workbook, sheets.about, sheets.footer)
    return SheetCounts(award_rows, payment_rows, payments_due_pence)


def write_finance_xlsx(sheets: FinanceSheets, target: Target) -> SheetCounts:
    """Write the finance workbook to a path (whole or not at all) or to a binary stream."""
    counts: SheetCounts = save(lambda workbook: fill_workbook(sheets, workbook), target)
    return counts
