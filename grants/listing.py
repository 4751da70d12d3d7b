"""What every staff list shares: sorting by a column from the address, and the list as a streamed CSV.

The address carries the sort as `?sort=<column key>&dir=asc|desc`. An unknown key, or a direction
other than asc/desc, is the list's default; a list may keep older keys working (`aliases`, e.g.
`?sort=newest`). The row id always ends the order, so rows that tie never swap between pages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select

from exports.xlsx import safe_text
from grants.extensions import db

ASCENDING = "asc"
DESCENDING = "desc"
CSV_BATCH = 500  # rows read (and written) at a time: a CSV's memory stays flat however long it is


@dataclass(frozen=True)
class Column:
    """A sortable column: the expressions it orders by (ascending; descending reverses each)."""

    label: str
    keys: tuple[Any, ...]


@dataclass(frozen=True)
class Sort:
    key: str
    direction: str

    @property
    def descending(self) -> bool:
        return self.direction == DESCENDING

    def aria(self, key: str) -> str:
        """The `aria-sort` of a column header: how the list is sorted by it now."""
        if key != self.key:
            return "none"
        return "descending" if self.descending else "ascending"

    def args_for(self, key: str) -> dict[str, str]:
        """The address's sort for a column header's link: the other way round if it is the sort now."""
        direction = ASCENDING
        if key == self.key and not self.descending:
            direction = DESCENDING
        return {"sort": key, "dir": direction}


@dataclass(frozen=True)
class SortSpec:
    """A list's sortable columns, its default sort and the older keys it still honours."""

    columns: Mapping[str, Column]
    default: Sort
    tie_breaker: Any  # the row id
    aliases: Mapping[str, Sort] = field(default_factory=dict)

    def read(self, args: Mapping[str, Any]) -> Sort:
        """The sort the address asks for; the default for anything else (never an error)."""
        key = str(args.get("sort") or "")
        direction = str(args.get("dir") or "")
        if key in self.aliases and not direction:
            return self.aliases[key]
        if key not in self.columns:
            return self.default
        if direction not in (ASCENDING, DESCENDING):
            direction = self.default.direction if key == self.default.key else ASCENDING
        return Sort(key, direction)

    def order_by(self, sort: Sort) -> list[Any]:
        """ORDER BY for a sort: the column's expressions, then the id, all in the sort's direction."""
        column = self.columns.get(sort.key) or self.columns[self.default.key]
        keys = [*column.keys, self.tie_breaker]
        return [key.desc() if sort.descending else key.asc() for key in keys]


def without_nul(text: str) -> str:
    """Text as a filter may use it: PostgreSQL text cannot hold a NUL byte."""
    return text.replace("\x00", "")


DAY_EXAMPLE = "for example, 2023-05-31"


def read_day(typed: str, label: str) -> tuple[date | None, str | None]:
    """A day typed in a date box (a browser's date picker sends 2023-05-31; 31/5/2023 is read too):
    the day, or None and why not (None and None when the box is empty)."""
    text = without_nul(typed).strip()
    if not text:
        return None, None
    problem = f"{label} must be a real date, {DAY_EXAMPLE}"
    if len(text) > 10:
        return None, problem
    parts = text.split("-") if "-" in text else list(reversed(text.split("/")))
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return None, problem
    try:
        day = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None, problem
    if not 1900 <= day.year <= 2999:
        return None, f"{label} must be a year between 1900 and 2999, {DAY_EXAMPLE}"
    return day, None


def day_starts(day: date, zone: Any) -> datetime:
    """The UTC moment a day (in `zone`, e.g. Europe/London) starts: for "changed from/to" filters."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def day_ends(day: date, zone: Any) -> datetime:
    """The UTC moment the day after `day` starts (a filter "to" the day keeps rows before it)."""
    return day_starts(day + timedelta(days=1), zone)


def csv_lines(
    header: Sequence[str],
    query: Select[Any],
    row: Callable[[Any], Iterable[Any]],
    each_batch: Callable[[Sequence[Any]], None] | None = None,
) -> Iterator[str]:
    """A list as CSV text: a byte-order mark (spreadsheets then read UTF-8), the header, then the rows
    `CSV_BATCH` at a time (memory stays flat). Every cell is neutralised so a spreadsheet shows, not
    runs, text starting = + - @. `row` turns one result into its cells; it must not query, and the
    query eager-loads only single related rows (many-to-one: yield_per cannot uniquify collections).
    `each_batch`, given each batch of results before its rows are written, may look up what the rows
    show in one statement per batch."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(title) for title in header])
    yield "\ufeff" + buffer.getvalue()
    for partition in db.session.scalars(query.execution_options(yield_per=CSV_BATCH)).partitions():
        buffer.seek(0)
        buffer.truncate()
        if each_batch is not None:
            each_batch(partition)
        for item in partition:
            writer.writerow([safe_text(cell) for cell in row(item)])
        yield buffer.getvalue()
