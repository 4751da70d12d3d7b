"""An officer's forms on one return: move its due date, pause or resume its reminders
(grants.monitoring.return_actions does the work). Each goes back to the return's case page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.errors import FieldErrors
from grants.formatting import london_date
from grants.monitoring import return_actions
from grants.monitoring.plan_forms import MoveDueDateForm, RemindersForm
from workflows import Conflict

bp = Blueprint("return_forms", __name__, url_prefix="/monitoring/returns")

DATE_PARTS = ("day", "month", "year")


def _return_now(return_id: int) -> return_actions.ReturnNow:
    try:
        return return_actions.return_for_officer(signed_in_user(), return_id)
    except return_actions.NotAllowed:
        abort(403)


def _back(return_id: int) -> ResponseReturnValue:
    return redirect(url_for("monitoring.return_page", return_id=return_id))


@bp.route("/<int:return_id>/due-date", methods=["GET", "POST"])
@staff("officer", "admin")
def due_date(return_id: int) -> ResponseReturnValue:
    now = _return_now(return_id)
    form = MoveDueDateForm(data={"version_id": str(now.version_id)} if request.method == "GET" else None)
    day, month, year = (request.form.get(f"due_date-{part}", "") for part in DATE_PARTS)
    parts = (day, month, year)
    errors: dict[str, str] = {}
    conflict = False
    if form.validate_on_submit():
        try:
            old, new, reopened = return_actions.move(
                signed_in_user(), return_id, parts, form.reason.data or "", form.version_id.data
            )
        except FieldErrors as exc:
            errors = exc.errors
        except Conflict:
            conflict = True
            now = _return_now(return_id)
            form.version_id.data = str(now.version_id)
        else:
            message = f"The due date is now {london_date(new)} (it was {london_date(old)})."
            if reopened:
                message += " The return is open again for the organisation."
            flash(message)
            return _back(return_id)
    status = 409 if conflict else 200
    return render_template(
        "monitoring/return_forms/due_date.html", now=now, form=form, parts=parts, errors=errors, conflict=conflict
    ), status


@bp.route("/<int:return_id>/reminders", methods=["GET", "POST"])
@staff("officer", "admin")
def reminders(return_id: int) -> ResponseReturnValue:
    now = _return_now(return_id)
    offered = "resume" if now.paused_at is not None else "pause"
    form = RemindersForm(
        data={"version_id": str(now.version_id), "action": offered} if request.method == "GET" else None
    )
    errors: dict[str, str] = {}
    conflict = False
    if form.validate_on_submit():
        try:
            message = return_actions.set_reminders(
                signed_in_user(), return_id, form.action.data or "", form.reason.data or "", form.version_id.data
            )
        except FieldErrors as exc:
            errors = exc.errors
        except Conflict:
            conflict = True
            now = _return_now(return_id)
            offered = "resume" if now.paused_at is not None else "pause"
            form.version_id.data, form.action.data = str(now.version_id), offered
        else:
            flash(message)
            return _back(return_id)
    status = 409 if conflict else 200
    return render_template(
        "monitoring/return_forms/reminders.html", now=now, form=form, errors=errors, conflict=conflict, offered=offered
    ), status
