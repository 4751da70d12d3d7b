"""Pages of the finance area (thin: each view calls a service).

`/finance/`: finance staff (and officers and admins, who get bank details masked) choose a
programme, a period and a format, and download the finance spreadsheet.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, send_file, stream_with_context, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.finance_export import background, services
from grants.finance_export.forms import FinanceExportForm
from grants.streaming import guarded

bp = Blueprint("finance_export", __name__, url_prefix="/finance")


def _render(
    form: FinanceExportForm, choices: list[services.ProgrammeChoice], status: int = 200, problem: str | None = None
) -> Any:
    return render_template("finance_export/export.html", form=form, choices=choices, problem=problem), status


@bp.route("/", methods=["GET", "POST"])
@staff(*sorted(services.EXPORT_ROLES))
def export() -> ResponseReturnValue:
    choices = services.programmes_for(signed_in_user())
    starts_on, ends_on = services.current_financial_year(date.today())
    form = FinanceExportForm(starts_on=starts_on, ends_on=ends_on)
    form.set_programmes([(choice.code, f"{choice.code}: {choice.name}") for choice in choices])
    if not form.is_submitted():
        return _render(form, choices)
    if not form.validate():
        return _render(form, choices, status=400)
    first, last = form.starts_on.data, form.ends_on.data
    assert first is not None and last is not None  # the form's validators refuse a missing date
    try:
        export = services.export_for(signed_in_user(), form.programme.data, first, last)
    except services.UnknownProgramme as exc:
        form.programme.errors = [str(exc)]
        return _render(form, choices, status=400)
    except services.FinanceExportError as exc:
        form.ends_on.errors = [str(exc)]
        return _render(form, choices, status=400)
    if background.is_big(export):  # too big to write while the browser waits: a worker makes it
        try:
            asked = background.start(signed_in_user(), export, form.output_format.data)
        except background.jobs.JobLimitReached as exc:
            return _render(form, choices, status=429, problem=str(exc))
        if asked.already_asked:
            flash("You have already asked for this file: it is being made.")
        return redirect(url_for("jobs.job_page", job_id=asked.job_id), code=303)
    if form.output_format.data == "csv":
        return Response(
            stream_with_context(guarded(services.csv_lines(export))),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{export.filename("csv")}"'},
        )
    handle = services.xlsx_file(export)
    return send_file(
        handle, mimetype=services.XLSX_MIMETYPE, as_attachment=True, download_name=export.filename("xlsx"), max_age=0
    )
