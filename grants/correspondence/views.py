"""Messages for the members of an organisation: every message on their organisation's cases, and one
case's messages with a form to answer them. (Staff write notes and messages on the case page.)"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import signed_in
from grants.correspondence import services
from grants.correspondence.forms import ReplyForm
from grants.pagination import page_number

bp = Blueprint("correspondence", __name__)


@bp.route("/messages")
@signed_in
def inbox() -> ResponseReturnValue:
    page = services.inbox(signed_in_user(), page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template("correspondence/inbox.html", page=page)


@bp.route("/messages/<kind>/<int:case_id>", methods=["GET", "POST"])
@signed_in
def thread(kind: str, case_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    subject = services.member_case(kind, case_id, user)
    form = ReplyForm()
    if form.validate_on_submit():
        services.reply(kind, case_id, user, form.body.data or "")
        flash("Your reply is sent.")
        return redirect(url_for("correspondence.thread", kind=kind, case_id=case_id, _anchor="messages"))
    return render_template(
        "correspondence/thread.html",
        subject=subject,
        kind=kind,
        label=services.label(subject),
        organisation=services.organisation_name(subject),
        messages=services.on_case(subject, staff=False),
        applicant_page=url_for(page[0], **page[1]) if (page := services.applicant_page(subject)) else None,
        form=form,
    ), (400 if form.errors else 200)
