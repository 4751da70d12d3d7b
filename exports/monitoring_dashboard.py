"""The monitoring dashboard's tables as CSV or XLSX: any table, its columns typed, streamed.

A writer: the rows come from grants/monitoring/dashboard.py as tuples in column order. CSV is UTF-8
with a byte-order mark, CRLF line ends, money as plain pounds ("7985.50"), dates as ISO 8601, and
formula-like text escaped as in every export (`exports.xlsx.safe_text`), written a batch of rows
at a time. XLSX is a write-only workbook (rows go to disk as they come), one sheet per table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from openpyxl import Workbook

from exports.xlsx import Column, FastSheet, Target, safe_text, save
from grants.formatting import pounds_text

TEXT, MONEY, DAY, NUMBER = "text", "money", "date", "number"
CSV_BATCH = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Field:
    title: str
    kind: str = TEXT
    width: float = 18


def _csv_value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == MONEY:
        return pounds_text(int(value))
    if kind == DAY:
        return value.isoformat() if isinstance(value, date) else str(value)
    if kind == NUMBER:
        return str(value)
    return safe_text(value)


def csv_chunks(fields: Sequence[Field], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The rows as CSV text, a batch at a time (memory stays flat); starts with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(field.title) for field in fields])
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([_csv_value(field.kind, value) for field, value in zip(fields, row, strict=True)])
        pending += 1
        if pending == CSV_BATCH:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _fill(title: str, fields: Sequence[Field], rows: Iterable[Sequence[Any]], workbook: Workbook) -> int:
    sheet = FastSheet(workbook, title[:31], [Column(field.title, field.width) for field in fields])
    count = 0
    for row in rows:
        cells = []
        for column, (field, value) in enumerate(zip(fields, row, strict=True), start=1):
            if field.kind == MONEY:
                cells.append(sheet.money(None if value is None else int(value), column))
            elif field.kind == DAY:
                cells.append(sheet.day(value, column))
            elif field.kind == NUMBER:
                cells.append(None if value is None else sheet.number(value, column))
            else:
                cells.append(sheet.text(value, column))
        sheet.append(cells)
        count += 1
    sheet.finish()
    return count


def write_xlsx(title: str, fields: Sequence[Field], rows: Iterable[Sequence[Any]], target: Target | IO[bytes]) -> int:
    """One sheet named `title`; returns the number of rows written."""
    return int(save(lambda workbook: _fill(title, fields, rows, workbook), target))
