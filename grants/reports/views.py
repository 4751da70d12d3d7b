"""Pages of the reports area (thin: each view calls a service)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.formatting import money
from grants.reports import background, charts, moj, services

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
    user = signed_in_user()
    return render_template("reports/index.html", rounds=services.rounds_for(user), moj_report=moj.can_see(user))


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
    round_ = services.round_for(code, signed_in_user())
    basis = services.basis_or_default(request.args.get("basis"))
    if background.is_big(round_):  # too big to work out while the browser waits: a worker makes it
        try:
            asked = background.start(signed_in_user(), round_, basis)
        except background.jobs.JobLimitReached as exc:
            return render_template("jobs/limit_reached.html", problem=str(exc)), 429
        if asked.already_asked:
            flash("You have already asked for this file: it is being made.")
        return redirect(url_for("jobs.job_page", job_id=asked.job_id), code=303)
    report = services.committee_report(round_, basis)
    return send_file(
        services.report_file(report),
        mimetype=XLSX,
        as_attachment=True,
        download_name=services.report_filename(report),
        max_age=0,
    )


def _moj_report() -> tuple[moj.MojReport, list[int], str | None, str | None]:
    """The MoJ report of the year asked for (or the default year, and what was wrong with the one asked)."""
    programme = moj.programme_for(signed_in_user())
    asked = request.args.get("year")
    year, error = moj.parse_year(asked, moj.default_year(programme))
    return moj.moj_report(programme, year), moj.years_with_returns(programme), asked, error


@bp.route("/moj")
@staff(*sorted(moj.MOJ_REPORT_ROLES))
def moj_return() -> ResponseReturnValue:
    report, years, asked, error = _moj_report()
    return render_template("reports/moj.html", report=report, years=years, asked=asked, error=error)


@bp.route("/moj/spreadsheet")
@staff(*sorted(moj.MOJ_REPORT_ROLES))
def moj_spreadsheet() -> ResponseReturnValue:
    report, _years, _asked, _error = _moj_report()
    return send_file(
        moj.report_file(report),
        mimetype=XLSX,
        as_attachment=True,
        download_name=moj.report_filename(report),
        max_age=0,
    )
