"""The finance spreadsheet's Awards sheet as CSV, streamed: a batch of rows at a time.

UTF-8 with a byte-order mark (so Excel reads £ and accents), CRLF line ends, the column titles of
the Awards sheet, money as plain pounds ("7985.50"), dates as ISO 8601 ("2023-02-09"), and the
same apostrophe before formula-like text as the spreadsheet (`exports.xlsx.safe_text`). A writer:
the rows come from grants/finance_export/spreadsheet.py.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from typing import IO

from exports.finance_spreadsheet import AWARD_COLUMNS, AwardValues
from exports.xlsx import safe_text, write_atomically
from grants.formatting import pounds_text

CSV_BATCH = 500  # rows per chunk of a streamed CSV


def csv_chunks(awards: Iterable[AwardValues]) -> Iterator[str]:
    """The Awards rows as CSV text, a batch of rows at a time (memory stays flat).

    Starts with a byte-order mark so spreadsheet programs read it as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.title for column in AWARD_COLUMNS])
    yield "\ufeff" + buffer.getvalue()
    pending = 0
    buffer.seek(0)
    buffer.truncate()
    for texts, pence, decided_on, state in awards:
        writer.writerow(
            [safe_text(value) for value in texts]
            + ["" if value is None else pounds_text(value) for value in pence]
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


def write_csv(chunks: Iterable[str], target: str | os.PathLike[str] | IO[str]) -> None:
    """Write CSV text to a path (whole or not at all) or to a text stream (opened with newline="")."""

    def write_to(handle: IO[str]) -> None:
        for chunk in chunks:
            handle.write(chunk)

    if isinstance(target, str | os.PathLike):

        def write(temporary: str) -> None:
            with open(temporary, "w", encoding="utf-8", newline="") as handle:
                write_to(handle)

        write_atomically(target, write)
    else:
        write_to(target)
