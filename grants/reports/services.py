"""Reports to the Police and Crime Panel: the committee report of a round and across rounds.

The doors (who may see which round's report) and the report as one object the page, the
CLI's text and JSON, and the spreadsheet all read. The figures are in `committee.py`, the
decision-to-current reconciliation in `reconciliation.py`.

Officers, decision makers, finance and admins on a round's programme see its report; anyone
else with a staff role gets a 404, as for cases.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from exports import committee_report as writer
from grants import access
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import pounds_text
from grants.models import Programme, Round
from grants.reports.approvals import BASES, BASIS_EXPLAINED
from grants.reports.committee import FLAGS, VOCABULARIES, Breakdown, Figures, Scope, figures
from grants.reports.reconciliation import Reconciliation, reconcile

REPORT_ROLES = frozenset({"officer", "decision_maker", "admin", "finance"})
DEFAULT_BASIS = "decision"
# JSON keys of the breakdowns.
JSON_KEYS = {
    "area_of_focus": "by_area_of_focus",
    "district": "by_district",
    "priority": "by_priority",
    "theme": "by_theme",
    FLAGS: "by_flag",
}
# The spreadsheet's sheets: "By area of focus", "Cumulative by area of focus", …
SHEET_NAMES = {
    "area_of_focus": "area of focus",
    "district": "district",
    "priority": "priority",
    "theme": "theme",
    FLAGS: "flag",
}


class UnknownRound(LookupError):
    """The CLI was given a round code that does not exist."""


@dataclass(frozen=True)
class CommitteeReport:
    round: Round
    basis: str
    figures: Figures
    reconciliation: Reconciliation
    other_figures: Figures | None = None  # the other basis, shown beside the chosen one in every table

    def on(self, basis: str) -> Figures:
        """The figures on a basis ("decision" or "current"), whichever was chosen."""
        if basis == self.basis or self.other_figures is None:
            return self.figures
        return self.other_figures

    @property
    def basis_label(self) -> str:
        return BASES[self.basis]

    @property
    def basis_explained(self) -> str:
        return BASIS_EXPLAINED[self.basis]

    @property
    def other_basis(self) -> str:
        return "current" if self.basis == "decision" else "decision"

    @property
    def this_round(self) -> Scope:
        return self.figures.round

    @property
    def cumulative(self) -> Scope:
        return self.figures.cumulative

    @property
    def round_codes(self) -> list[str]:
        return [line.code for line in self.figures.rounds]

    @property
    def rounds_label(self) -> str:
        """'Rounds 1 to 3' (or 'Round 1')."""
        numbers = [line.number for line in self.figures.rounds]
        if len(numbers) == 1:
            return f"Round {numbers[0]}"
        return f"Rounds {numbers[0]} to {numbers[-1]}"


# -- the doors ----------------------------------------------------------------------------------------
def _visible_programmes(user: Any) -> set[int | None]:
    """Programme ids on which the user holds a reporting role (None: every programme)."""
    return {programme_id for programme_id, roles in access.staff_grants(user).items() if roles & REPORT_ROLES}


def rounds_for(user: Any) -> list[Round]:
    """The rounds whose report this user may see, by programme and round number."""
    visible = _visible_programmes(user)
    if not visible:
        return []
    query = (
        select(Round)
        .join(Programme, Programme.id == Round.programme_id)
        .options(joinedload(Round.programme))
        .order_by(Programme.code, Round.number)
    )
    if None not in visible:
        query = query.where(Round.programme_id.in_([p for p in visible if p is not None]))
    return list(db.session.scalars(query))


def round_for(code: str, user: Any) -> Round:
    """The round, if the user holds a reporting role on its programme."""
    round_ = db.session.scalar(select(Round).options(joinedload(Round.programme)).where(Round.code == code))
    if round_ is None or not access.staff_roles(user, round_.programme_id) & REPORT_ROLES:
        raise NotFound(code)
    return round_


def basis_or_default(value: str | None) -> str:
    return value if value in BASES else DEFAULT_BASIS


# -- the report ---------------------------------------------------------------------------------------
def committee_report(round_: Round, basis: str = DEFAULT_BASIS) -> CommitteeReport:
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}: use one of {', '.join(BASES)}")
    other = "current" if basis == "decision" else "decision"
    return CommitteeReport(round_, basis, figures(round_, basis), reconcile(round_.id), figures(round_, other))


def committee_report_for_code(code: str, basis: str = DEFAULT_BASIS) -> CommitteeReport:
    """For the CLI: the report of the round with this code, whoever asks."""
    round_ = db.session.scalar(select(Round).options(joinedload(Round.programme)).where(Round.code == code))
    if round_ is None:
        raise UnknownRound(code)
    return committee_report(round_, basis)


# -- as JSON ------------------------------------------------------------------------------------------
def _breakdown_json(breakdown: Breakdown) -> dict[str, Any]:
    return {
        row.label: {
            "code": row.code,
            "awarded": row.projects,
            "amount": pounds_text(row.amount_pence),
            "people": row.people,
            "percent": str(row.percent),
        }
        for row in breakdown.rows
    }


def _scope_json(scope: Scope) -> dict[str, Any]:
    found: dict[str, Any] = {
        "applications": scope.applications,
        "requested": pounds_text(scope.requested_pence),
        "awarded": scope.awarded,
        "awarded_amount": pounds_text(scope.awarded_pence),
        "people_impacted": scope.people,
        "people_not_stated": scope.people_not_stated,
    }
    for vocabulary, key in JSON_KEYS.items():
        found[key] = _breakdown_json(scope.breakdowns[vocabulary])
    found["none_stated"] = {
        vocabulary: scope.breakdowns[vocabulary].none_stated for vocabulary in (*VOCABULARIES, FLAGS)
    }
    found["percent_with_area_of_focus"] = str(scope.breakdowns["area_of_focus"].percent_with_any)
    return found


def report_json(report: CommitteeReport) -> dict[str, Any]:
    """The report as one JSON object: money as strings of pounds, each by_… keyed by term label."""
    figures_ = report.figures
    payload: dict[str, Any] = {
        "round": report.round.code,
        "round_title": report.round.title,
        "programme": report.round.programme.code,
        "basis": report.basis,
        "basis_label": report.basis_label,
        **_scope_json(figures_.round),
    }
    recoveries = figures_.recoveries
    payload["recoveries"] = {
        "underspend_returned": pounds_text(recoveries.underspend_returned_pence),
        "clawback": pounds_text(recoveries.clawback_pence),
        "total": pounds_text(recoveries.total_pence),
        "count": recoveries.count,
    }
    payload["bases"] = {
        basis: {"round": _scope_json(report.on(basis).round), "cumulative": _scope_json(report.on(basis).cumulative)}
        for basis in BASES
    }  # both bases side by side, so each published figure can be read from one report
    payload["cumulative"] = {
        "rounds": report.round_codes,
        **_scope_json(figures_.cumulative),
        "per_round": [
            {
                "round": line.code,
                "applications": line.applications,
                "requested": pounds_text(line.requested_pence),
                "awarded": line.awarded,
                "awarded_amount": pounds_text(line.awarded_pence),
                "people_impacted": line.people,
            }
            for line in figures_.rounds
        ],
        "recoveries": pounds_text(figures_.cumulative_recoveries.total_pence),
    }
    rec = report.reconciliation
    payload["reconciliation"] = {
        "decision": {"awarded": rec.decision_projects, "awarded_amount": pounds_text(rec.decision_pence)},
        "steps": [
            {
                "step": step.key,
                "label": step.label,
                "projects": step.projects,
                "amount": pounds_text(step.amount_pence),
                "items": [
                    {
                        "reference": item.reference,
                        "award": item.award_reference,
                        "amount": pounds_text(item.amount_pence),
                        "detail": item.detail,
                    }
                    for item in step.items
                ],
            }
            for step in rec.steps
        ],
        "current": {"awarded": rec.current_projects, "awarded_amount": pounds_text(rec.current_pence)},
        "reconciles": rec.reconciles,
        "summary": rec.sentence(),
    }
    return payload


# -- as a spreadsheet ---------------------------------------------------------------------------------
def workbook(report: CommitteeReport) -> writer.CommitteeWorkbook:
    """What the spreadsheet shows, for exports/committee_report.py."""
    figures_, this, cumulative = report.figures, report.this_round, report.cumulative
    other = report.on(report.other_basis)
    return writer.CommitteeWorkbook(
        round_code=report.round.code,
        round_number=report.round.number,
        round_codes=report.round_codes,
        rounds_label=report.rounds_label,
        basis_label=report.basis_label,
        this_round=this,
        cumulative=cumulative,
        percent_with_area_of_focus=(
            this.breakdowns["area_of_focus"].percent_with_any,
            cumulative.breakdowns["area_of_focus"].percent_with_any,
        ),
        recoveries=figures_.recoveries,
        cumulative_recoveries=figures_.cumulative_recoveries,
        reconciliation=report.reconciliation,
        rounds=figures_.rounds,
        breakdowns=[
            writer.BreakdownSheets(
                SHEET_NAMES[vocabulary],
                this.breakdowns[vocabulary],
                cumulative.breakdowns[vocabulary],
                none_stated_row=vocabulary != FLAGS,
                other_round=other.round.breakdowns[vocabulary],
                other_cumulative=other.cumulative.breakdowns[vocabulary],
            )
            for vocabulary in (*VOCABULARIES, FLAGS)
        ],
        other_basis_label=BASES[report.other_basis].lower(),
    )


def spreadsheet_filename(round_code: str, basis: str) -> str:
    return f"{round_code}-committee-report-{basis}.xlsx"


def report_filename(report: CommitteeReport) -> str:
    return spreadsheet_filename(report.round.code, report.basis)


def write_report(report: CommitteeReport, path: str | os.PathLike[str]) -> None:
    """The report's workbook to a file, whole or not at all."""
    writer.write_committee_report(workbook(report), path)


def report_file(report: CommitteeReport) -> IO[bytes]:
    """The report's workbook in an anonymous temporary file, rewound for sending."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        writer.write_committee_report(workbook(report), handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle
