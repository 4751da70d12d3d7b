"""Admin pages: staff roles, workflow definitions, emails in the outbox, reference data."""

from __future__ import annotations

import tempfile
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
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from grants import subject_access
from grants.admin import audit_log as audit_search
from grants.admin import outbox, reference_data, services
from grants.admin.forms import (
    AddTermForm,
    GrantRoleForm,
    LoadQuestionSetForm,
    ProgrammeForm,
    RevokeRoleForm,
    SubjectAccessForm,
    TermLabelForm,
)
from grants.api.forms import IssueTokenForm, RevokeTokenForm
from grants.auth.current import signed_in_user
from grants.auth.forms import ResetTwoFactorForm
from grants.auth.permissions import staff
from grants.auth.services import find_user
from grants.pagination import page_number
from grants.streaming import guarded

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@staff("admin")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html", every_programme=services.may_read_outbox(signed_in_user()))


@bp.route("/roles", methods=["GET", "POST"])
@staff("admin")
def roles() -> ResponseReturnValue:
    form = GrantRoleForm(email=request.args.get("email", "")[:320].replace("\x00", ""))
    admin = signed_in_user()
    form.programme.choices = services.programme_choices(admin)
    if form.validate_on_submit():
        try:
            grant = services.grant_role(admin, form.email.data or "", form.role.data or "", form.programme.data or "")
        except services.GrantError as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            where = grant.programme.name if grant.programme else "every programme"
            flash(f"{grant.user.name} is now {grant.role_label.lower()} on {where}.")
            return redirect(url_for("admin.roles"))
    sort = services.ROLE_SORTS.read(request.args)
    grants = services.list_grants(admin, page_number(request.args), current_app.config["PAGE_SIZE"], sort)
    return render_template("admin/roles.html", form=form, grants=grants, revoke_form=RevokeRoleForm(), sort=sort)


@bp.route("/roles/waiting")
@staff("admin")
def awaiting_roles() -> ResponseReturnValue:
    people = services.people_awaiting_roles(page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template("admin/awaiting_roles.html", people=people)


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


@bp.route("/two-factor", methods=["GET", "POST"])
@staff("admin")
def two_factor() -> ResponseReturnValue:
    """Reset someone's two-factor sign-in when they have lost their phone and their recovery codes."""
    form = ResetTwoFactorForm()
    if form.validate_on_submit():
        try:
            user = services.reset_two_factor(signed_in_user(), form.email.data or "", form.reason.data or "")
        except services.ResetProblem as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            flash(f"{user.name}'s two-factor sign-in is reset. They set it up again when they next sign in.")
            return redirect(url_for("admin.two_factor"))
    return render_template("admin/two_factor.html", form=form)


@bp.route("/audit")
@staff("admin")
def audit_log() -> ResponseReturnValue:
    """Search the audit log by person, case, action, programme and dates."""
    admin = signed_in_user()
    search = audit_search.read_search(request.args)
    page = audit_search.search_page(search, admin, page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/audit_log.html",
        search=search,
        page=page,
        programme_names=audit_search.programme_names(page.items),
        actions=audit_search.actions(),
        programmes=audit_search.programme_choices(admin),
        every_programme=services.may_read_outbox(admin),
    ), 400 if search.errors else 200


@bp.route("/audit.csv")
@staff("admin")
def audit_log_csv() -> ResponseReturnValue:
    """The rows the same search finds, as CSV."""
    search = audit_search.read_search(request.args)
    if search.errors:
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("admin.audit_log", **args))
    return Response(
        stream_with_context(guarded(audit_search.csv_lines(search, signed_in_user()))),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{audit_search.csv_filename()}"'},
    )


@bp.route("/subject-access", methods=["GET", "POST"])
@staff("admin")
def subject_access_request() -> ResponseReturnValue:
    """Everything held about one person, as a zip (admins of every programme: it crosses them all)."""
    admin = signed_in_user()
    if not services.may_read_outbox(admin):
        abort(403)
    form = SubjectAccessForm()
    if form.validate_on_submit():
        user = find_user(form.email.data or "")
        if user is None:
            form.email.errors = ["There is no account with this email address"]
        else:
            target = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - handed to send_file
            subject_access.write_export(user, target, current_app.config["UPLOAD_FOLDER"], actor=admin)
            target.seek(0)
            name = f"subject-access-{user.id}-{subject_access.today_text()}.zip"
            return send_file(target, mimetype="application/zip", as_attachment=True, download_name=name)
    return render_template("admin/subject_access.html", form=form), 400 if form.errors else 200


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
    if not services.may_read_outbox(signed_in_user()):
        abort(403)
    filters = outbox.read_filters(request.args)
    sort = outbox.SORTS.read(request.args)
    page = outbox.list_emails(filters, sort, page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/emails.html",
        page=page,
        sort=sort,
        filters=filters,
        statuses=outbox.STATUSES,
        has_errors=bool(filters.error),
    ), 400 if filters.error else 200


@bp.route("/emails.csv")
@staff("admin")
def emails_csv() -> ResponseReturnValue:
    """The emails the list shows (every page), with the same status and sort, as CSV."""
    if not services.may_read_outbox(signed_in_user()):
        abort(403)
    filters = outbox.read_filters(request.args)
    if filters.error:  # the list says what is wrong
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("admin.emails", **args))
    return Response(
        stream_with_context(guarded(outbox.emails_csv(filters, outbox.SORTS.read(request.args)))),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="emails.csv"'},
    )


@bp.route("/emails/<int:message_id>")
@staff("admin")
def email(message_id: int) -> ResponseReturnValue:
    if not services.may_read_outbox(signed_in_user()):
        abort(403)
    message = services.get_email(message_id)
    if message is None:
        abort(404)
    return render_template("admin/email.html", message=message, body=services.shown_body(message))


@bp.route("/question-sets", methods=["GET", "POST"])
@staff("admin")
def question_sets() -> ResponseReturnValue:
    form = LoadQuestionSetForm()
    form.round.choices = services.round_choices(signed_in_user())
    if form.validate_on_submit():
        upload = form.file.data
        if not getattr(upload, "filename", None):  # a plain field named "file" is text, not a file
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
    admin = signed_in_user()
    form.user.choices, form.programme.choices = services.api_token_choices(admin)
    if form.validate_on_submit():
        try:
            issued = services.issue_api_token(
                admin,
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
    page = services.api_token_page(admin, page_number(request.args), current_app.config["PAGE_SIZE"])
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


# -- reference data: programmes and vocabularies (grants/admin/reference_data.py) ----------------------


def _show_errors(form: Any, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        getattr(form, name).errors = [message]


@bp.route("/programmes")
@staff("admin")
def programmes() -> ResponseReturnValue:
    return render_template("admin/programmes.html", rows=reference_data.programmes(signed_in_user()))


@bp.route("/programmes/<code>", methods=["GET", "POST"])
@staff("admin")
def programme(code: str) -> ResponseReturnValue:
    user = signed_in_user()
    try:
        now = reference_data.programme_for_edit(user, code)
    except reference_data.NotAllowed:
        abort(403)
    form = ProgrammeForm(data=now.form_values() if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            changed = reference_data.update_programme(
                user,
                code,
                form.name.data or "",
                form.agreement_terms.data or "",
                form.version_id.data,
                form.terms_version.data,
            )
        except reference_data.EditConflict:
            # Keep what they typed; show what is saved now. Saving again replaces it, knowingly.
            now = reference_data.programme_for_edit(user, code)
            form.version_id.data, form.terms_version.data = str(now.programme.version_id), str(now.terms_version)
            return render_template("admin/programme.html", form=form, now=now, conflict=True), 409
        except reference_data.Problems as exc:
            _show_errors(form, exc.errors)
        else:
            saved = f"{now.programme.code}: saved the {' and the '.join(changed)}."
            flash(saved if changed else "You did not change anything.")
            return redirect(url_for("admin.programmes"))
    return render_template("admin/programme.html", form=form, now=now, conflict=False)


@bp.route("/vocabularies")
@staff("admin")
def vocabularies() -> ResponseReturnValue:
    return render_template(
        "admin/vocabularies.html",
        vocabularies=reference_data.vocabularies(),
        may_edit=reference_data.can_edit_vocabularies(signed_in_user()),
    )


@bp.route("/vocabularies/<vocabulary>", methods=["GET", "POST"])
@staff("admin")
def vocabulary(vocabulary: str) -> ResponseReturnValue:
    user = signed_in_user()
    label = reference_data.vocabulary_label(vocabulary)
    form = AddTermForm()
    if request.method == "POST":
        if not reference_data.can_edit_vocabularies(user):
            abort(403)
        if form.validate_on_submit():
            try:
                term = reference_data.add_term(user, vocabulary, form.code.data or "", form.label.data or "")
            except reference_data.Problems as exc:
                _show_errors(form, exc.errors)
            else:
                flash(f"Added {term.label} (code {term.code}).")
                return redirect(url_for("admin.vocabulary", vocabulary=vocabulary))
    return render_template(
        "admin/vocabulary.html",
        vocabulary=vocabulary,
        label=label,
        terms=reference_data.vocabulary_terms(vocabulary),
        form=form,
        may_edit=reference_data.can_edit_vocabularies(user),
    )


@bp.route("/vocabularies/<vocabulary>/terms/<int:term_id>", methods=["GET", "POST"])
@staff("admin")
def term(vocabulary: str, term_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    try:
        found = reference_data.term_for_edit(user, vocabulary, term_id)
    except reference_data.NotAllowed:
        abort(403)
    label = reference_data.vocabulary_label(vocabulary)
    form = TermLabelForm(data=reference_data.term_form_values(found) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            found, changed = reference_data.relabel_term(
                user, vocabulary, term_id, form.label.data or "", form.version_id.data
            )
        except reference_data.EditConflict:
            found = reference_data.term_for_edit(user, vocabulary, term_id)
            form.version_id.data = str(found.version_id)
            return render_template("admin/term.html", form=form, term=found, label=label, conflict=True), 409
        except reference_data.Problems as exc:
            _show_errors(form, exc.errors)
        else:
            flash(f"The label of {found.code} is now {found.label}." if changed else "You did not change anything.")
            return redirect(url_for("admin.vocabulary", vocabulary=vocabulary))
    return render_template("admin/term.html", form=form, term=found, label=label, conflict=False)
