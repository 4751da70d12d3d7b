"""Pages that end an award's money: money received back (recoveries), and closing the award."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.payments import closure, services
from grants.payments.views import _award, _form_page, _today, bp


@bp.route("/awards/<int:award_id>/recoveries/new", methods=["GET", "POST"])
@staff("officer")
def recovery_new(award_id: int) -> ResponseReturnValue:
    award = _award(award_id, services.OFFICER)

    def record(values: dict[str, Any], _version: int | None) -> Any:
        closure.record_recovery(
            signed_in_user(),
            award,
            values["kind"],
            values["amount"],
            values["received_on"],
            values["reason"],
            today=_today(),
        )
        flash(f"The money received on {award.reference} has been recorded.")
        return redirect(url_for("payments.recovery_new", award_id=award.id))

    return _form_page(
        "payments/recovery_new.html",
        {"kind": "text", "amount": "text", "received_on": "date", "reason": "text"},
        record,
        award=award,
        figures=closure.money_of(signed_in_user(), award),
    )


@bp.route("/awards/<int:award_id>/close", methods=["GET", "POST"], endpoint="closure")
@staff("officer")
def closure_page(award_id: int) -> ResponseReturnValue:
    award = _award(award_id, services.OFFICER)

    def close(values: dict[str, Any], version: int | None) -> Any:
        flash(closure.close_award(signed_in_user(), award, values["final_spend"], values["reason"], version))
        return redirect(url_for("payments.closure", award_id=award.id))

    figures = closure.money_of(signed_in_user(), award)
    prefilled = figures.final_spend_typed
    return _form_page(
        "payments/closure.html",
        {"final_spend": "text", "reason": "text"},
        close,
        initial={"final_spend": prefilled, "reason": ""} if prefilled is not None else None,
        award=award,
        figures=figures,
    )
