"""The finance spreadsheet for people signed in: who may download it, for which programmes, with what.

Finance, officers and admins download the spreadsheet of a programme they hold one of
those roles on. Bank details (sort code, account number) are shown in full only to a
person holding the finance role on that programme (or on every programme); everyone
else gets them masked. Anyone without one of these roles on the programme is told it is
not one of theirs, as if it did not exist.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from sqlalchemy import select

from grants import access
from grants.extensions import db
from grants.finance_export.queries import FinanceExport, FinanceExportError, ensure_not_empty, programme_export
from grants.finance_export.spreadsheet import csv_chunks, write_xlsx
from grants.models import Programme
from grants.models.budgets import financial_year_of

EXPORT_ROLES = frozenset({"finance", "officer", "admin"})
BANK_DETAILS_ROLE = "finance"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnknownProgramme(FinanceExportError):
    """No such programme, or not one this person may export (said the same way)."""


@dataclass(frozen=True)
class ProgrammeChoice:
    code: str
    name: str
    with_bank_details: bool


def programmes_for(user: Any) -> list[ProgrammeChoice]:
    """The programmes this person may export, by code, saying where they see bank details."""
    rows = db.session.execute(select(Programme.id, Programme.code, Programme.name).order_by(Programme.code)).all()
    choices = []
    for programme_id, code, name in rows:
        roles = access.staff_roles(user, programme_id)
        if roles & EXPORT_ROLES:
            choices.append(ProgrammeChoice(code, name, BANK_DETAILS_ROLE in roles))
    return choices


def export_for(user: Any, programme_code: str, starts_on: date, ends_on: date) -> FinanceExport:
    """The export this person may have: their programme, bank details only for finance.

    Raises UnknownProgramme for a programme they hold no export role on, and
    FinanceExportError when the period runs backwards.
    """
    allowed = {choice.code: choice for choice in programmes_for(user)}
    choice = allowed.get(programme_code)
    if choice is None:
        raise UnknownProgramme("Select a programme from the list.")
    export = programme_export(
        db.session, programme_code, starts_on, ends_on, with_bank_details=choice.with_bank_details
    )
    ensure_not_empty(db.session, export)
    return export


def current_financial_year(today: date) -> tuple[date, date]:
    """1 April to 31 March of the financial year `today` falls in."""
    year = financial_year_of(today)
    return date(year, 4, 1), date(year + 1, 3, 31)


def _own_snapshot() -> None:
    """End the request's reading so far: the export then reads from a snapshot of its own (`begin_snapshot`)."""
    db.session.commit()


def xlsx_file(export: FinanceExport) -> IO[bytes]:
    """The spreadsheet written to an anonymous temporary file, rewound for sending."""
    _own_snapshot()
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        write_xlsx(db.session, export, handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def csv_lines(export: FinanceExport) -> Iterator[str]:
    """The Awards sheet as CSV text, streamed a batch of rows at a time."""
    _own_snapshot()
    return csv_chunks(db.session, export)
