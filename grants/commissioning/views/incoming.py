"""Incoming grants: the list, each grant's page (years, money charged to it, match funding, reports to
the funder), recording a partner's contribution and marking a report sent."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.commissioning import incoming
from grants.commissioning.forms import ContractForm
from grants.errors import FieldErrors
from grants.formatting import money

bp = Blueprint("incoming_grants", __name__, url_prefix="/commissioning/incoming-grants")

STAFF = ("officer", "finance", "decision_maker", "admin")


@bp.route("/")
@staff(*STAFF)
def index() -> ResponseReturnValue:
    return render_template("commissioning/incoming/index.html", grants=incoming.grants_for(signed_in_user()))


def _page(
    reference: str, errors: dict[str, str] | None = None, typed: dict[str, str] | None = None
) -> ResponseReturnValue:
    shown = incoming.page(signed_in_user(), reference)
    return render_template(
        "commissioning/incoming/grant.html",
        shown=shown,
        form=ContractForm(formdata=None),
        errors=errors or {},
        typed=typed or {},
    ), (400 if errors else 200)


@bp.route("/<reference>")
@staff(*STAFF)
def grant(reference: str) -> ResponseReturnValue:
    return _page(reference)


@bp.route("/<reference>/contributions", methods=["POST"])
@staff("officer", "finance", "admin")
def contribution(reference: str) -> ResponseReturnValue:
    form = ContractForm()
    typed = {k: request.form.get(k, "") for k in ("year", "partner", "amount", "note")}
    if not form.validate_on_submit():
        return _page(reference, {"partner": "The form expired: try again."}, typed)
    try:
        made = incoming.record_contribution(
            signed_in_user(), reference, typed["year"], typed["partner"], typed["amount"], typed["note"], date.today()
        )
    except FieldErrors as exc:
        return _page(reference, exc.errors, typed)
    flash(f"{made.partner}'s match funding of {money(made.amount_pence)} is recorded.")
    return redirect(url_for("incoming_grants.grant", reference=reference))


@bp.route("/<reference>/reports/<int:report_id>/sent", methods=["POST"])
@staff("officer", "finance", "admin")
def report_sent(reference: str, report_id: int) -> ResponseReturnValue:
    form = ContractForm()
    if form.validate_on_submit():
        report = incoming.mark_report_sent(signed_in_user(), reference, report_id, date.today())
        flash(f"{report.what}: marked sent.")
    return redirect(url_for("incoming_grants.grant", reference=reference))


@bp.route("/new", methods=["GET", "POST"])
@staff("officer", "finance", "admin")
def new() -> ResponseReturnValue:
    user = signed_in_user()
    form = ContractForm()
    programmes = incoming.recordable_programmes(user)
    typed = {k: v for k, v in request.form.items() if k != "csrf_token"}
    errors: dict[str, str] = {}
    if form.validate_on_submit() and request.form.get("action") == "record":
        try:
            grant = incoming.record_grant(user, typed, programmes)
        except FieldErrors as exc:
            errors = exc.errors
        else:
            flash(f"{grant.reference} is recorded: {money(grant.amount_pence)} over {len(grant.years)} years.")
            return redirect(url_for("incoming_grants.grant", reference=grant.reference))
    years = incoming.years_between(
        incoming.typed_date(typed.get("starts_on", "")), incoming.typed_date(typed.get("ends_on", ""))
    )
    return render_template(
        "commissioning/incoming/new.html",
        form=form,
        typed=typed,
        errors=errors,
        years=[(year, f"{year}/{(year + 1) % 100:02d}") for year in years],
        programmes=sorted(programmes),
    ), (400 if errors else 200)
