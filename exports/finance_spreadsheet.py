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

Written with openpyxl in write-only mode while the rows stream from the database
(`yield_per`: a server-side cursor on PostgreSQL), so memory stays flat whatever the
number of rows. Dates are date cells ("dd/mm/yyyy"), money is numeric with the format
"£"#,##0.00, the header row is bold and frozen, every sheet has an autofilter and set
column widths. Every text cell is a typed string with the quote-prefix style, and text
starting with = + - @ tab, CR or LF gets a leading apostrophe (`safe_text`): no cell is
ever a formula.

Which rows, and the totals, come from grants/finance_export/queries.py. Speed: the cells are made
directly with styles fixed per workbook and openpyxl's writer gets them as they are
(`_CellSheet`), so what is left is openpyxl's own XML writing; see benchmarks/finance_export.py.

The CSV (`csv_chunks`, `write_csv`) is the Awards sheet: UTF-8 with a byte-order mark
(so Excel reads £ and accents), CRLF line ends, money as plain pounds ("7985.50"), dates
as ISO 8601 ("2023-02-09"), the same apostrophe before formula-like text.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from exports.panel_pack import MONEY_FORMAT, Column, safe_text
from grants.finance_export.queries import (
    AnySession,
    FinanceExport,
    Lookups,
    SummaryLine,
    Written,
    award_values,
    awards_query,
    begin_snapshot,
    lookups,
    payments_query,
    stream,
    summary,
)
from grants.formatting import LONDON

DATE_FORMAT = "dd/mm/yyyy"
CSV_BATCH = 500  # rows per chunk of a streamed CSV
# Excel's serial day 0 is 30 December 1899 (for dates from 1 March 1900 on).
EXCEL_EPOCH = date(1899, 12, 30).toordinal()

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


def pounds(pence: int | None) -> str:
    """Pence as pounds with two decimals, exactly: 798550 -> "7985.50" ("" for none)."""
    if pence is None:
        return ""
    sign, pence = ("-", -pence) if pence < 0 else ("", pence)
    return f"{sign}{pence // 100}.{pence % 100:02d}"


# -- XLSX -----------------------------------------------------------------------------------------
class _CellSheet:
    """A write-only sheet fed with finished cells.

    openpyxl's own way costs, for every styled cell, a type guess, a style lookup, an
    exception (it tries the cell as a value first) and a spare cell allocated after it. Here
    each kind of cell (text with the quote prefix, money, date, header) is a small `Cell`
    subclass made for this workbook, whose style and style id are set once, as class
    attributes; cells are made directly with their value and type; and the sheet's
    `_values_to_row` is replaced so openpyxl's writer gets the finished cells as they are.
    That hook is openpyxl 3.1's (pinned in requirements.txt); were it renamed, openpyxl's own
    path would still write these cells correctly, only slower. The XML writing itself is
    openpyxl's.
    """

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column]):
        ws = workbook.create_sheet(title)
        self.ws = ws
        self.columns = columns
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        ws._values_to_row = self._cells_to_row
        self.text_kind = self._kind(quotePrefix=True)
        self.money_kind = self._kind(number_format=MONEY_FORMAT)
        self.date_kind = self._kind(number_format=DATE_FORMAT)
        header_kind = self._kind(quotePrefix=True, font=Font(bold=True))
        self.rows = 0
        self.append([self._cell(header_kind, safe_text(c.title), "s", i) for i, c in enumerate(columns, 1)])

    def _kind(self, **attributes: Any) -> type[Cell]:
        """A Cell subclass whose cells all have these style attributes (font, number format, quote prefix)."""
        prototype = WriteOnlyCell(self.ws)
        for name, value in attributes.items():
            setattr(prototype, name, value)
        style = prototype._style
        style_id = self.ws.parent._cell_styles.add(style)  # what Cell.style_id would look up for each cell
        namespace = {"__slots__": (), "style_id": style_id, "has_style": True, "kind_style": style}
        return type("_StyledCell", (Cell,), namespace)

    @staticmethod
    def _cells_to_row(cells: list[Cell | None], row_index: int) -> list[Cell]:
        row = [cell for cell in cells if cell is not None]
        for cell in row:
            cell.row = row_index
        return row

    def _cell(self, kind: type[Cell], value: Any, data_type: str, column: int) -> Cell:
        cell = object.__new__(kind)
        cell.parent = self.ws
        cell._style = getattr(kind, "kind_style", None)
        cell._value = value
        cell.data_type = data_type
        cell.row = 1
        cell.column = column
        cell._hyperlink = None
        cell._comment = None
        return cell

    def text(self, value: Any, column: int) -> Cell | None:
        """A typed string cell with the quote prefix; nothing for empty text."""
        if not value:
            return None
        return self._cell(self.text_kind, safe_text(value)[:32767], "s", column)

    def money(self, pence: int | None, column: int) -> Cell | None:
        if pence is None:
            return None
        # The exact decimal text ("7985.50") as the number, not a float's 16 digits.
        return self._cell(self.money_kind, pounds(pence), "n", column)

    def day(self, value: date | None, column: int) -> Cell | None:
        if value is None:
            return None
        return self._cell(self.date_kind, value.toordinal() - EXCEL_EPOCH, "n", column)

    def number(self, value: int, column: int) -> Cell:
        return self._cell(Cell, value, "n", column)

    def append(self, cells: list[Cell | None]) -> None:
        """One row; None leaves its cell empty (each cell knows its column)."""
        self.ws.append(cells)
        self.rows += 1

    def finish(self) -> None:
        self.ws.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{max(self.rows, 1)}"


def _awards_sheet(workbook: Workbook, session: AnySession, export: FinanceExport, labels: Lookups) -> int:
    sheet = _CellSheet(workbook, "Awards", AWARD_COLUMNS)
    text, money, day = sheet.text, sheet.money, sheet.day
    unmasked = export.with_bank_details
    count = 0
    for row in stream(session, awards_query(export)):
        texts, pence, decided_on, state = award_values(row, labels, unmasked)
        cells: list[Cell | None] = [text(value, i) for i, value in enumerate(texts, 1)]
        cells += [money(value, i) for i, value in enumerate(pence, 11)]
        cells += [day(decided_on, 15), text(state, 16)]
        sheet.append(cells)
        count += 1
    sheet.finish()
    return count


def _payments_sheet(workbook: Workbook, session: AnySession, export: FinanceExport, labels: Lookups) -> tuple[int, int]:
    sheet = _CellSheet(workbook, "Payments due", PAYMENT_COLUMNS)
    text, money, day = sheet.text, sheet.money, sheet.day
    count = total = 0
    for (
        reference,
        instalment,
        organisation,
        due_on,
        amount,
        state,
        period,
        return_state,
        paid_on,
        finance_ref,
    ) in stream(session, payments_query(export)):
        sheet.append(
            [
                text(f"{reference}-P{instalment}", 1),
                text(organisation, 2),
                day(due_on, 3),
                money(amount, 4),
                text(labels.payment_states.get(state, state), 5),
                text(period or "", 6),
                text("" if return_state is None else labels.return_states.get(return_state, return_state), 7),
                day(paid_on, 8),
                text(finance_ref or "", 9),
            ]
        )
        count += 1
        total += amount
    sheet.finish()
    return count, total


def _summary_sheet(workbook: Workbook, lines: Sequence[SummaryLine]) -> None:
    sheet = _CellSheet(workbook, "Summary", SUMMARY_COLUMNS)
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


def about_lines(export: FinanceExport, made_at: datetime) -> list[tuple[str, str]]:
    return [
        ("Programme", f"{export.programme_code}: {export.programme_name}"),
        ("Period", export.period_label),
        ("Made at", f"{made_at.astimezone(LONDON):%d/%m/%Y %H:%M} (UK time)"),
        (
            "Bank details",
            "Shown in full (finance)." if export.with_bank_details else "Masked: only finance sees them in full.",
        ),
        (
            "Awards",
            "Every award of the programme decided on a date in the period (UK dates, inclusive), "
            "whatever its state; the amount awarded is the current amount, after any variation.",
        ),
        ("Outstanding", "Amount awarded less paid instalments; nothing for declined, cancelled and closed awards."),
        ("Payments due", "Every instalment of the programme's awards due on a date in the period, whatever its state."),
        ("District", "The district of the organisation the award is paid to."),
        ("Summary", "Totals summed by the database; the Awards sheet's columns add up to the same figures."),
    ]


def _about_sheet(workbook: Workbook, export: FinanceExport, made_at: datetime) -> None:
    sheet = _CellSheet(workbook, "About", [Column("About this file", 18), Column("Details", 100)])
    for name, value in about_lines(export, made_at):
        sheet.append([sheet.text(name, 1), sheet.text(value, 2)])
    sheet.finish()


def fill_workbook(
    session: AnySession, export: FinanceExport, workbook: Workbook, made_at: datetime | None = None
) -> Written:
    """Stream every sheet into a write-only workbook (to openpyxl's temporary files); save it to finish."""
    begin_snapshot(session)
    labels = lookups(session)
    lines, totals = summary(session, export)
    written = Written(totals=totals, summary=lines)
    written.award_rows = _awards_sheet(workbook, session, export, labels)
    written.payment_rows, written.payments_due_pence = _payments_sheet(workbook, session, export, labels)
    _summary_sheet(workbook, lines)
    _about_sheet(workbook, export, made_at or datetime.now(UTC))
    return written


def _discard(workbook: Workbook) -> None:
    """After a failure: end each sheet's stream and delete openpyxl's temporary files now, not at exit."""
    for ws in workbook.worksheets:
        rows, writer = getattr(ws, "_rows", None), getattr(ws, "_writer", None)
        with contextlib.suppress(Exception):
            if rows is not None:
                rows.close()
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()
            with contextlib.suppress(Exception):
                writer.cleanup()


def _save(session: AnySession, export: FinanceExport, target: str | IO[bytes]) -> Written:
    workbook = Workbook(write_only=True)
    try:
        written = fill_workbook(session, export, workbook)
        workbook.save(target)
    except BaseException:
        _discard(workbook)
        raise
    return written


def _replace_atomically(target: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Write to a temporary file beside the target, then rename it into place: never a half-written file."""
    path = Path(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_xlsx(session: AnySession, export: FinanceExport, target: str | os.PathLike[str] | IO[bytes]) -> Written:
    """Write the finance workbook to a path (atomically) or to a binary stream.

    On PostgreSQL every sheet reads from one snapshot when the session has no transaction
    yet (commit or roll back first): see `begin_snapshot`.
    """
    if isinstance(target, str | os.PathLike):
        result: list[Written] = []
        _replace_atomically(target, lambda temporary: result.append(_save(session, export, temporary)))
        return result[0]
    return _save(session, export, target)


# -- CSV ------------------------------------------------------------------------------------------
def csv_chunks(session: AnySession, export: FinanceExport) -> Iterator[str]:
    """The Awards sheet as CSV text, a batch of rows at a time (memory stays flat).

    Starts with a byte-order mark so spreadsheet programs read it as UTF-8.
    """
    begin_snapshot(session)
    labels = lookups(session)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.title for column in AWARD_COLUMNS])
    yield "\ufeff" + buffer.getvalue()
    unmasked = export.with_bank_details
    pending = 0
    buffer.seek(0)
    buffer.truncate()
    for row in stream(session, awards_query(export)):
        texts, pence, decided_on, state = award_values(row, labels, unmasked)
        writer.writerow(
            [safe_text(value) for value in texts]
            + [pounds(value) for value in pence]
            + ["" if decided_on is None else decided_on.isoformat(), safe_text(state)]
        )
        pending += 1
        if pending == CSV_BATCH:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def write_csv(session: AnySession, export: FinanceExport, target: str | os.PathLike[str] | IO[str]) -> Written:
    """Write the Awards CSV to a path (atomically) or to a text stream (opened with newline="")."""
    begin_snapshot(session)
    lines, totals = summary(session, export)
    written = Written(totals=totals, summary=lines)

    def write_to(handle: IO[str]) -> None:
        for chunk in csv_chunks(session, export):
            handle.write(chunk)

    if isinstance(target, str | os.PathLike):

        def write(temporary: str) -> None:
            with open(temporary, "w", encoding="utf-8", newline="") as handle:
                write_to(handle)

        _replace_atomically(target, write)
    else:
        write_to(target)
    written.award_rows = totals.awards
    return written
