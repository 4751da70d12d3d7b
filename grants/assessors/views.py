"""Assessors: their assigned bids, conflict declarations, and scores.

Every page is for the assessor the bid is assigned to, and only while they have not declared
a conflict: to anyone else, and to them after a conflict, the assessment does not exist (404).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.assessors import forms, services, worklist
from grants.assessors.forms import DeclarationForm, ScoringForm
from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.pagination import page_number
from workflows import Conflict

bp = Blueprint("assessors", __name__, url_prefix="/scoring")

ASSESSOR = "assessor"
STALE = (
    "These scores were changed somewhere else (perhaps in another tab or window) after you opened this page. "
    "Your changes have not been saved."
)


def _assessment(assessment_id: int) -> Any:
    return services.assessment_for(signed_in_user(), assessment_id)


@bp.route("/")
@staff(ASSESSOR)
def index() -> ResponseReturnValue:
    show = worklist.tab(request.args.get("show"))
    listing = worklist.list_assessments(
        signed_in_user(), page_number(request.args), current_app.config["PAGE_SIZE"], show
    )
    return render_template("assessors/index.html", listing=listing)


# -- the declaration -----------------------------------------------------------------------------
def _render_declaration(
    assessment: Any, form: DeclarationForm, problem: str | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "assessors/declaration.html",
        assessment=assessment,
        facts=services.declaration_facts(assessment),
        form=form,
        problem=problem,
    ), status


@bp.route("/<int:assessment_id>/declaration", methods=["GET", "POST"])
@staff(ASSESSOR)
def declaration(assessment_id: int) -> ResponseReturnValue:
    assessment = _assessment(assessment_id)
    if assessment.state == "submitted":
        return redirect(url_for("assessors.assessment", assessment_id=assessment.id))
    form = DeclarationForm(version_id=assessment.version_id)
    if not form.validate_on_submit():
        return _render_declaration(assessment, form, status=400 if form.errors else 200)
    facts = services.declaration_facts(assessment)
    try:
        services.declare(signed_in_user(), assessment, form.has_conflict, form.details.data or "", form.version_id.data)
    except Conflict:
        fresh = _assessment(assessment_id)  # gone for good if the officer removed it meanwhile
        form.version_id.data = fresh.version_id
        return _render_declaration(
            fresh,
            form,
            "This assessment changed while you were looking at it. Check your answer and send it again.",
            409,
        )
    except services.NotAllowed as exc:
        return _render_declaration(_assessment(assessment_id), form, str(exc), 400)
    if form.has_conflict:
        flash(
            f"You have declared a conflict of interest with {facts['reference']}. It has been taken off your list, "
            "and the grants team has been told so they can give it to another assessor."
        )
        return redirect(url_for("assessors.index"))
    return redirect(url_for("assessors.assessment", assessment_id=assessment.id))


# -- scoring -------------------------------------------------------------------------------------
def _render_scoring(
    assessment: Any,
    values: dict[int, services.Typed] | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    stale: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    sheet = services.scoring_sheet(assessment)
    return render_template(
        "assessors/assessment.html",
        sheet=sheet,
        form=ScoringForm(formdata=None, version_id=assessment.version_id),
        values=sheet.saved if values is None or sheet.locked else values,
        errors=errors or {},
        problem=problem,
        stale=stale,
    ), status


@bp.route("/<int:assessment_id>", methods=["GET", "POST"])
@staff(ASSESSOR)
def assessment(assessment_id: int) -> ResponseReturnValue:
    found = _assessment(assessment_id)
    if found.state == "assigned":
        return redirect(url_for("assessors.declaration", assessment_id=found.id))
    if request.method == "GET":
        return _render_scoring(found)
    form = ScoringForm()
    if not form.validate_on_submit():
        abort(400)
    values = forms.typed([c.id for c in services.criteria_of(found)], request.form)
    reference = found.application.reference
    try:
        if form.submitting:
            services.submit(signed_in_user(), found, values, form.version_id.data)
        else:
            changed = services.save_draft(signed_in_user(), found, values, form.version_id.data)
    except services.ScoresLocked:
        return _render_scoring(
            found,
            problem="You have already submitted these scores, so they cannot be changed. "
            "If something needs correcting, ask the grants team to reopen them.",
            status=409,
        )
    except Conflict:
        return _render_scoring(_assessment(assessment_id), values, problem=STALE, stale=True, status=409)
    except services.ScoringError as exc:
        return _render_scoring(found, values, errors=exc.errors, status=400)
    except services.NotAllowed as exc:
        return _render_scoring(_assessment(assessment_id), values, problem=str(exc), status=400)
    if form.submitting:
        flash(f"You have submitted your scores for {reference}. They are now locked.")
    elif changed:
        flash("Your draft scores have been saved. You can come back to them at any time.")
    else:
        flash("You have not changed any scores since you last saved.")
    return redirect(url_for("assessors.assessment", assessment_id=assessment_id))
