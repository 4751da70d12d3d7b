"""Applying online: rounds, eligibility, the task list, sections, check answers, submit, dashboard."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from grants.apply import downloads, sections, services
from grants.apply.forms import EligibilityForm, ProvideInformationForm, StartForm, SubmitApplicationForm, WithdrawForm
from grants.auth.current import signed_in_user
from grants.auth.permissions import public, signed_in
from grants.correspondence import services as correspondence
from grants.formatting import whole_number

bp = Blueprint("apply", __name__)


def _application(application_id: int) -> Any:
    return services.application_for(signed_in_user(), application_id)


def _version() -> int | None:
    try:
        return int(request.form.get("version_id", ""))
    except ValueError:
        return None


@bp.route("/rounds")
@public
def rounds() -> ResponseReturnValue:
    return render_template("apply/rounds.html", rounds=services.visible_rounds())


@bp.route("/rounds/<code>")
@public
def round_detail(code: str) -> ResponseReturnValue:
    round_ = services.round_by_code(code)
    return render_template("apply/round.html", round=round_, open=services.accepts_submissions(round_))


@bp.route("/rounds/<code>/terms")
@public
def round_terms(code: str) -> ResponseReturnValue:
    round_ = services.round_by_code(code)
    return render_template("apply/terms.html", round=round_, terms=services.grant_terms(round_))


@bp.route("/rounds/<code>/eligibility", methods=["GET", "POST"])
@signed_in
def eligibility(code: str) -> ResponseReturnValue:
    round_ = services.round_by_code(code)
    organisations = services.member_organisations(signed_in_user())
    if not organisations:
        return render_template("apply/no_organisation.html", round=round_)
    form = EligibilityForm()
    form.organisation.choices = [(o.id, o.name) for o in organisations]
    if len(organisations) == 1 and request.method == "GET":
        form.organisation.data = organisations[0].id
    if form.validate_on_submit():
        organisation = services.member_organisation(signed_in_user(), form.organisation.data)
        amount_pence, ends_on = form.amount.data, form.ends_on.data
        assert amount_pence is not None and ends_on is not None  # NotBlank and the fields refuse no answer
        answers = services.EligibilityAnswers(
            organisation=organisation,
            in_west_yorkshire=form.in_west_yorkshire.data == "yes",
            amount_pence=amount_pence,
            ends_on=ends_on,
        )
        problems = services.eligibility_problems(round_, answers)
        if problems:
            return render_template("apply/ineligible.html", round=round_, problems=problems)
        return render_template(
            "apply/eligible.html",
            round=round_,
            organisation=organisation,
            form=StartForm(organisation_id=organisation.id),
        )
    return render_template("apply/eligibility.html", round=round_, form=form)


@bp.route("/rounds/<code>/start", methods=["POST"])
@signed_in
def start(code: str) -> ResponseReturnValue:
    round_ = services.round_by_code(code)
    form = StartForm()
    organisation_id = whole_number(form.organisation_id.data or "")
    if not form.validate_on_submit() or organisation_id is None:
        abort(400)
    try:
        application = services.start_application(signed_in_user(), round_, organisation_id)
    except services.NotAllowed as exc:
        flash(str(exc))
        return redirect(url_for("apply.round_detail", code=code))
    return redirect(url_for("apply.application", application_id=application.id))


@bp.route("/applications")
@signed_in
def dashboard() -> ResponseReturnValue:
    return render_template(
        "apply/dashboard.html",
        applications=services.dashboard(signed_in_user()),
        organisations=services.member_organisations(signed_in_user()),
        plain=services.PLAIN_STATES,
        message_count=correspondence.messages_for_member(signed_in_user()),
    )


@bp.route("/applications/<int:application_id>")
@signed_in
def application(application_id: int) -> ResponseReturnValue:
    app_ = _application(application_id)
    allowed = services.allowed(signed_in_user(), app_)
    return render_template(
        "apply/application.html",
        application=app_,
        tasks=services.task_list(app_),
        editable=sections.editable(app_),
        locked_reason=None if sections.editable(app_) else sections.locked_reason(app_),
        plain=services.PLAIN_STATES,
        questions=services.officer_questions(app_),
        can_withdraw="withdraw" in allowed,
        can_respond="provide_information" in allowed,
        summary=None if app_.state == "draft" else services.answers_summary(app_),
        messages=correspondence.on_case(app_, staff=False),
    )


@bp.route("/applications/<int:application_id>/sections/<key>", methods=["GET", "POST"])
@signed_in
def section(application_id: int, key: str) -> ResponseReturnValue:
    app_ = _application(application_id)
    if not sections.editable(app_):
        flash(sections.locked_reason(app_))
        return redirect(url_for("apply.application", application_id=app_.id))
    if request.method == "GET":
        try:
            page = sections.load(app_, key, request.args.get("return_to"))
        except LookupError:
            abort(404)
        return render_template("apply/section.html", page=page)
    action = request.form.get("action", sections.CONTINUE)
    try:
        page = sections.save(
            signed_in_user(),
            app_,
            key,
            request.form,
            request.files,
            action,
            _version() or 0,
            request.form.get("return_to"),
        )
    except KeyError:
        abort(404)
    except services.NotAllowed as exc:
        flash(str(exc))
        return redirect(url_for("apply.application", application_id=app_.id))
    if page.moved_to:  # a line added or removed, a file removed: the page again, at the change
        return redirect(_section_url(app_.id, key, page.return_to, page.moved_to))
    if page.saved and action == sections.LATER:
        flash("Your answers have been saved. You can come back to them at any time.")
        return redirect(url_for("apply.application", application_id=app_.id))
    if page.saved:
        if page.return_to == "check":
            return redirect(url_for("apply.check", application_id=app_.id))
        if page.next_section is not None:
            return redirect(url_for("apply.section", application_id=app_.id, key=page.next_section.key))
        return redirect(url_for("apply.application", application_id=app_.id))
    return render_template("apply/section.html", page=page), 409 if page.notice else 200


def _section_url(application_id: int, key: str, return_to: str | None, anchor: str) -> str:
    url = url_for("apply.section", application_id=application_id, key=key, return_to=return_to)
    return f"{url}#{anchor}"


@bp.route("/applications/<int:application_id>/documents/<int:document_id>")
@signed_in
def document(application_id: int, document_id: int) -> ResponseReturnValue:
    found = downloads.document_for(signed_in_user(), application_id, document_id)
    return send_file(
        downloads.path(current_app.config["UPLOAD_FOLDER"], found),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=downloads.served_name(found),
    )


@bp.route("/applications/<int:application_id>/check", methods=["GET", "POST"])
@signed_in
def check(application_id: int) -> ResponseReturnValue:
    app_ = _application(application_id)
    problem = None
    if request.method == "POST" and SubmitApplicationForm().validate_on_submit():  # a GET builds one form
        try:
            services.submit(signed_in_user(), app_, _version())
        except services.NotAllowed as exc:
            problem = str(exc)
        else:
            return redirect(url_for("apply.confirmation", application_id=app_.id))
    if app_.state != "draft":
        return redirect(url_for("apply.application", application_id=app_.id))
    return render_template(
        "apply/check.html",
        application=app_,
        summary=services.answers_summary(app_),
        incomplete=services.incomplete_sections(app_),
        profile_gaps=services.profile_gaps(app_),
        open=services.accepts_submissions(app_.round),
        form=SubmitApplicationForm(formdata=None, version_id=app_.version_id),
        problem=problem,
    ), (400 if problem else 200)


@bp.route("/applications/<int:application_id>/confirmation")
@signed_in
def confirmation(application_id: int) -> ResponseReturnValue:
    app_ = _application(application_id)
    if app_.submitted_at is None:
        return redirect(url_for("apply.application", application_id=app_.id))
    return render_template("apply/confirmation.html", application=app_)


@bp.route("/applications/<int:application_id>/respond", methods=["GET", "POST"])
@signed_in
def respond(application_id: int) -> ResponseReturnValue:
    app_ = _application(application_id)
    form = ProvideInformationForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.provide_information(signed_in_user(), app_, form.answer.data or "", _version())
        except services.NotAllowed as exc:
            problem = str(exc)
        else:
            flash("Your answer has been sent to the officer.")
            return redirect(url_for("apply.application", application_id=app_.id))
    if request.method == "GET":
        form.version_id.data = str(app_.version_id)
    return render_template(
        "apply/respond.html", application=app_, form=form, problem=problem, questions=services.officer_questions(app_)
    )


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw(application_id: int) -> ResponseReturnValue:
    app_ = _application(application_id)
    form = WithdrawForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.withdraw(signed_in_user(), app_, form.reason.data or "", _version())
        except services.NotAllowed as exc:
            problem = str(exc)
        else:
            flash(f"Application {app_.reference} has been withdrawn.")
            return redirect(url_for("apply.dashboard"))
    if request.method == "GET":
        form.version_id.data = str(app_.version_id)
    return render_template("apply/withdraw.html", application=app_, form=form, problem=problem)
