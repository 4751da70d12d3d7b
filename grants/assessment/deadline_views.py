"""Officers and assessors' deadlines: a round's assessment due date, and the assessments past it.

For officers and admins of the round's programme; a round they cannot see does not exist (404)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.assessment import due_dates, services
from grants.assessment.forms import DueDateForm
from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.form_fields import version_or_none
from grants.pagination import page_number
from workflows import Conflict

bp = Blueprint("assessment_deadlines", __name__, url_prefix="/assessing")

OFFICERS = ("officer", "admin")
CHANGED_MEANWHILE = "Someone else changed this round while you were editing: check the date and save it again"
FORM_EXPIRED = "The form had expired: save the due date again"


@bp.route("/rounds/<code>/due-date", methods=["GET", "POST"])
@staff(*OFFICERS)
def due_date(code: str) -> ResponseReturnValue:
    round_ = services.round_for_officer(code, signed_in_user())
    form, error, status = DueDateForm(), None, 200
    typed = tuple(request.form.get(f"{due_dates.FIELD}-{part}", "") for part in ("day", "month", "year"))
    if form.validate_on_submit():
        try:
            due_dates.set_due_date(signed_in_user(), round_, typed, version_or_none(form.version_id.data))
        except due_dates.DueDateProblem as exc:
            error, status = str(exc), 400
        except Conflict:
            error, status = CHANGED_MEANWHILE, 409
            round_ = services.round_for_officer(code, signed_in_user())
        else:
            flash(f"Assessors' scores for {round_.title} are now due on {round_.assessment_due_on:%-d %B %Y}.")
            return redirect(url_for("assessment.round_tasks", code=code))
    elif request.method == "POST":
        error, status = FORM_EXPIRED, 400
    form.version_id.data = str(round_.version_id)
    return render_template("assessment/due_date.html", round=round_, form=form, error=error, typed=typed), status


@bp.route("/overdue")
@staff("officer")
def overdue() -> ResponseReturnValue:
    page = due_dates.overdue_page(signed_in_user(), page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template("assessment/overdue.html", page=page)
