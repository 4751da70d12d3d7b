"""Pages where a programme's officers and admins word its emails (thin: the services do the work)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.cases import batch_templates
from grants.email_templates import preview as previews
from grants.email_templates import services
from grants.email_templates.forms import DeleteMessageTemplateForm, MessageTemplateForm, ResetForm, WordingForm
from grants.errors import FieldErrors
from grants.form_fields import show_errors

bp = Blueprint("email_templates", __name__, url_prefix="/work/emails")
NO_SUCH_CASE = "There is no case with that reference on this programme that you can see: check it, or choose one below"
CHOOSE_A_CASE = "Choose one of the latest cases, or type the reference of a case to preview on"


@bp.route("/")
@staff("officer", "admin")
def index() -> ResponseReturnValue:
    return render_template("email_templates/index.html", programmes=services.programmes(signed_in_user()))


@bp.route("/<int:programme_id>/")
@staff("officer", "admin")
def programme(programme_id: int) -> ResponseReturnValue:
    found, rows = services.email_rows(signed_in_user(), programme_id)
    messages = batch_templates.saved(signed_in_user(), programme_id)
    return render_template(
        "email_templates/programme.html", programme=found, rows=rows, messages=messages, name_of=batch_templates.name_of
    )


def _page(now: services.Editing, form: WordingForm, status: int = 200, **more: Any) -> ResponseReturnValue:
    user = signed_in_user()
    latest = previews.latest_cases(user, now)
    form.recent.choices = [("", "Choose a case")] + [(c.reference, c.reference) for c in latest]
    reset = ResetForm(formdata=None, data={"version_id": now.version})
    page = render_template("email_templates/edit.html", now=now, form=form, reset=reset, latest=latest, **more)
    return page, status


@bp.route("/<int:programme_id>/<key>", methods=["GET", "POST"])
@staff("officer", "admin")
def edit(programme_id: int, key: str) -> ResponseReturnValue:
    user = signed_in_user()
    now = services.editing(user, programme_id, key)
    form = WordingForm(data={"subject": now.subject, "body": now.body, "version_id": now.version})
    if not form.validate_on_submit():
        return _page(now, form)
    if form.preview.data:
        return _preview(now, form)
    try:
        changed = services.save(user, programme_id, key, form.subject.data, form.body.data, form.version_id.data)
    except FieldErrors as exc:
        for name, message in exc.errors.items():
            getattr(form, name).errors = [message]
        return _page(now, form)
    except services.EditConflict:
        # Keep what they typed; show what is saved now. Saving again replaces it, knowingly.
        now = services.editing(user, programme_id, key)
        form.version_id.data = now.version
        return _page(now, form, 409, conflict=True)
    flash(f"Saved the wording of “{now.email.title}”." if changed else "You did not change anything.")
    return redirect(url_for("email_templates.programme", programme_id=programme_id))


def _preview(now: services.Editing, form: WordingForm) -> ResponseReturnValue:
    user = signed_in_user()
    typed = (form.case.data or "").strip()
    case = previews.find_case(user, now, typed or form.recent.data)
    if case is None:
        field = form.case if typed or not form.recent.data else form.recent
        field.errors = [NO_SUCH_CASE if typed or form.recent.data else CHOOSE_A_CASE]
        return _page(now, form)
    try:
        subject, body = services.checked(now.email, form.subject.data, form.body.data)
    except FieldErrors as exc:
        for name, message in exc.errors.items():
            getattr(form, name).errors = [message]
        return _page(now, form)
    return _page(now, form, shown=previews.preview(now, case, subject, body))


@bp.route("/<int:programme_id>/<key>/default", methods=["POST"])
@staff("officer", "admin")
def reset(programme_id: int, key: str) -> ResponseReturnValue:
    user = signed_in_user()
    now = services.editing(user, programme_id, key)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            if services.reset(user, programme_id, key, form.version_id.data):
                flash(f"“{now.email.title}” is back to the default wording.")
        except services.EditConflict:
            now = services.editing(user, programme_id, key)
            shown = {"subject": now.subject, "body": now.body, "version_id": now.version}
            return _page(now, WordingForm(formdata=None, data=shown), 409, conflict=True)
    return redirect(url_for("email_templates.programme", programme_id=programme_id))


# -- the programme's message templates: saved on the batch email page, renamed, reworded and deleted here


def _message_page(
    programme: Any, template: Any, form: MessageTemplateForm, status: int = 200, **more: Any
) -> ResponseReturnValue:
    page = render_template(
        "email_templates/message.html",
        programme=programme,
        template=template,
        name=batch_templates.name_of(template),
        form=form,
        placeholders=batch_templates.PLACEHOLDERS,
        **more,
    )
    return page, status


@bp.route("/<int:programme_id>/messages/<int:template_id>", methods=["GET", "POST"])
@staff("officer", "admin")
def message(programme_id: int, template_id: int) -> ResponseReturnValue:
    """Rename or reword one of the programme's message templates (a stale save shows what is saved now)."""
    user = signed_in_user()
    programme, template = batch_templates.template_for(user, programme_id, template_id)
    shown = {"name": batch_templates.name_of(template), "subject": template.subject, "body": template.body}
    form = MessageTemplateForm(data={**shown, "version_id": str(template.version_id)})
    if not form.validate_on_submit():
        return _message_page(programme, template, form)
    try:
        changed = batch_templates.update(
            user, programme_id, template_id, form.name.data, form.subject.data, form.body.data, form.version_id.data
        )
    except FieldErrors as exc:
        show_errors(form, exc.errors)
        return _message_page(programme, template, form)
    except batch_templates.EditConflict:
        # Keep what they typed; show what is saved now. Saving again replaces it, knowingly.
        programme, template = batch_templates.template_for(user, programme_id, template_id)
        form.version_id.data = str(template.version_id)
        return _message_page(programme, template, form, 409, conflict=True)
    flash(f"Saved the template “{batch_templates.name_of(template)}”." if changed else "You did not change anything.")
    return redirect(url_for("email_templates.programme", programme_id=programme_id))


@bp.route("/<int:programme_id>/messages/<int:template_id>/delete", methods=["GET", "POST"])
@staff("officer", "admin")
def delete_message(programme_id: int, template_id: int) -> ResponseReturnValue:
    """Are you sure? Then delete the template (one changed since the question was asked is asked again)."""
    user = signed_in_user()
    programme, template = batch_templates.template_for(user, programme_id, template_id)
    form = DeleteMessageTemplateForm(data={"version_id": str(template.version_id)})
    if form.validate_on_submit():
        try:
            name = batch_templates.delete(user, programme_id, template_id, form.version_id.data)
        except batch_templates.EditConflict:
            programme, template = batch_templates.template_for(user, programme_id, template_id)
            form.version_id.data = str(template.version_id)
            page = render_template(
                "email_templates/message_delete.html",
                programme=programme, template=template, name=batch_templates.name_of(template), form=form,
                conflict=True,
            )  # fmt: skip
            return page, 409
        flash(f"Deleted the template “{name}”.")
        return redirect(url_for("email_templates.programme", programme_id=programme_id))
    return render_template(
        "email_templates/message_delete.html",
        programme=programme, template=template, name=batch_templates.name_of(template), form=form,
    )  # fmt: skip
