"""Pages of the awards area (thin: each view calls a service).

Officers: a round's approved bids made into awards and their offers sent (/awards/rounds/<code>),
the list of awards (/awards/), an award's page (/awards/<id>) and its offer (/awards/<id>/offer).
Grantees: their offers (/awards/offers), one offer to read and accept or decline.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import signed_in, staff
from grants.awards import acceptance, creation, listing, offers, services
from grants.awards import unscheduled as unscheduled_awards
from grants.awards.forms import (
    AcceptForm,
    AwardFilterForm,
    DeclineForm,
    OfferForm,
    error_list,
)
from grants.correspondence import services as correspondence
from grants.form_fields import show_errors, version_or_none
from grants.pagination import page_number
from grants.streaming import guarded
from workflows import Conflict, TransitionRefused

bp = Blueprint("awards", __name__, url_prefix="/awards")

READERS = ("officer", "finance", "decision_maker", "admin")
OFFICERS = ("officer",)
CONFLICT = "Someone else changed this award while you were looking at it. Here is how it stands now."


# -- officers: a round's awards -------------------------------------------------------------------
def _round(code: str) -> Any:
    return services.round_for_officer(code, signed_in_user())


def _render_round(
    round_: Any, outcomes: list[offers.SendOutcome] | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "awards/round.html",
        summary=creation.round_summary(round_),
        states=services.state_labels("award"),
        outcomes=outcomes,
        respond_days=current_app.config["OFFER_RESPONSE_DAYS"],
    ), status


@bp.route("/rounds/<code>")
@staff(*OFFICERS)
def round_page(code: str) -> ResponseReturnValue:
    return _render_round(_round(code))


@bp.route("/rounds/<code>/prepare", methods=["POST"])
@staff(*OFFICERS)
def prepare(code: str) -> ResponseReturnValue:
    round_ = _round(code)  # the button's CSRF token is checked by CSRFProtect before this runs
    created = creation.create_awards_for_round(round_, signed_in_user())
    if created:
        noun = "offer" if len(created) == 1 else "offers"
        flash(f"{len(created)} {noun} prepared. Check them, then send them.")
    else:
        flash("Every approved bid of this round already has its offer.")
    return redirect(url_for("awards.round_page", code=code))


@bp.route("/rounds/<code>/send", methods=["POST"])
@staff(*OFFICERS)
def send_all(code: str) -> ResponseReturnValue:
    round_ = _round(code)
    outcomes = offers.send_all_offers(round_, signed_in_user())
    return _render_round(round_, outcomes)


# -- officers: the list and one award ---------------------------------------------------------------
@bp.route("/")
@staff(*READERS)
def index() -> ResponseReturnValue:
    programmes = listing.visible_programmes(signed_in_user())
    choices = listing.choices(programmes)
    form = AwardFilterForm(formdata=request.args)
    form.set_choices(choices)
    filters = form.filters(choices)
    sort = listing.SORTS.read(request.args)
    found = listing.list_awards(
        programmes, filters, signed_in_user().id, page_number(request.args), current_app.config["PAGE_SIZE"], sort
    )
    return render_template("awards/list.html", listing=found, form=form, filters=filters, sort=sort)


@bp.route("/awards.csv")
@staff(*READERS)
def index_csv() -> ResponseReturnValue:
    """The awards list as CSV: every award it shows, with the same filters and sort."""
    programmes = listing.visible_programmes(signed_in_user())
    choices = listing.choices(programmes)
    form = AwardFilterForm(formdata=request.args)
    form.set_choices(choices)
    lines = listing.awards_csv(programmes, form.filters(choices), signed_in_user().id, listing.SORTS.read(request.args))
    return Response(
        stream_with_context(guarded(lines)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="awards.csv"'},
    )


@bp.route("/without-schedule")
@staff(*OFFICERS)
def unscheduled() -> ResponseReturnValue:
    sort = listing.SORTS.read(request.args)
    found = unscheduled_awards.page_of(
        signed_in_user(), page_number(request.args), current_app.config["PAGE_SIZE"], sort
    )
    return render_template("awards/unscheduled.html", page=found, sort=sort)


def _award(award_id: int, roles: frozenset[str] = services.VIEW_ROLES) -> Any:
    return services.award_for_staff(award_id, signed_in_user(), roles)


@bp.route("/<int:award_id>")
@staff(*READERS)
def show(award_id: int) -> ResponseReturnValue:
    award = _award(award_id)
    return render_template("awards/award.html", view=services.award_page(award, signed_in_user()))


def _render_offer_form(award: Any, form: OfferForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "awards/offer_form.html",
        award=award,
        form=form,
        errors=error_list(form, "#offer-form"),
        respond_days=current_app.config["OFFER_RESPONSE_DAYS"],
    ), status


@bp.route("/<int:award_id>/offer", methods=["GET", "POST"])
@staff(*OFFICERS)
def offer(award_id: int) -> ResponseReturnValue:
    award = _award(award_id, services.OFFER_ROLES)
    if award.state != "preparing":
        flash(f"The offer for {award.public_reference} has been sent: it can no longer be changed.")
        return redirect(url_for("awards.show", award_id=award.id))
    form = OfferForm()
    if request.method == "GET":
        form.offer_conditions.data = award.offer_conditions
        form.agreement_terms.data = award.agreement_terms
        form.respond_by.process_data(award.respond_by or offers.default_respond_by())
        form.version_id.data = str(award.version_id)
        return _render_offer_form(award, form)
    if not form.validate_on_submit():
        return _render_offer_form(award, form, status=400)
    details = offers.OfferDetails(
        conditions=form.offer_conditions.data or "",
        agreement_terms=form.agreement_terms.data or "",
        respond_by=form.respond_by.data,
    )
    sending = request.form.get("action") == "send"
    try:
        if sending:
            offers.send_offer(award, signed_in_user(), details, version_or_none(form.version_id.data))
        else:
            offers.save_offer(award, signed_in_user(), details, version_or_none(form.version_id.data))
    except offers.OfferClosed:
        flash(f"The offer for {award.public_reference} has been sent: it can no longer be changed.")
        return redirect(url_for("awards.show", award_id=award.id))
    except services.AwardError as exc:
        show_errors(form, exc.errors)
        return _render_offer_form(award, form, status=400)
    except Conflict:
        award = _award(award_id, services.OFFER_ROLES)
        form.version_id.data = str(award.version_id)
        form.form_errors.append(CONFLICT)
        return _render_offer_form(award, form, status=409)
    except TransitionRefused as exc:
        # The details are saved; the offer waits for what is missing.
        award = _award(award_id, services.OFFER_ROLES)
        form.version_id.data = str(award.version_id)
        for reason in exc.reasons:
            field = offers.field_for(reason)
            if field:
                show_errors(form, {field: reason})
            else:
                form.form_errors.append(reason)
        return _render_offer_form(award, form, status=400)
    if sending:
        flash(f"The offer for {award.public_reference} has been sent to {award.organisation.name}.")
        return redirect(url_for("awards.show", award_id=award.id))
    flash(f"The offer for {award.public_reference} has been saved. It has not been sent yet.")
    return redirect(url_for("awards.offer", award_id=award.id))


# -- grantees -----------------------------------------------------------------------------------
@bp.route("/offers")
@signed_in
def my_offers() -> ResponseReturnValue:
    return render_template(
        "awards/offers.html", awards=acceptance.offers_for(signed_in_user()), plain=acceptance.GRANTEE_STATES
    )


def _offer(award_id: int) -> Any:
    return acceptance.offer_for_member(award_id, signed_in_user())


def _accept_form(award: Any, **kwargs: Any) -> AcceptForm:
    return AcceptForm(
        organisation=award.organisation.name,
        earliest=acceptance.offered_on(award),
        latest=services.today(),
        **kwargs,
    )


def _render_offer(award: Any, form: AcceptForm | None = None, status: int = 200) -> ResponseReturnValue:
    form = form or _accept_form(award, formdata=None, version_id=str(award.version_id))
    return render_template(
        "awards/offer.html",
        award=award,
        form=form,
        errors=error_list(form, "#accept-form"),
        payments=services.live_payments(award),
        plain=acceptance.GRANTEE_STATES,
        accepted_by=acceptance.accepted_by_name(award),
        offered_on=acceptance.offered_on(award),
        messages=correspondence.on_case(award, staff=False),
    ), status


def _already_answered(award: Any) -> ResponseReturnValue:
    plain = acceptance.GRANTEE_STATES.get(award.state, award.state).lower()
    if award.state in ("accepted", "active"):
        flash(f"This offer is already accepted (signed by {award.signatory_name}). There is nothing more to do.")
    else:
        flash(f"This offer has already been answered: it is {plain}. Nothing has changed.")
    return redirect(url_for("awards.offer_page", award_id=award.id))


@bp.route("/offers/<int:award_id>")
@signed_in
def offer_page(award_id: int) -> ResponseReturnValue:
    return _render_offer(_offer(award_id))


@bp.route("/offers/<int:award_id>/accept", methods=["POST"])
@signed_in
def accept(award_id: int) -> ResponseReturnValue:
    award = _offer(award_id)
    if award.state != "offered":
        return _already_answered(award)
    form = _accept_form(award)
    if not form.validate_on_submit():
        return _render_offer(award, form, 400)
    signature = acceptance.Signature(
        name=form.signatory_name.data or "",
        position=form.signatory_position.data or "",
        signed_on=form.signed_on.data,
        declaration=bool(form.declaration.data),
    )
    try:
        award = acceptance.accept_offer(award_id, signed_in_user(), signature, version_or_none(form.version_id.data))
    except acceptance.AlreadyAnswered as exc:
        return _already_answered(exc.award)
    except services.AwardError as exc:
        show_errors(form, exc.errors)
        return _render_offer(award, form, 400)
    except Conflict:
        award = _offer(award_id)
        form.version_id.data = str(award.version_id)
        form.form_errors.append(CONFLICT)
        return _render_offer(award, form, 409)
    except TransitionRefused as exc:
        form.form_errors.extend(exc.reasons)
        return _render_offer(award, form, 403)
    flash(f"You have accepted the grant offer {award.public_reference}. We have told the grants team.")
    return redirect(url_for("awards.offer_page", award_id=award.id))


@bp.route("/offers/<int:award_id>/decline", methods=["GET", "POST"])
@signed_in
def decline(award_id: int) -> ResponseReturnValue:
    award = _offer(award_id)
    if award.state != "offered":
        return _already_answered(award)
    form = DeclineForm()
    status = 200
    if request.method == "GET":
        form.version_id.data = str(award.version_id)
    elif form.validate_on_submit():
        try:
            award = acceptance.decline_offer(
                award_id, signed_in_user(), form.reason.data or "", version_or_none(form.version_id.data)
            )
        except acceptance.AlreadyAnswered as exc:
            return _already_answered(exc.award)
        except services.AwardError as exc:
            show_errors(form, exc.errors)
            status = 400
        except Conflict:
            award = _offer(award_id)
            form.version_id.data = str(award.version_id)
            form.form_errors.append(CONFLICT)
            status = 409
        except TransitionRefused as exc:
            form.form_errors.extend(exc.reasons)
            status = 403
        else:
            flash(f"You have declined the grant offer {award.public_reference}. We have told the grants team.")
            return redirect(url_for("awards.offer_page", award_id=award.id))
    else:
        status = 400
    return render_template("awards/decline.html", award=award, form=form, errors=error_list(form, "#reason")), status
