"""Officers prepare a round's assessment: screening, criteria, assigning assessors, conflicts.

Every route is for officers and admins; the round's (or bid's) programme must be one the
user holds one of those roles on, or the page does not exist (404).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from grants.assessment import assigning, assignments, criteria, screening, services
from grants.assessment.forms import (
    AssignForm,
    ChooseAssessorForm,
    CriterionForm,
    RemoveAssignmentForm,
    RemoveCriterionForm,
    ScreeningForm,
    StepForm,
)
from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.form_fields import show_errors
from grants.pagination import page_number
from grants.streaming import guarded
from workflows import Conflict, ReasonRequired, TransitionRefused

bp = Blueprint("assessment", __name__, url_prefix="/assessing")

OFFICERS = ("officer", "admin")
CONFLICT_MESSAGE = (
    "Someone else changed this application while you were looking at it. Here is its current state: "
    "check it, then try again if it still needs doing."
)
STEP_REASON_MISSING = {
    "mark_ineligible": "Enter the reason the application is not eligible: the applicant will read it",
    "request_information": "Enter your question for the applicant",
}


def _round(code: str) -> Any:
    return services.round_for_officer(code, signed_in_user())


def _application(application_id: int) -> Any:
    return services.application_for_officer(application_id, signed_in_user())


def _assessment(assessment_id: int) -> Any:
    return services.assessment_for_officer(assessment_id, signed_in_user())


# -- the round's tasks -------------------------------------------------------------------------
@bp.route("/rounds/<code>")
@staff(*OFFICERS)
def round_tasks(code: str) -> ResponseReturnValue:
    return render_template("assessment/round.html", tasks=services.round_tasks(_round(code)))


# -- screening ----------------------------------------------------------------------------------
@bp.route("/rounds/<code>/screening")
@staff(*OFFICERS)
def screening_list(code: str) -> ResponseReturnValue:
    round_ = _round(code)
    sort = screening.SORTS.read(request.args)
    page = screening.screening_list(
        round_, signed_in_user().id, page_number(request.args), current_app.config["PAGE_SIZE"], sort
    )
    return render_template("assessment/screening_list.html", round=round_, page=page, sort=sort)


@bp.route("/rounds/<code>/screening.csv")
@staff(*OFFICERS)
def screening_csv(code: str) -> ResponseReturnValue:
    """The screening list as CSV: every bid it shows (all pages), in the same order."""
    round_ = _round(code)
    lines = screening.screening_csv(round_, signed_in_user().id, screening.SORTS.read(request.args))
    return Response(
        stream_with_context(guarded(lines)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{round_.code}-screening.csv"'},
    )


def _render_screening(
    application: Any,
    form: ScreeningForm | None = None,
    *,
    conflict: Any = None,
    step: str | None = None,
    step_errors: list[str] | None = None,
    step_reason: str = "",
    status: int = 200,
) -> ResponseReturnValue:
    check = screening.check_for(application)
    if form is None:
        form = ScreeningForm(formdata=None, data=screening.form_values(check))
    uploaded = screening.documents(application)
    return render_template(
        "assessment/screening.html",
        application=application,
        organisation=application.organisation,
        round=application.round,
        check=check,
        status=screening.STATUS_LABELS[screening.status_of(check)],
        state_label=services.workflow_labels(application.workflow).get(application.state, application.state),
        editable=screening.is_open(application),
        form=form,
        conflict=conflict,
        items=screening.SCREENING_ITEMS,
        answer_labels=screening.ANSWERS,
        fraud_risks=screening.FRAUD_RISKS,
        evidence=screening.evidence(application, uploaded),
        documents=uploaded,
        answers=screening.answers(application),
        steps=screening.next_steps(application, signed_in_user()),
        step_form=StepForm(formdata=None),
        step=step,
        step_errors=step_errors or [],
        step_reason=step_reason,
    ), status


@bp.route("/applications/<int:application_id>/screening", methods=["GET", "POST"])
@staff(*OFFICERS)
def screen(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    if request.method == "GET":
        return _render_screening(application)
    form = ScreeningForm()
    if not form.validate_on_submit():
        return _render_screening(application, form, status=400)
    try:
        screening.save_screening(signed_in_user(), application, form.answers(), form.expected_version())
    except screening.ScreeningConflict as exc:
        # Keep what they chose; show what is saved now. Saving again replaces it, knowingly.
        form.version_id.data = str(exc.current.version_id)
        return _render_screening(application, form, conflict=exc.current, status=409)
    except screening.ScreeningInvalid as exc:
        show_errors(form, exc.errors)
        return _render_screening(application, form, status=400)
    except screening.ScreeningClosed:
        flash("This application has been decided, so its screening checklist can no longer be changed.")
        return redirect(url_for("assessment.screen", application_id=application_id))
    flash("The screening checklist has been saved.")
    return redirect(url_for("assessment.screen", application_id=application_id) + "#next-steps")


@bp.route("/applications/<int:application_id>/screening/<step>", methods=["POST"])
@staff(*OFFICERS)
def screening_step(application_id: int, step: str) -> ResponseReturnValue:
    application = _application(application_id)
    if step not in screening.NEXT_STEPS:
        abort(404)
    form = StepForm()
    reason = (form.reason.data or "").strip()
    if not form.validate_on_submit():
        errors = [message for messages in form.errors.values() for message in messages]
        return _render_screening(application, step=step, step_errors=errors, step_reason=reason, status=400)
    if step in STEP_REASON_MISSING and not reason:
        return _render_screening(application, step=step, step_errors=[STEP_REASON_MISSING[step]], status=400)
    try:
        message = screening.take_step(signed_in_user(), application, step, reason, form.expected_version())
    except Conflict:
        return _render_screening(application, step=step, step_errors=[CONFLICT_MESSAGE], step_reason=reason, status=409)
    except ReasonRequired:
        return _render_screening(application, step=step, step_errors=[STEP_REASON_MISSING[step]], status=400)
    except TransitionRefused as exc:
        return _render_screening(application, step=step, step_errors=exc.reasons, step_reason=reason, status=400)
    flash(message)
    return redirect(url_for("assessment.screen", application_id=application_id))


# -- criteria -----------------------------------------------------------------------------------
def _render_criteria(
    round_: Any, form: CriterionForm | None = None, *, fixed_error: bool = False, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "assessment/criteria.html",
        round=round_,
        criteria=criteria.criteria_of(round_),
        fixed=services.scoring_begun(round_),
        fixed_error=fixed_error,
        fixed_message=criteria.SCORING_BEGUN,
        form=form or CriterionForm(formdata=None),
        remove_form=RemoveCriterionForm(formdata=None),
        descriptors_text=criteria.descriptors_text,
    ), status


@bp.route("/rounds/<code>/criteria", methods=["GET", "POST"])
@staff(*OFFICERS)
def criteria_page(code: str) -> ResponseReturnValue:
    round_ = _round(code)
    if request.method == "GET":
        return _render_criteria(round_)
    form = CriterionForm()
    if not form.validate_on_submit():
        return _render_criteria(round_, form, status=400)
    try:
        criterion = criteria.add_criterion(signed_in_user(), round_, criteria.check_values(form.raw()))
    except criteria.CriteriaFixed:
        return _render_criteria(round_, form, fixed_error=True, status=409)
    except criteria.CriterionInvalid as exc:
        show_errors(form, exc.errors)
        return _render_criteria(round_, form, status=400)
    flash(f"'{criterion.name}' has been added.")
    return redirect(url_for("assessment.criteria_page", code=code))


def _render_criterion(
    round_: Any, criterion: Any, form: CriterionForm, *, fixed_error: bool = False, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "assessment/criterion.html",
        round=round_,
        criterion=criterion,
        form=form,
        fixed=services.scoring_begun(round_),
        fixed_error=fixed_error,
        fixed_message=criteria.SCORING_BEGUN,
    ), status


@bp.route("/rounds/<code>/criteria/<int:criterion_id>", methods=["GET", "POST"])
@staff(*OFFICERS)
def criterion_page(code: str, criterion_id: int) -> ResponseReturnValue:
    round_ = _round(code)
    criterion = criteria.criterion_of(round_, criterion_id)
    if request.method == "GET":
        return _render_criterion(round_, criterion, CriterionForm(formdata=None, data=criteria.form_values(criterion)))
    form = CriterionForm()
    if not form.validate_on_submit():
        return _render_criterion(round_, criterion, form, status=400)
    try:
        changed = criteria.update_criterion(signed_in_user(), round_, criterion_id, criteria.check_values(form.raw()))
    except criteria.CriteriaFixed:
        return _render_criterion(round_, criterion, form, fixed_error=True, status=409)
    except criteria.CriterionInvalid as exc:
        show_errors(form, exc.errors)
        return _render_criterion(round_, criterion, form, status=400)
    flash(f"'{criterion.name}' has been changed." if changed else "You did not change anything.")
    return redirect(url_for("assessment.criteria_page", code=code))


@bp.route("/rounds/<code>/criteria/<int:criterion_id>/remove", methods=["POST"])
@staff(*OFFICERS)
def remove_criterion(code: str, criterion_id: int) -> ResponseReturnValue:
    round_ = _round(code)
    form = RemoveCriterionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        name = criteria.remove_criterion(signed_in_user(), round_, criterion_id)
    except criteria.CriteriaFixed:
        return _render_criteria(round_, fixed_error=True, status=409)
    flash(f"'{name}' has been removed.")
    return redirect(url_for("assessment.criteria_page", code=code))


# -- assigning ----------------------------------------------------------------------------------
def _render_assign(round_: Any, form: AssignForm, *, status: int = 200) -> ResponseReturnValue:
    pool = assigning.assessor_pool(round_)
    if request.method == "GET":
        form.assessors.data = [assessor.id for assessor in pool]  # everyone, to start with
    form.assessors.choices = [
        (
            assessor.id,
            f"{assessor.name} ({assessor.email}): {assessor.load} {'bid' if assessor.load == 1 else 'bids'} now",
        )
        for assessor in pool
    ]
    return render_template(
        "assessment/assign.html", round=round_, form=form, pool=pool, tasks=services.round_tasks(round_)
    ), status


@bp.route("/rounds/<code>/assign", methods=["GET", "POST"])
@staff(*OFFICERS)
def assign(code: str) -> ResponseReturnValue:
    round_ = _round(code)
    if request.method == "GET":
        return _render_assign(round_, AssignForm(formdata=None, data={"per_bid": str(round_.assessors_per_bid)}))
    form = AssignForm()
    if not form.validate_on_submit():
        return _render_assign(round_, form, status=400)
    try:
        result = assigning.assign(signed_in_user(), round_, list(form.assessors.data or []), form.per_bid_number())
    except assigning.AssignInvalid as exc:
        show_errors(form, exc.errors)
        return _render_assign(round_, form, status=400)
    flash(result.summary)
    if result.short:
        flash(
            f"{len(result.short)} {'bid has' if len(result.short) == 1 else 'bids have'} fewer assessors than asked "
            "for, because too few of the chosen assessors could take them: "
            + ", ".join(result.short[:20])
            + ("…" if len(result.short) > 20 else "")
        )
    if result.skipped:
        flash(
            "Someone else changed these bids while they were being assigned, so they were left as they were: "
            + ", ".join(result.skipped)
            + ". Assign again to include them."
        )
    return redirect(url_for("assessment.assign", code=code))


# -- conflicts and assessments per bid --------------------------------------------------------
def _render_conflicts(round_: Any, *, errors: dict[int, str] | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "assessment/conflicts.html",
        round=round_,
        rows=assignments.conflict_register(round_),
        form=ChooseAssessorForm(formdata=None),
        errors=errors or {},
    ), status


@bp.route("/rounds/<code>/conflicts")
@staff(*OFFICERS)
def conflicts(code: str) -> ResponseReturnValue:
    return _render_conflicts(_round(code))


@bp.route("/assessments/<int:assessment_id>/reassign", methods=["POST"])
@staff(*OFFICERS)
def reassign(assessment_id: int) -> ResponseReturnValue:
    conflicted = _assessment(assessment_id)
    round_ = conflicted.application.round
    form = ChooseAssessorForm()
    if not form.validate_on_submit():
        return _render_conflicts(round_, errors={assessment_id: "Your session has expired: try again"}, status=400)
    try:
        new = assigning.reassign(signed_in_user(), conflicted, form.assessor_id())
    except assigning.AssignInvalid as exc:
        return _render_conflicts(round_, errors={assessment_id: next(iter(exc.errors.values()))}, status=400)
    flash(f"{new.application.reference} has been given to {new.assessor.name}.")
    return redirect(url_for("assessment.conflicts", code=round_.code))


def _render_assessments(
    application: Any, *, errors: dict[str, str] | None = None, status: int = 200, typed: str = ""
) -> ResponseReturnValue:
    round_ = application.round
    return render_template(
        "assessment/assessments.html",
        application=application,
        round=round_,
        assessments=assignments.assessments_of(application),
        choices=assigning.choices_for(round_, [application.id])[application.id],
        can_add=assigning.can_assign(application),
        form=RemoveAssignmentForm(formdata=None),
        errors=errors or {},
        typed=typed,
        state_label=services.workflow_labels(application.workflow).get(application.state, application.state),
    ), status


@bp.route("/applications/<int:application_id>/assessments", methods=["GET", "POST"])
@staff(*OFFICERS)
def assessments(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    if request.method == "GET":
        return _render_assessments(application)
    form = ChooseAssessorForm()
    if not form.validate_on_submit():
        return _render_assessments(application, errors={"assessor": "Your session has expired: try again"}, status=400)
    try:
        new = assigning.add_assessor(signed_in_user(), application.round, application, form.assessor_id())
    except assigning.AssignInvalid as exc:
        return _render_assessments(application, errors=exc.errors, status=400)
    flash(f"{application.reference} has been given to {new.assessor.name}.")
    return redirect(url_for("assessment.assessments", application_id=application_id))


@bp.route("/assessments/<int:assessment_id>/remove", methods=["POST"])
@staff(*OFFICERS)
def remove_assignment(assessment_id: int) -> ResponseReturnValue:
    assessment = _assessment(assessment_id)
    application = assessment.application
    form = RemoveAssignmentForm()
    reason = (form.reason.data or "").strip()
    key = f"remove-{assessment_id}"
    if not form.validate_on_submit():
        errors = [message for messages in form.errors.values() for message in messages]
        return _render_assessments(application, errors={key: errors[0]}, typed=reason, status=400)
    try:
        message = assigning.remove_assignment(signed_in_user(), assessment, reason, form.expected_version())
    except Conflict:
        return _render_assessments(
            application,
            errors={key: "Someone else changed this assessment while you were looking at it: check it, then try again"},
            typed=reason,
            status=409,
        )
    except ReasonRequired:
        return _render_assessments(
            application, errors={key: "Enter the reason for removing the assignment"}, typed=reason, status=400
        )
    except TransitionRefused as exc:
        return _render_assessments(application, errors={key: " ".join(exc.reasons)}, typed=reason, status=400)
    flash(message)
    return redirect(url_for("assessment.assessments", application_id=application.id))
