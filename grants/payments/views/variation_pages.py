"""Pages of award variations: an officer asking for one, the queues (awaiting approval; grant holders'
asks to prepare), a variation with its preparation and decision."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.form_fields import version_or_none
from grants.pagination import page_number
from grants.payments import services, variations
from grants.payments.forms import ActionForm, read_fields, text
from grants.payments.views import VARIATION_STAFF, _action_page, _award, _form_page, _variation, bp
from workflows import Conflict, ReasonRequired, TransitionRefused


@bp.route("/awards/<int:award_id>/variations/new", methods=["GET", "POST"])
@staff("officer")
def variation_new(award_id: int) -> ResponseReturnValue:
    award = _award(award_id, services.OFFICER)

    def ask(values: dict[str, Any], _version: int | None) -> Any:
        variation = variations.request_variation(
            signed_in_user(), award, values["amount"], values["ends_on"], values["reason"]
        )
        flash(f"Variation {variation.reference} has been sent for approval.")
        return redirect(url_for("payments.variation", variation_id=variation.id))

    return _form_page(
        "payments/variation_new.html",
        {"amount": "text", "ends_on": "date", "reason": "text"},
        ask,
        award=award,
        committed=award.committed_pence(),
        waiting=variations.pending(award),
    )


@bp.route("/variations")
@staff(*VARIATION_STAFF)
def variation_queue() -> ResponseReturnValue:
    """Variations awaiting approval; with ?state=asked, the grant holders' asks for officers to prepare."""
    kind = variations.queue_kind(request.args.get("state"))
    sort = variations.QUEUE_SORTS.read(request.args)
    user = signed_in_user()
    page = variations.queue(user, page_number(request.args), current_app.config["PAGE_SIZE"], sort, kind)
    return render_template("payments/variations.html", page=page, sort=sort, queue=kind)


def _render_variation(
    variation: Any,
    *,
    errors: dict[str, str] | None = None,
    action: str | None = None,
    reason: str = "",
    values: dict[str, Any] | None = None,
    conflict: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    return _action_page(
        "payments/variation.html",
        errors,
        action,
        conflict,
        status,
        view=variations.variation_page(signed_in_user(), variation),
        variation=variation,
        reason=reason,
        values=values or variations.prepare_values(variation),
    )


@bp.route("/variations/<int:variation_id>")
@staff(*VARIATION_STAFF)
def variation(variation_id: int) -> ResponseReturnValue:
    return _render_variation(_variation(variation_id))


@bp.route("/variations/<int:variation_id>/prepare", methods=["POST"])
@staff("officer")
def variation_prepare(variation_id: int) -> ResponseReturnValue:
    """An officer sends a grant holder's ask to a decision maker, with the figures and reason they settled on."""
    variation = _variation(variation_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    refusal = variations.refusal(signed_in_user(), variation, "prepare")
    if refusal:
        abort(403, refusal)
    values = read_fields({"amount": "text", "ends_on": "date", "reason": "text"}, request.form)
    try:
        message = variations.prepare(
            signed_in_user(),
            variation,
            values["amount"],
            values["ends_on"],
            values["reason"],
            version_or_none(form.version_id.data),
        )
    except services.Invalid as exc:
        return _render_variation(variation, errors=exc.errors, action="prepare", values=values, status=400)
    except Conflict:
        variation = _variation(variation_id)  # as it is saved now
        return _render_variation(variation, action="prepare", values=values, conflict=True, status=409)
    except TransitionRefused as exc:
        errors = {"actions": " ".join(exc.reasons)}
        return _render_variation(variation, errors=errors, action="prepare", values=values, status=400)
    flash(message)
    return redirect(url_for("payments.variation", variation_id=variation.id))


@bp.route("/variations/<int:variation_id>/<any(approve, reject, withdraw, decline):action>", methods=["POST"])
@staff("officer", "decision_maker")
def variation_decide(variation_id: int, action: str) -> ResponseReturnValue:
    variation = _variation(variation_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    refusal = variations.refusal(signed_in_user(), variation, action)
    if refusal:
        abort(403, refusal)
    reason = text(request.form, "reason")
    try:
        message = variations.decide(signed_in_user(), variation, action, reason, version_or_none(form.version_id.data))
    except services.Invalid as exc:
        return _render_variation(variation, errors=exc.errors, action=action, reason=reason, status=400)
    except Conflict:
        return _render_variation(variation, action=action, reason=reason, conflict=True, status=409)
    except TransitionRefused as exc:
        errors = {"reason" if isinstance(exc, ReasonRequired) else "actions": " ".join(exc.reasons)}
        return _render_variation(variation, errors=errors, action=action, reason=reason, status=400)
    flash(message)
    return redirect(url_for("payments.variation", variation_id=variation.id))
