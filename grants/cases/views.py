"""Case pages for officers: state, history, actions with reasons, and the workflow diagram."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.cases import services
from grants.cases.forms import TransitionForm
from grants.correspondence import services as correspondence
from grants.correspondence.forms import MessageForm, NoteForm
from grants.pagination import page_number
from workflows import Conflict, ReasonRequired, TransitionRefused

bp = Blueprint("cases", __name__, url_prefix="/cases")

STAFF = ("officer", "finance", "decision_maker", "admin")


@bp.route("/")
@staff(*STAFF)
def index() -> ResponseReturnValue:
    return render_template("cases/index.html", kinds=services.summary(signed_in_user()))


@bp.route("/<kind>")
@staff(*STAFF)
def list_kind(kind: str) -> ResponseReturnValue:
    page = services.list_cases(
        kind,
        signed_in_user(),
        page_number(request.args),
        current_app.config["PAGE_SIZE"],
        request.args.getlist("state"),
        request.args.get("sort", "oldest"),
    )
    return render_template(
        "cases/list.html",
        kind=kind,
        label=services.kind_label(kind, plural=True),
        page=page,
        sorts=services.SORTS,
        sort=request.args.get("sort", "oldest") if request.args.get("sort") in services.SORTS else "oldest",
    )


def _render_case(
    kind: str,
    case_id: int,
    form: TransitionForm | None = None,
    selected: str | None = None,
    errors: list[str] | None = None,
    status: int = 200,
    note_form: NoteForm | None = None,
    message_form: MessageForm | None = None,
) -> ResponseReturnValue:
    subject = services.load_case(kind, case_id, signed_in_user())
    view = services.case_view(kind, subject, signed_in_user())
    form = form or TransitionForm()
    if form.errors and not errors:
        errors = [message for messages in form.errors.values() for message in messages]
    shown = {option.name: option for option in view.options if option.allowed}
    return render_template(
        "cases/case.html",
        view=view,
        kind_label=services.kind_label(kind),
        form=form,
        selected=selected,
        selected_needs_reason=selected in shown,
        errors=errors or [],
        note_form=note_form or NoteForm(formdata=None, prefix="note"),
        message_form=message_form or MessageForm(formdata=None, prefix="message"),
    ), status


@bp.route("/<kind>/<int:case_id>")
@staff(*STAFF)
def show(kind: str, case_id: int) -> ResponseReturnValue:
    return _render_case(kind, case_id)


@bp.route("/<kind>/<int:case_id>/transitions/<name>", methods=["POST"])
@staff(*STAFF)
def apply(kind: str, case_id: int, name: str) -> ResponseReturnValue:
    form = TransitionForm()
    if not form.validate_on_submit():
        return _render_case(kind, case_id, form, name, None, 400)
    try:
        message = services.transition(kind, case_id, name, signed_in_user(), form.reason.data, form.version_id.data)
    except Conflict:
        return _render_case(
            kind,
            case_id,
            TransitionForm(formdata=None, reason=form.reason.data),
            name,
            [
                "Someone else changed this while you were looking at it. Here is its current state; "
                "check it, then try again if it still needs doing."
            ],
            409,
        )
    except ReasonRequired as exc:
        return _render_case(kind, case_id, form, name, exc.reasons, 400)
    except TransitionRefused as exc:
        return _render_case(kind, case_id, form, name, exc.reasons, 403)
    flash(message)
    return redirect(url_for("cases.show", kind=kind, case_id=case_id))


@bp.route("/<kind>/<int:case_id>/notes", methods=["POST"])
@staff(*STAFF)
def add_note(kind: str, case_id: int) -> ResponseReturnValue:
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return _render_case(kind, case_id, status=400, note_form=form)
    correspondence.add_note(kind, case_id, signed_in_user(), form.body.data or "")
    flash("Your private note is added to the history.")
    return redirect(url_for("cases.show", kind=kind, case_id=case_id, _anchor="history"))


@bp.route("/<kind>/<int:case_id>/messages", methods=["POST"])
@staff(*STAFF)
def send_message(kind: str, case_id: int) -> ResponseReturnValue:
    correspondence.messaged_case(kind, case_id, signed_in_user())  # 404 without an organisation to write to
    form = MessageForm(prefix="message")
    if not form.validate_on_submit():
        return _render_case(kind, case_id, status=400, message_form=form)
    flash(correspondence.send_message(kind, case_id, signed_in_user(), form.body.data or ""))
    return redirect(url_for("cases.show", kind=kind, case_id=case_id, _anchor="history"))
