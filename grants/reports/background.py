"""The committee report spreadsheet as a background job: over a round of more than BACKGROUND_REPORT_ROWS
bids it is made by a worker.

The report is the same for everyone who may see it (no part of it depends on who asks), so the job's
parameters are the round and the basis. Someone else may see the job (and fetch its file) when they hold
a reporting role on the round's programme, as for the report's page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from grants import access
from grants.extensions import db
from grants.jobs import services as jobs
from grants.jobs.kinds import JobFailed, JobKind, Progress, register
from grants.models import Application, Round
from grants.reports.approvals import BASES
from grants.reports.services import REPORT_ROLES, committee_report, spreadsheet_filename, write_report

KIND = "committee_report"


def bid_count(round_: Round) -> int:
    return int(db.session.scalar(select(func.count(Application.id)).where(Application.round_id == round_.id)) or 0)


def is_big(round_: Round) -> bool:
    """Whether the round has more bids than a web request should report on (BACKGROUND_REPORT_ROWS)."""
    return bid_count(round_) > int(current_app.config["BACKGROUND_REPORT_ROWS"])


def start(user: Any, round_: Round, basis: str) -> jobs.Asked:
    """Ask for the spreadsheet as a job (or find the same one of this person's that is waiting)."""
    return jobs.ask(
        user,
        KIND,
        {"round": round_.code, "basis": basis},
        title=f"{round_.code} committee report spreadsheet (basis: {BASES[basis].lower()})",
        download_name=spreadsheet_filename(round_.code, basis),
        programme_id=round_.programme_id,
    )


def _round(code: Any) -> Round | None:
    return db.session.scalar(select(Round).options(joinedload(Round.programme)).where(Round.code == str(code)))


def build(parameters: dict[str, Any], target: Path, progress: Progress) -> None:
    """Write the workbook (whole, or not at all: exports.xlsx.save)."""
    round_ = _round(parameters["round"])
    if round_ is None:
        raise JobFailed(f"The round {parameters['round']} no longer exists.")
    basis = str(parameters["basis"])
    if basis not in BASES:
        raise JobFailed(f"This service no longer reports on the basis {basis!r}.")
    progress.total = bid_count(round_)
    report = committee_report(round_, basis)
    write_report(report, target)
    progress.done = progress.total


def may_see(user: Any, parameters: dict[str, Any]) -> bool:
    round_ = _round(parameters.get("round"))
    return round_ is not None and bool(access.staff_roles(user, round_.programme_id) & REPORT_ROLES)


register(JobKind(name=KIND, build=build, may_see=may_see, noun="committee report spreadsheet"))
