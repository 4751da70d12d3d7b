"""Pages of the reports area (thin: each view calls a service)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, send_file
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.formatting import money
from grants.reports import charts, services

bp = Blueprint("reports", __name__, url_prefix="/reports")

REPORTERS = tuple(sorted(services.REPORT_ROLES))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(code: str) -> Any:
    round_ = services.round_for(code, signed_in_user())
    return services.committee_report(round_, services.basis_or_default(request.args.get("basis")))


def _charts(report: Any) -> dict[str, charts.BarChart]:
    found: dict[str, charts.BarChart] = {}
    for scope_name, scope, heading in (
        ("round", report.this_round, f"Round {report.round.number}"),
        ("cumulative", report.cumulative, report.rounds_label),
    ):
        for vocabulary, breakdown in scope.breakdowns.items():
            found[f"{scope_name}-{vocabulary}"] = charts.breakdown_chart(
                f"chart-{scope_name}-{vocabulary}".replace("_", "-"),
                f"{heading}: projects by {breakdown.title.lower()}",
                [(row.label, row.projects) for row in breakdown.rows],
            )
    found["rounds"] = charts.money_chart(
        "chart-rounds",
        f"{report.rounds_label}: amount awarded by round",
        [(line.title, line.awarded_pence, money(line.awarded_pence)) for line in report.figures.rounds],
    )
    return found


@bp.route("/")
@staff(*REPORTERS)
def index() -> ResponseReturnValue:
    return render_template("reports/index.html", rounds=services.rounds_for(signed_in_user()))


@bp.route("/committee/<code>")
@staff(*REPORTERS)
def committee(code: str) -> ResponseReturnValue:
    report = _report(code)
    return render_template(
        "reports/committee.html",
        report=report,
        charts=_charts(report),
        bases=services.BASES,
        basis_explained=services.BASIS_EXPLAINED,
    )


@bp.route("/committee/<code>/spreadsheet")
@staff(*REPORTERS)
def committee_spreadsheet(code: str) -> ResponseReturnValue:
    report = _report(code)
    return send_file(
        services.report_file(report),
        mimetype=XLSX,
        as_attachment=True,
        download_name=services.report_filename(report),
        max_age=0,
    )
