"""Officers' pages for a round: its applications, filtered, paginated and as a CSV download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue

from grants.applications import services
from grants.applications.forms import ApplicationFilterForm
from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.pagination import page_number
from grants.streaming import guarded

bp = Blueprint("applications", __name__, url_prefix="/officer")

OFFICERS = ("officer", "admin")


def _round_and_filters(code: str) -> tuple[Any, ApplicationFilterForm, services.Filters]:
    round_ = services.round_for_officer(code, signed_in_user())
    form = ApplicationFilterForm(formdata=request.args)
    form.set_choices(services.choices(round_))
    if request.args:
        form.validate()
    return round_, form, form.filters()


@bp.route("/rounds/<code>/applications")
@staff(*OFFICERS)
def applications(code: str) -> ResponseReturnValue:
    round_, form, filters = _round_and_filters(code)
    sort = services.SORTS.read(request.args)
    listing = services.list_applications(
        round_, filters, signed_in_user().id, page_number(request.args), current_app.config["PAGE_SIZE"], sort
    )
    query = {key: value for key, value in request.args.items() if key != "page"}
    return render_template(
        "applications/applications.html", listing=listing, form=form, filters=filters, query=query, sort=sort
    )


@bp.route("/rounds/<code>/applications.csv")
@staff(*OFFICERS)
def applications_csv(code: str) -> ResponseReturnValue:
    round_, _form, filters = _round_and_filters(code)
    lines = services.csv_lines(round_, filters, signed_in_user().id, services.SORTS.read(request.args))
    filename = services.csv_filename(round_)
    return Response(
        stream_with_context(guarded(lines)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
