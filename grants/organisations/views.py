"""Your organisations: create one, see and change its details, invite people, accept an invitation.

Only members see an organisation; to anyone else it does not exist (404).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from grants.auth.current import signed_in_user
from grants.auth.permissions import signed_in
from grants.extensions import limiter
from grants.form_fields import show_errors
from grants.organisations import services
from grants.organisations.details import DISTRICTS, PARTS, OrganisationError
from grants.organisations.forms import AcceptInvitationForm, InviteForm, OrganisationForm

bp = Blueprint("organisations", __name__)


def _member_organisation(organisation_id: int) -> Any:
    return services.organisation_for_member(signed_in_user(), organisation_id)


def _render_form(
    form: OrganisationForm, organisation: Any = None, conflict: Any = None, status: int = 200, part: str | None = None
) -> ResponseReturnValue:
    return render_template(
        "organisations/form.html",
        form=form,
        organisation=organisation,
        conflict=conflict,
        districts=DISTRICTS,
        part=part,
        part_title=PART_TITLES.get(part or ""),
    ), status


PART_TITLES = {"income": "annual income", "safeguarding": "safeguarding lead", "bank": "bank details"}


# Pages a person may be sent back to after creating an organisation: where they found they needed one.
BACK_TO = frozenset({"apply.eligibility"})


def _back_to(target: str | None) -> str | None:
    """`target` if it is the path of one of the BACK_TO pages of this site; None for anything else."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ch in "\\?#\x7f" for ch in target):
        return None
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(target, method="GET")
    except HTTPException:
        return None
    return target if endpoint in BACK_TO else None


@bp.route("/organisations/")
@signed_in
def index() -> ResponseReturnValue:
    return render_template("organisations/index.html", memberships=services.user_memberships(signed_in_user()))


@bp.route("/organisations/new", methods=["GET", "POST"])
@signed_in
def new() -> ResponseReturnValue:
    form = OrganisationForm()
    back = _back_to(request.args.get("next"))
    if form.validate_on_submit():
        try:
            organisation = services.create_organisation(signed_in_user(), form.details())
        except OrganisationError as exc:
            show_errors(form, exc.errors)
        except services.AlreadyMember as exc:
            flash(str(exc) + ".")
            return redirect(back or url_for("organisations.show", organisation_id=exc.organisation.id))
        else:
            if back:
                flash(f"{organisation.name} has been created. Now check if it can apply.")
                return redirect(back)
            flash(f"{organisation.name} has been created. You can now invite other people to join it.")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return _render_form(form)


@bp.route("/organisations/<int:organisation_id>")
@signed_in
def show(organisation_id: int) -> ResponseReturnValue:
    organisation = _member_organisation(organisation_id)
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        members=services.members(organisation),
        districts=DISTRICTS,
    )


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(organisation_id: int) -> ResponseReturnValue:
    return _edit(organisation_id, None)


@bp.route("/organisations/<int:organisation_id>/edit/<part>", methods=["GET", "POST"])
@signed_in
def edit_part(organisation_id: int, part: str) -> ResponseReturnValue:
    """One part of the profile (annual income, safeguarding lead, bank details), saved on its own."""
    if part not in PARTS:
        abort(404)
    return _edit(organisation_id, part)


def _edit(organisation_id: int, part: str | None) -> ResponseReturnValue:
    organisation = _member_organisation(organisation_id)
    form = OrganisationForm(data=services.form_values(organisation) if request.method == "GET" else None)
    form.show_saved_bank(services.saved_bank_details(organisation))
    if form.validate_on_submit():
        try:
            organisation, changed = services.update_organisation(
                signed_in_user(), organisation_id, form.details(), form.expected_version(), part
            )
        except services.EditConflict as exc:
            # Keep what they typed; show what is saved now. Saving again replaces it, knowingly.
            form.version_id.data = str(exc.current.version_id)
            form.show_saved_bank(services.saved_bank_details(exc.current))
            return _render_form(form, exc.current, conflict=exc.current, status=409, part=part)
        except OrganisationError as exc:
            show_errors(form, exc.errors)
        else:
            flash("Your changes have been saved." if changed else "You did not change anything.")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return _render_form(form, organisation, part=part)


@bp.route("/organisations/<int:organisation_id>/invite", methods=["GET", "POST"])
@signed_in
@limiter.limit("30 per hour", methods=["POST"])
def invite(organisation_id: int) -> ResponseReturnValue:
    organisation = _member_organisation(organisation_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = services.invite(signed_in_user(), organisation_id, form.email.data or "")
        except services.InvitationError as exc:
            getattr(form, exc.field).errors = [str(exc)]
        else:
            flash(f"We have sent an invitation to {invitation.email}.")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/invite.html", form=form, organisation=organisation)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@signed_in
def invitation(token: str) -> ResponseReturnValue:
    form = AcceptInvitationForm()
    try:
        found = services.invitation_for_token(token, signed_in_user())
        if form.validate_on_submit():
            organisation = services.accept_invitation(signed_in_user(), token)
            flash(f"You are now a member of {organisation.name}.")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    except services.InvitationUnusable as exc:
        return render_template("organisations/invitation_unusable.html", message=str(exc)), exc.status
    except services.AlreadyMember as exc:
        flash(str(exc) + ".")
        return redirect(url_for("organisations.show", organisation_id=exc.organisation.id))
    return render_template(
        "organisations/invitation.html",
        form=form,
        invitation=found,
        already_member=services.is_member_of(signed_in_user(), found.organisation_id),
    )
