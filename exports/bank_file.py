"""The file finance uploads to the bank for a payment run: one line per payee (name on the account, sort
code, account number, amount, the reference the payee sees), then the total. CSV (UTF-8 with a byte-order
mark; text that a spreadsheet would run as a formula gets an apostrophe) and XLSX (typed cells; the total
a SUM formula). A writer: the lines come from grants/payments/runs.py."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import IO

from exports.xlsx import Column, FastSheet, safe_text, save
from grants.formatting import pounds_text

COLUMNS = [
    Column("Payee (name on the account)", 36),
    Column("Sort code", 10),
    Column("Account number", 14),
    Column("Amount (£)", 14),
    Column("Reference", 20),
]
Line = tuple[str, str, str, int, str]


def bank_csv(lines: Sequence[Line]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title for c in COLUMNS])
    for payee, sort_code, account, pence, reference in lines:
        writer.writerow([safe_text(payee), sort_code, account, pounds_text(pence), safe_text(reference)])
    writer.writerow(["Total", "", "", pounds_text(sum(line[3] for line in lines)), f"{len(lines)} payments"])
    return "\ufeff" + buffer.getvalue()


def bank_xlsx(lines: Sequence[Line], footer: str, target: IO[bytes]) -> None:
    def fill(workbook: object) -> None:
        sheet = FastSheet(workbook, "Bank file", COLUMNS, footer)  # type: ignore[arg-type]
        for payee, sort_code, account, pence, reference in lines:
            sheet.append(
                [sheet.text(payee, 1), sheet.text(sort_code, 2), sheet.text(account, 3), sheet.money(pence, 4),
                 sheet.text(reference, 5)]
            )  # fmt: skip
        sheet.total_row("Total", [4], count_column=2)
        sheet.finish()

    save(fill, target)
