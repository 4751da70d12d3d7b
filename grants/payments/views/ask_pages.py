"""The grant holder's pages: asking to change their grant, and withdrawing that ask.

They hang off the grant's own page ("Your grants", /grants/<id>), which shows each ask and where it is
through the `variation_asks` template global. Only members of the award's organisation reach them;
anyone else is told the page does not exist.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import signed_in
from grants.form_fields import version_or_none
from grants.payments import asks, services
from grants.payments.forms import ActionForm, blank_fields, read_fields
from grants.payments.views import _summary, _with_errors, bp
from workflows import Conflict, TransitionRefused

ASK_FIELDS = {"amount": "text", "ends_on": "date", "reason": "text"}
WITHDRAW_CONFLICT = (
    "The grants team changed your request while you were looking at it, so it was not withdrawn. "
    "Here is where it is now."
)


@bp.app_template_global("variation_asks")
def variation_asks(award: Any) -> asks.GrantAsks:
    """For the grant's page: the organisation's asks on this grant and whether another may be made."""
    return asks.asks_on_grant(signed_in_user(), award)


@bp.route("/grants/<int:award_id>/ask-for-a-change", methods=["GET", "POST"])
@signed_in
def ask_variation(award_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    award = asks.award_of_member(user, award_id)
    form = ActionForm()
    values: dict[str, Any] = blank_fields(ASK_FIELDS)
    errors: dict[str, str] = {}
    status = 200
    refusal = asks.asks_on_grant(user, award).refusal
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = read_fields(ASK_FIELDS, request.form)
        try:
            variation = asks.ask_for_variation(user, award, values["amount"], values["ends_on"], values["reason"])
        except services.Invalid as exc:
            errors, status = exc.errors, 400
        except (services.NotAllowed, services.Stale) as exc:
            award = asks.award_of_member(user, award_id)
            refusal = asks.asks_on_grant(user, award).refusal or str(exc)
            status = 409
        else:
            flash(
                f"Your request to change this grant has been sent to the grants team ({variation.reference}). "
                "They will check it before a decision maker decides."
            )
            return redirect(url_for("monitoring.your_grant", award_id=award_id))
    return _with_errors(
        "payments/ask_variation.html",
        errors,
        _summary(errors),
        status,
        award=award,
        values=values,
        form=form,
        refusal=refusal,
        committed=award.committed_pence(),
    )


@bp.route("/grants/<int:award_id>/ask-for-a-change/withdraw", methods=["GET", "POST"])
@signed_in
def withdraw_ask(award_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    award = asks.award_of_member(user, award_id)
    ask = asks.open_ask(user, award)
    if ask is None:
        flash("There is no request to withdraw on this grant.")
        return redirect(url_for("monitoring.your_grant", award_id=award_id))
    form = ActionForm()
    reason, errors, status = "", {}, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        reason = str(request.form.get("reason", "")).replace("\x00", "")
        try:
            asks.withdraw_ask(user, award, reason, version_or_none(form.version_id.data))
        except services.Invalid as exc:
            errors, status = exc.errors, 400
        except (Conflict, services.NotAllowed, TransitionRefused):
            flash(WITHDRAW_CONFLICT)
            return redirect(url_for("monitoring.your_grant", award_id=award_id))
        else:
            flash(f"Your request {ask.reference} has been withdrawn.")
            return redirect(url_for("monitoring.your_grant", award_id=award_id))
    return _with_errors(
        "payments/withdraw_ask.html",
        errors,
        _summary(errors),
        status,
        award=award,
        ask=ask,
        reason=reason,
        form=form,
    )
