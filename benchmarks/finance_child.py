"""What finance_export.py's measuring children run: each export, or its baseline, written from PostgreSQL.

A child (`finance_export.py --child MODE -o FILE`) writes one file and prints its figures as JSON: seconds,
CPU seconds, resident memory before and the peak during the write (support_child.measured), and its rows.
The baselines fetch the same rows into lists before the clock starts, then write them the usual way.
"""

from __future__ import annotations

import json
import time
from typing import Any

from finance_setup import FROM, PROGRAMME, TO
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from support import print_json
from support_child import measured
from support_db import app_on

from exports.finance_spreadsheet import AWARD_COLUMNS, PAYMENT_COLUMNS, SUMMARY_COLUMNS
from exports.xlsx import DATE_FORMAT, MONEY_FORMAT
from grants.extensions import db
from grants.finance_export.queries import award_values, awards_query, lookups, payments_query, programme_export, summary
from grants.finance_export.spreadsheet import write_xlsx
from grants.formatting import pounds_text as pounds

MODES = ["finance", "baseline", "threesixtygiving", "threesixtygiving_baseline"]
GRANTS_PER_WRITE = 500  # the export's chunk: grants.open_data.queries.PAGE_SIZE
PUBLISHER = {"prefix": "360G-wypcc", "funder_id": "GB-LAE-WYCA", "funder_name": "West Yorkshire Combined Authority"}


def finance_export() -> Any:
    export = programme_export(db.session, PROGRAMME, FROM, TO, with_bank_details=True)
    db.session.rollback()  # the export begins its own transaction (one snapshot), as the command does
    return export


def baseline_rows(export: Any) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """The export's rows, as the export shows them, all in memory: (awards, payments, summary)."""
    labels = lookups(db.session)
    awards = []
    for row in db.session.execute(awards_query(export)):
        texts, pence, decided_on, state = award_values(row, labels, export.with_bank_details)
        awards.append([*texts, *(None if p is None else float(pounds(p)) for p in pence), decided_on, state])
    payments = [
        [
            f"{reference}-P{instalment}",
            organisation,
            due_on,
            float(pounds(amount)),
            labels.payment_states.get(state, state),
            period or "",
            "" if return_state is None else labels.return_states.get(return_state, return_state),
            paid_on,
            finance_ref or "",
        ]
        for reference, instalment, organisation, due_on, amount, state, period, return_state, paid_on, finance_ref in (
            db.session.execute(payments_query(export))
        )
    ]
    lines, _ = summary(db.session, export)
    summaries = [
        [
            line.grouping,
            line.name,
            line.totals.awards,
            float(pounds(line.totals.awarded_pence)),
            line.totals.fallen_away,
        ]
        + [
            float(pounds(p))
            for p in (
                line.totals.fallen_away_pence,
                line.totals.at_decision_pence,
                line.totals.paid_pence,
                line.totals.returned_pence,
                line.totals.paid_net_pence,
                line.totals.outstanding_pence,
            )
        ]
        for line in lines
    ]
    return awards, payments, summaries


def write_baseline(output: str, sheets: list[tuple[str, list[Any], list[list[Any]], set[int], set[int]]]) -> None:
    """Plain openpyxl write-only, the usual way: WriteOnlyCell only where a cell needs a format."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows, money_columns, date_columns in sheets:
        ws = book.create_sheet(title)
        for index, column in enumerate(columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=column.title)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for values in rows:
            row: list[Any] = []
            for index, value in enumerate(values):
                if value is not None and (index in money_columns or index in date_columns):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = MONEY_FORMAT if index in money_columns else DATE_FORMAT
                    row.append(cell)
                else:
                    row.append(value)
            ws.append(row)
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    book.save(output)


def threesixtygiving_dicts() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The 360Giving package's metadata and its grant dicts, built in memory (imported here: the 360Giving
    export may not be there yet, and then this part is skipped)."""
    from exports.threesixtygiving import grant_object, package_metadata
    from grants.formatting import pounds as grant_pounds
    from grants.open_data.queries import iter_grants, open_publication

    publication = open_publication(db.session, PROGRAMME, **PUBLISHER)
    metadata = package_metadata(publication)
    grants = []
    for grant in iter_grants(db.session, publication):
        before, after = grant_object(grant, publication.funder)
        grants.append({**before, "amountAwarded": float(grant_pounds(grant.amount_pence)), **after})
    return metadata, grants


def write_grants(handle: Any, metadata: dict[str, Any], grants: list[dict[str, Any]]) -> None:
    """The baseline JSON writer: json.dumps (the C encoder) of each grant with the export's options
    (the defaults), a grant per line, BATCH grants per write: the export's framing, from memory."""
    write = handle.write
    write(json.dumps(metadata)[:-1] + ', "grants": [\n')
    for start in range(0, len(grants), GRANTS_PER_WRITE):
        lines = ",\n".join([json.dumps(grant) for grant in grants[start : start + GRANTS_PER_WRITE]])
        write(lines if start == 0 else ",\n" + lines)
    write("\n]}\n")


def child(mode: str, url: str, output: str) -> int:
    """Run one measured export in this (child) process and print its figures as JSON."""
    with app_on(url):
        if mode == "finance":
            export = finance_export()
            with measured() as figures:
                written = write_xlsx(db.session, export, output)
            figures.update(awards=written.award_rows, payments=written.payment_rows)
        elif mode == "baseline":
            awards, payments, summaries = baseline_rows(finance_export())
            with measured() as figures:
                write_baseline(
                    output,
                    [
                        ("Awards", AWARD_COLUMNS, awards, set(range(11, 18)), {18}),
                        ("Payments due", PAYMENT_COLUMNS, payments, {3}, {2, 7}),
                        ("Summary", SUMMARY_COLUMNS, summaries, {3, 5, 6, 7, 8, 9, 10}, set()),
                    ],
                )
            figures.update(awards=len(awards), payments=len(payments))
        elif mode == "threesixtygiving":
            from grants.open_data.publish import write_json  # may not be there yet: see threesixtygiving_dicts

            with measured() as figures, open(output, "w", encoding="utf-8") as handle:
                figures["grants"] = write_json(db.session, PROGRAMME, handle, **PUBLISHER)
        else:  # threesixtygiving_baseline
            metadata, grants = threesixtygiving_dicts()
            with measured() as figures, open(output, "w", encoding="utf-8") as handle:
                write_grants(handle, metadata, grants)
            figures["grants"] = len(grants)
            # The earlier baseline, for comparison: json.dump (json's pure-Python encoder, chunk by chunk).
            t0 = time.perf_counter()
            with open(output, "w", encoding="utf-8") as handle:
                json.dump({**metadata, "grants": grants}, handle)
            figures["jsondump_seconds"] = time.perf_counter() - t0
    print_json(figures)
    return 0
