"""The grantee's returns: the list, a return's page and task list, its sections (the application form
engine), check your answers and send, and the second member's sign-off or send-back."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from grants.apply import downloads, sections
from grants.auth.current import signed_in_user
from grants.auth.permissions import signed_in
from grants.correspondence import services as correspondence
from grants.returns import services
from grants.returns.forms import SendBackForm, SendReturnForm, SignOffForm

bp = Blueprint("returns", __name__)


def _return(return_id: int) -> Any:
    return services.return_for(signed_in_user(), return_id)


def _version() -> int | None:
    return services.version_from(request.form.get("version_id"))


@bp.route("/returns")
@signed_in
def index() -> ResponseReturnValue:
    return render_template(
        "returns/index.html", lists=services.your_returns(signed_in_user()), plain=services.plain_state
    )


@bp.route("/returns/<int:return_id>")
@signed_in
def show(return_id: int) -> ResponseReturnValue:
    ret = _return(return_id)
    fill = services.filling(ret)
    user = signed_in_user()
    return render_template(
        "returns/show.html",
        ret=ret,
        plain=services.plain_state(ret),
        has_form=services.has_form(ret),
        tasks=services.task_list(ret),
        editable=fill.editable(),
        locked_reason=None if fill.editable() else fill.locked_reason(),
        comments=services.comments(ret),
        targets=services.against_targets(ret),
        summary=None if fill.editable() else services.answers_summary(ret),
        sign_off_refusal=services.refusal(user, ret, services.SIGN_OFF),
        awaiting_sign_off=services.awaiting_sign_off(ret),
        messages=correspondence.on_case(ret, staff=False),
    )


@bp.route("/returns/<int:return_id>/sections/<key>", methods=["GET", "POST"])
@signed_in
def section(return_id: int, key: str) -> ResponseReturnValue:
    ret = _return(return_id)
    fill = services.filling(ret)
    if not fill.editable():
        flash(fill.locked_reason())
        return redirect(url_for("returns.show", return_id=ret.id))
    if request.method == "GET":
        try:
            page = sections.load(fill, key, request.args.get("return_to"))
        except LookupError:
            abort(404)
        return render_template("returns/section.html", page=page, ret=ret)
    action = request.form.get("action", sections.CONTINUE)
    try:
        page = sections.save(
            signed_in_user(),
            fill,
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
        return redirect(url_for("returns.show", return_id=ret.id))
    if page.moved_to:  # a line added or removed, a file removed: the page again, at the change
        url = url_for("returns.section", return_id=ret.id, key=key, return_to=page.return_to)
        return redirect(f"{url}#{page.moved_to}")
    if page.saved and action == sections.LATER:
        flash("Your answers have been saved. You can come back to them at any time.")
        return redirect(url_for("returns.show", return_id=ret.id))
    if page.saved:
        if page.return_to == "check":  # "Change" on check your answers comes back to it
            return redirect(url_for("returns.check", return_id=ret.id))
        if page.next_section is not None:
            return redirect(url_for("returns.section", return_id=ret.id, key=page.next_section.key))
        return redirect(url_for("returns.check", return_id=ret.id))
    return render_template("returns/section.html", page=page, ret=ret), 409 if page.notice else 200


@bp.route("/returns/<int:return_id>/documents/<int:document_id>")
@signed_in
def document(return_id: int, document_id: int) -> ResponseReturnValue:
    found = services.document_for(signed_in_user(), return_id, document_id)
    return send_file(
        downloads.path(current_app.config["UPLOAD_FOLDER"], found),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=downloads.served_name(found),
    )


@bp.route("/returns/<int:return_id>/check", methods=["GET", "POST"])
@signed_in
def check(return_id: int) -> ResponseReturnValue:
    ret = _return(return_id)
    form = SendReturnForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.send(signed_in_user(), ret, _version())
        except services.NotAllowed as exc:
            problem = str(exc)
        else:
            flash(
                "Your return has been sent for sign-off. Another member of your organisation must now sign it off."
                if services.awaiting_sign_off(ret)
                else "Your return has been sent to the grants officer."
            )
            return redirect(url_for("returns.show", return_id=ret.id))
    fill = services.filling(ret)
    if not fill.editable() and problem is None:
        flash(fill.locked_reason())
        return redirect(url_for("returns.show", return_id=ret.id))
    return render_template(
        "returns/check.html",
        ret=ret,
        summary=services.answers_summary(ret),
        incomplete=services.incomplete_sections(ret) if fill.editable() else [],
        editable=fill.editable(),
        sign_off=ret.sign_off_required,
        form=SendReturnForm(formdata=None, version_id=ret.version_id),
        problem=problem,
    ), (400 if problem else 200)


def _sign_off_page(ret: Any, sign_form: Any, back_form: Any, problem: str | None = None) -> ResponseReturnValue:
    user = signed_in_user()
    refusal = services.refusal(user, ret, services.SIGN_OFF)
    for form in (sign_form, back_form):
        if request.method == "GET" or not form.version_id.data:
            form.version_id.data = str(ret.version_id)
    bad = problem or sign_form.errors or back_form.errors
    return render_template(
        "returns/sign_off.html",
        ret=ret,
        user=user,
        summary=services.answers_summary(ret),
        refusal=refusal,
        sign_form=sign_form,
        back_form=back_form,
        problem=problem,
    ), (400 if bad else 200)


@bp.route("/returns/<int:return_id>/sign-off", methods=["GET", "POST"])
@signed_in
def sign_off(return_id: int) -> ResponseReturnValue:
    ret = _return(return_id)
    if not services.awaiting_sign_off(ret):
        flash("This return is not waiting for sign-off.")
        return redirect(url_for("returns.show", return_id=ret.id))
    sign_form, back_form = SignOffForm(), SendBackForm(formdata=None)
    problem = None
    if sign_form.validate_on_submit():
        answers = services.SignOff(position=sign_form.position.data or "", confirmed=bool(sign_form.confirm.data))
        try:
            services.sign_off(signed_in_user(), ret, answers, _signed_version(sign_form))
        except services.NotAllowed as exc:
            problem = str(exc)
        else:
            flash("You have signed off the return. It has been sent to the grants officer.")
            return redirect(url_for("returns.show", return_id=ret.id))
    return _sign_off_page(ret, sign_form, back_form, problem)


@bp.route("/returns/<int:return_id>/send-back", methods=["POST"])
@signed_in
def send_back(return_id: int) -> ResponseReturnValue:
    ret = _return(return_id)
    if not services.awaiting_sign_off(ret):
        flash("This return is not waiting for sign-off.")
        return redirect(url_for("returns.show", return_id=ret.id))
    sign_form, back_form = SignOffForm(formdata=None), SendBackForm()
    problem = None
    if back_form.validate_on_submit():
        try:
            services.send_back(signed_in_user(), ret, back_form.comment.data or "", _signed_version(back_form))
        except services.NotAllowed as exc:
            problem = str(exc)
        else:
            flash("You have sent the return back to be changed, with your comment.")
            return redirect(url_for("returns.show", return_id=ret.id))
    return _sign_off_page(ret, sign_form, back_form, problem)


def _signed_version(form: Any) -> int | None:
    return services.version_from(form.version_id.data)
