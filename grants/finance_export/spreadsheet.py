"""The finance spreadsheet and its CSV: the rows streamed from queries.py, handed to the writers in exports/.

`write_xlsx` (the workbook: Awards, Payments due, Summary, About) and `write_csv` / `csv_chunks`
(the Awards sheet alone) read every sheet from one snapshot on PostgreSQL when the session has
no transaction yet (commit or roll back first): see `queries.begin_snapshot`. Rows come a batch
at a time (`queries.stream`: a server-side cursor on PostgreSQL), so memory stays flat.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, TypeVar

from exports.finance_csv import csv_chunks as awards_csv
from exports.finance_csv import write_csv as write_csv_text
from exports.finance_spreadsheet import AwardValues, FinanceSheets, PaymentValues, ReturnedValues, write_finance_xlsx
from grants.finance_export.queries import (
    AnySession,
    FinanceExport,
    Lookups,
    Written,
    award_values,
    awards_query,
    begin_snapshot,
    ensure_not_empty,
    lookups,
    payment_values,
    payments_query,
    returned_query,
    returned_values,
    stream,
    summary,
)
from grants.formatting import LONDON

T = TypeVar("T")
# Wraps the Awards rows as they are written: a background job counts them for its progress page.
Counter = Callable[[Iterable[AwardValues]], Iterator[AwardValues]]


def _as_they_come(rows: Iterable[T]) -> Iterator[T]:
    yield from rows


def about_lines(export: FinanceExport, made_at: datetime) -> list[tuple[str, str]]:
    """The About sheet: what the file holds and the rules it follows."""
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
        (
            "Amount awarded",
            "Live awards only. A declined or cancelled award's amount is under 'Not going ahead' instead.",
        ),
        (
            "Paid",
            "Gross: every instalment paid. Returned: underspends returned and money clawed back (the Returned "
            "sheet lists them). Net: paid less returned.",
        ),
        ("Outstanding", "Amount awarded less paid instalments; nothing for declined, cancelled and closed awards."),
        (
            "Bank details check",
            "Missing: no payment can be made until the organisation gives them. Changed since the last payment: "
            "check them with the organisation before paying.",
        ),
        (
            "Payments due",
            "The instalments still to pay (scheduled, approved or held) of the programme's awards due on a date in "
            "the period; paid and cancelled ones are not due.",
        ),
        ("Totals", "The last row of each list sheet adds its money columns up with a SUM formula."),
        ("District", "The district of the organisation the award is paid to."),
        ("Summary", "Totals summed by the database; the Awards sheet's columns add up to the same figures."),
    ]


def award_rows(session: AnySession, export: FinanceExport, labels: Lookups) -> Iterator[AwardValues]:
    unmasked = export.with_bank_details
    for row in stream(session, awards_query(export)):
        yield award_values(row, labels, unmasked)


def payment_rows(session: AnySession, export: FinanceExport, labels: Lookups) -> Iterator[PaymentValues]:
    for row in stream(session, payments_query(export)):
        yield payment_values(row, labels)


def returned_rows(session: AnySession, export: FinanceExport) -> Iterator[ReturnedValues]:
    for row in stream(session, returned_query(export)):
        yield returned_values(row)


def footer(export: FinanceExport, made_at: datetime) -> str:
    return (
        f"{export.programme_code} finance spreadsheet, {export.period_label}; made "
        f"{made_at.astimezone(LONDON):%d/%m/%Y %H:%M}"
    )


def write_xlsx(
    session: AnySession,
    export: FinanceExport,
    target: str | os.PathLike[str] | IO[bytes],
    counted: Counter = _as_they_come,
) -> Written:
    """Write the finance workbook to a path (whole or not at all) or to a binary stream."""
    begin_snapshot(session)
    ensure_not_empty(session, export)
    labels = lookups(session)
    lines, totals = summary(session, export)
    made_at = datetime.now(UTC)
    sheets = FinanceSheets(
        awards=counted(award_rows(session, export, labels)),
        payments=payment_rows(session, export, labels),
        returned=returned_rows(session, export),
        summary=lines,
        about=about_lines(export, made_at),
        footer=footer(export, made_at),
    )
    counts = write_finance_xlsx(sheets, target)
    return Written(
        totals=totals,
        summary=lines,
        award_rows=counts.award_rows,
        payment_rows=counts.payment_rows,
        payments_due_pence=counts.payments_due_pence,
    )


def csv_chunks(session: AnySession, export: FinanceExport, counted: Counter = _as_they_come) -> Iterator[str]:
    """The Awards sheet as CSV text, a batch of rows at a time (memory stays flat)."""
    begin_snapshot(session)
    labels = lookups(session)
    yield from awards_csv(counted(award_rows(session, export, labels)))


def write_csv(
    session: AnySession,
    export: FinanceExport,
    target: str | os.PathLike[str] | IO[str],
    counted: Counter = _as_they_come,
) -> Written:
    """Write the Awards CSV to a path (whole or not at all) or to a text stream (opened with newline="")."""
    begin_snapshot(session)
    ensure_not_empty(session, export)
    lines, totals = summary(session, export)
    write_csv_text(csv_chunks(session, export, counted), target)
    return Written(totals=totals, summary=lines, award_rows=totals.awards)
