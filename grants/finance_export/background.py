"""The finance spreadsheet as a background job: above BACKGROUND_EXPORT_ROWS awards it is made by a worker.

The job's parameters are the programme's code, the period, the format and whether bank details are in
full: decided when it is asked for from the rights of the person asking. Someone else may see the job
(and fetch its file) only when they hold the same rights: an export role on the programme, and the
finance role there if the file shows bank details in full.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app

from grants.extensions import db
from grants.finance_export.queries import FinanceExport, FinanceExportError, award_count, programme_export
from grants.finance_export.services import programmes_for
from grants.finance_export.spreadsheet import write_csv, write_xlsx
from grants.jobs import services as jobs
from grants.jobs.kinds import JobFailed, JobKind, Progress, register

KIND = "finance_export"


def parameters_of(export: FinanceExport, output_format: str) -> dict[str, Any]:
    return {
        "programme": export.programme_code,
        "starts_on": export.starts_on.isoformat(),
        "ends_on": export.ends_on.isoformat(),
        "format": output_format,
        "with_bank_details": export.with_bank_details,
    }


def is_big(export: FinanceExport) -> bool:
    """Whether the export has more awards than a web request should write (BACKGROUND_EXPORT_ROWS)."""
    return award_count(db.session, export) > int(current_app.config["BACKGROUND_EXPORT_ROWS"])


def start(user: Any, export: FinanceExport, output_format: str) -> jobs.Asked:
    """Ask for the export as a job (or find the same one of this person's that is waiting)."""
    kind = "spreadsheet" if output_format == "xlsx" else "CSV"
    return jobs.ask(
        user,
        KIND,
        parameters_of(export, output_format),
        title=f"{export.programme_code} finance {kind}, {export.period_label}",
        download_name=export.filename(output_format),
        programme_id=export.programme_id,
    )


def build(parameters: dict[str, Any], target: Path, progress: Progress) -> None:
    """Write the file (whole, under a temporary name, then renamed: exports.xlsx.write_atomically)."""
    try:
        export = programme_export(
            db.session,
            str(parameters["programme"]),
            date.fromisoformat(parameters["starts_on"]),
            date.fromisoformat(parameters["ends_on"]),
            with_bank_details=bool(parameters["with_bank_details"]),
        )
        progress.total = award_count(db.session, export)
        db.session.rollback()  # the writer reads from one snapshot of its own (queries.begin_snapshot)
        writer = write_xlsx if parameters["format"] == "xlsx" else write_csv
        writer(db.session, export, target, progress.counted)
    except FinanceExportError as exc:
        raise JobFailed(str(exc)) from exc


def may_see(user: Any, parameters: dict[str, Any]) -> bool:
    for choice in programmes_for(user):
        if choice.code == parameters.get("programme"):
            return choice.with_bank_details or not parameters.get("with_bank_details")
    return False


register(JobKind(name=KIND, build=build, may_see=may_see, noun="finance spreadsheet"))
