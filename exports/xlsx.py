"""The XLSX toolkit every writer in exports/ uses: typed cells, laid-out sheets, one atomic write.

Workbooks are openpyxl write-only (rows go to disk as they are made). Every sheet is laid
out the same way (`Column` widths, a bold frozen header row, an autofilter over what was
written, and print setup: landscape, one page wide, the header row repeated on every
printed page). Cells are typed, never guessed:

- text is a typed string (never a formula: XLSX keeps formulas apart) with the quote-prefix
  style, so editing the cell cannot turn it into one either; it is shown exactly as typed,
  only control characters XML cannot hold stripped (`cell_text`). CSV has no such typing:
  there `safe_text` puts an apostrophe before text a spreadsheet would run as a formula;
- money is a number of pounds (exact, from integer pence) with the format "£"#,##0.00;
- dates are date cells ("dd/mm/yyyy" unless a writer says otherwise).

Two sheets: `Sheet` (WriteOnlyCell, for workbooks of a few thousand rows) and `FastSheet`
(cells made directly with styles fixed per workbook, for the streamed finance spreadsheet).
`save` and `write_atomically` write to a temporary file in the target's folder and rename it
into place, so a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from grants.formatting import pounds, pounds_text

MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
TWO_PLACES = "0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters XML 1.0 (and so XLSX) cannot hold, and DEL: tab, LF and CR are kept.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 32767  # the most characters a cell holds
HEADER_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="bottom")
# Excel's serial day 0 is 30 December 1899 (for dates from 1 March 1900 on).
EXCEL_EPOCH = date(1899, 12, 30).toordinal()

# A path (written atomically) or an open binary stream.
Target = str | os.PathLike[str] | IO[bytes]


def cell_text(value: Any) -> str:
    """Text as an XLSX cell holds it: exactly as typed, less the control characters XML cannot hold."""
    return CONTROL_CHARACTERS.sub("", "" if value is None else str(value))


def safe_text(value: Any) -> str:
    """Text for a CSV cell: control characters gone, and an apostrophe before text a spreadsheet would
    run as a formula (= + - @, their full-width forms, tab, CR or LF, also after leading spaces)."""
    text = cell_text(value)
    return "'" + text if text.lstrip(" ").startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Column:
    title: str
    width: float


def _lay_out(ws: Any, columns: Sequence[Column], footer: str) -> None:
    """Widths, frozen header row and print setup (with a footer: what the file is, and "Page 2 of 9")."""
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddFooter.left.text = cell_text(footer or ws.title).replace("&", "&&")
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.left.size = ws.oddFooter.right.size = 8


def _autofilter(ws: Any, columns: Sequence[Column], rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(rows, 1)}"


class Sheet:
    """One write-only sheet of WriteOnlyCells: laid out before the first row, autofilter at `finish`."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column], footer: str = ""):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        _lay_out(self.ws, columns, footer)
        self.rows = 0
        header = []
        for column in columns:
            cell = self.text(column.title)
            cell.font = HEADER_FONT
            cell.alignment = HEADER_ALIGNMENT
            header.append(cell)
        self.append(header)

    def append(self, cells: Sequence[Any]) -> None:
        self.ws.append(list(cells))
        self.rows += 1

    def text(self, value: Any, *, wrap: bool = False) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=cell_text(value)[:MAX_TEXT])
        cell.data_type = "s"
        cell.quotePrefix = True
        if wrap:
            cell.alignment = WRAP
        return cell

    def formatted(self, value: Any, number_format: str) -> WriteOnlyCell:
        """A number or date cell shown with this format."""
        cell = WriteOnlyCell(self.ws, value=value)
        cell.number_format = number_format
        return cell

    def money(self, pence: int | None, number_format: str = MONEY_FORMAT) -> WriteOnlyCell:
        return self.formatted(None if pence is None else pounds(pence), number_format)

    def decimal(self, value: Decimal | None) -> WriteOnlyCell:
        """A number to two places (scores, percentages)."""
        return self.formatted(value, TWO_PLACES)

    def day(self, value: date | None, number_format: str = DATE_FORMAT) -> WriteOnlyCell:
        return self.formatted(value, number_format)

    def number(self, value: int | None) -> WriteOnlyCell:
        """A whole number shown with thousands separators (21,222)."""
        return self.formatted(value, COUNT_FORMAT)

    def percent(self, value: Decimal | None) -> WriteOnlyCell:
        """A percentage given as 45.35: stored as the fraction 0.4535 and shown "45.35%"."""
        return self.formatted(None if value is None else value / 100, PERCENT_FORMAT)

    def total_row(self, count: int, money_columns: Sequence[int]) -> None:
        """A bold last row: "Total", "N rows" and, in each money column (1-based), a SUM over the rows above."""
        cells: list[Any] = [None] * len(self.columns)
        cells[0] = self.text("Total")
        cells[1] = self.text(f"{count:,} rows")
        for column in money_columns:
            letter = get_column_letter(column)
            cell = WriteOnlyCell(self.ws, value=f"=SUM({letter}2:{letter}{self.rows})" if self.rows >= 2 else 0)
            cell.number_format = MONEY_FORMAT
            cells[column - 1] = cell
        for cell in cells:
            if cell is not None:
                cell.font = HEADER_FONT
        self.ws.append(cells)

    def finish(self) -> None:
        _autofilter(self.ws, self.columns, self.rows)


class FastSheet:
    """A write-only sheet fed with finished cells, for hundreds of thousands of rows.

    openpyxl's own way costs, for every styled cell, a type guess, a style lookup, an
    exception (it tries the cell as a value first) and a spare cell allocated after it. Here
    each kind of cell (text with the quote prefix, money, date, header) is a small `Cell`
    subclass made for this workbook, whose style and style id are set once, as class
    attributes; cells are made directly with their value and type; and the sheet's
    `_values_to_row` is replaced so openpyxl's writer gets the finished cells as they are.
    That hook is openpyxl 3.1's (pinned in requirements.txt); were it renamed, openpyxl's own
    path would still write these cells correctly, only slower. The XML writing itself is
    openpyxl's. Each cell knows its column, so a row may leave out empty cells (None).
    """

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column], footer: str = ""):
        ws = workbook.create_sheet(title)
        self.ws = ws
        self.columns = columns
        _lay_out(ws, columns, footer)
        ws._values_to_row = self._cells_to_row
        self.text_kind = self._kind(quotePrefix=True)
        self.money_kind = self._kind(number_format=MONEY_FORMAT)
        self.date_kind = self._kind(number_format=DATE_FORMAT)
        header_kind = self._kind(quotePrefix=True, font=HEADER_FONT, alignment=HEADER_ALIGNMENT)
        self.formula_kind = self._kind(number_format=MONEY_FORMAT, font=HEADER_FONT)
        self.total_kind = self._kind(quotePrefix=True, font=HEADER_FONT)
        self.rows = 0
        self.append([self._cell(header_kind, cell_text(c.title), "s", i) for i, c in enumerate(columns, 1)])

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
        return self._cell(self.text_kind, cell_text(value)[:MAX_TEXT], "s", column)

    def money(self, pence: int | None, column: int) -> Cell | None:
        if pence is None:
            return None
        # The exact decimal text ("7985.50") as the number, not a float's 16 digits.
        return self._cell(self.money_kind, pounds_text(pence), "n", column)

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

    def total_row(self, label: str, money_columns: Sequence[int], count_column: int | None = None) -> None:
        """A bold last row: `label` in the first column and, in each money column, a SUM formula over
        the rows above it (the file computes it: the figure matches the rows whatever is filtered)."""
        first, last = 2, self.rows
        cells: list[Cell | None] = [self._cell(self.total_kind, cell_text(label), "s", 1)]
        for column in money_columns:
            letter = get_column_letter(column)
            if last >= first:
                cells.append(self._cell(self.formula_kind, f"=SUM({letter}{first}:{letter}{last})", "f", column))
            else:  # no rows: a plain nought, not a formula
                cells.append(self._cell(self.formula_kind, 0, "n", column))
        if count_column is not None:
            cells.append(self._cell(self.total_kind, f"{max(last - first + 1, 0):,} rows", "s", count_column))
        self.ws.append(cells)

    def finish(self) -> None:
        _autofilter(self.ws, self.columns, self.rows)


# -- writing, whole or not at all ------------------------------------------------------------------
def write_atomically(target: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Call `write` with a temporary file's path in the target's folder, then rename it into place.

    On any failure the temporary file is deleted: never a half-written file, nothing left behind.
    """
    path = Path(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def discard(workbook: Workbook) -> None:
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


def save(fill: Callable[[Workbook], Any], target: Target) -> Any:
    """Make a write-only workbook, `fill` it and save it to a path (atomically) or a binary stream.

    Returns what `fill` returns. On a failure openpyxl's temporary files are deleted at once.
    """

    def to(destination: str | IO[bytes]) -> Any:
        workbook = Workbook(write_only=True)
        try:
            result = fill(workbook)
            workbook.save(destination)
        except BaseException:
            discard(workbook)
            raise
        return result

    if isinstance(target, str | os.PathLike):
        results: list[Any] = []
        write_atomically(target, lambda temporary: results.append(to(temporary)))
        return results[0]
    return to(target)
