"""Admin pages: staff roles, workflow definitions, emails in the outbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.admin import services
from grants.admin.forms import GrantRoleForm, LoadQuestionSetForm, RevokeRoleForm
from grants.api.forms import IssueTokenForm, RevokeTokenForm
from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.pagination import page_number

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@staff("admin")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html")


@bp.route("/roles", methods=["GET", "POST"])
@staff("admin")
def roles() -> ResponseReturnValue:
    form = GrantRoleForm()
    form.programme.choices = services.programme_choices()
    if form.validate_on_submit():
        try:
            grant = services.grant_role(
                signed_in_user(), form.email.data or "", form.role.data or "", form.programme.data or ""
            )
        except services.GrantError as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            where = grant.programme.name if grant.programme else "every programme"
            flash(f"{grant.user.name} is now {grant.role_label.lower()} on {where}.")
            return redirect(url_for("admin.roles"))
    grants = services.list_grants(page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template("admin/roles.html", form=form, grants=grants, revoke_form=RevokeRoleForm())


@bp.route("/roles/<int:grant_id>/revoke", methods=["POST"])
@staff("admin")
def revoke(grant_id: int) -> ResponseReturnValue:
    form = RevokeRoleForm()
    if not form.validate_on_submit():
        abort(400)
    grant = services.revoke_role(signed_in_user(), grant_id)
    if grant is None:
        abort(404)
    flash(f"Removed: {grant.user.name}, {grant.role_label.lower()}.")
    return redirect(url_for("admin.roles"))


@bp.route("/workflows")
@staff("admin")
def workflows() -> ResponseReturnValue:
    return render_template("admin/workflows.html", definitions=services.workflow_definitions())


@bp.route("/workflows/<name>/<int:version>")
@staff("admin")
def workflow(name: str, version: int) -> ResponseReturnValue:
    found = services.workflow_definition(name, version)
    if found is None:
        abort(404)
    definition, diagram = found
    return render_template("admin/workflow.html", definition=definition, diagram=diagram)


@bp.route("/emails")
@staff("admin")
def emails() -> ResponseReturnValue:
    page = services.list_emails(page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template("admin/emails.html", page=page)


@bp.route("/emails/<int:message_id>")
@staff("admin")
def email(message_id: int) -> ResponseReturnValue:
    message = services.get_email(message_id)
    if message is None:
        abort(404)
    return render_template("admin/email.html", message=message)


@bp.route("/question-sets", methods=["GET", "POST"])
@staff("admin")
def question_sets() -> ResponseReturnValue:
    form = LoadQuestionSetForm()
    form.round.choices = services.round_choices()
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not upload.filename:
            form.file.errors = ["Select a question set file"]
        else:
            try:
                message = services.load_question_set(signed_in_user(), upload.read(), upload.filename, form.round.data)
            except services.QuestionSetProblem as exc:
                form.file.errors = [str(exc)]
            else:
                flash(message)
                return redirect(url_for("admin.question_sets"))
    return render_template("admin/question_sets.html", form=form, sets=services.question_sets())


@bp.route("/api-tokens", methods=["GET", "POST"])
@staff("admin")
def api_tokens() -> ResponseReturnValue:
    form = IssueTokenForm()
    form.user.choices, form.programme.choices = services.api_token_choices()
    if form.validate_on_submit():
        try:
            issued = services.issue_api_token(
                signed_in_user(),
                form.user.data or "",
                form.role.data or "",
                form.programme.data or "",
                form.name.data or "",
                form.days.data or "",
            )
        except services.TokenProblem as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            return render_template(  # the token, once
                "admin/api_tokens_issued.html", issued=issued, role_label=services.api_token_role_label
            )
    page = services.api_token_page(page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/api_tokens.html",
        form=form,
        tokens=page,
        status=services.api_token_status,
        role_label=services.api_token_role_label,
        revoke_form=RevokeTokenForm(),
    )


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@staff("admin")
def revoke_api_token(token_id: int) -> ResponseReturnValue:
    form = RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    token, revoked = services.revoke_api_token(signed_in_user(), token_id)
    if token is None:
        abort(404)
    if revoked:
        flash(f"Revoked {token.user.name}'s token {token.prefix}… ({token.name}). It no longer works.")
    else:
        flash(f"{token.user.name}'s token {token.prefix}… ({token.name}) was already revoked.")
    return redirect(url_for("admin.api_tokens"))
