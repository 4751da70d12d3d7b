"""Uplifts: preparing one decision that varies many allocations (with its preview), and deciding it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.commissioning import uplifts
from grants.commissioning.forms import ContractForm
from grants.errors import FieldErrors

bp = Blueprint("uplifts", __name__, url_prefix="/commissioning/uplifts")

FIELDS = ("programme", "year", "scope", "percent", "reason")


@bp.route("/")
@staff("officer", "finance", "decision_maker", "admin")
def index() -> ResponseReturnValue:
    return render_template("commissioning/uplifts/index.html", found=uplifts.uplifts_for(signed_in_user()))


@bp.route("/new", methods=["GET", "POST"])
@staff("officer", "decision_maker", "admin")
def new() -> ResponseReturnValue:
    user = signed_in_user()
    form = ContractForm()
    typed = {k: request.form.get(k, "") for k in FIELDS}
    errors: dict[str, str] = {}
    shown = None
    if form.validate_on_submit():
        try:
            shown = uplifts.preview(
                user,
                typed["programme"],
                typed["year"],
                typed["scope"],
                typed["percent"],
                typed["reason"],
                left_out=request.form.getlist("left_out"),
            )
        except FieldErrors as exc:
            errors = exc.errors
        else:
            if request.form.get("action") == "prepare":
                try:
                    made = uplifts.prepare(user, shown)
                except FieldErrors as exc:
                    errors = exc.errors
                else:
                    flash(f"{made.reference} is prepared: a decision maker approves it.")
                    return redirect(url_for("uplifts.uplift", uplift_id=made.id))
    return render_template(
        "commissioning/uplifts/new.html",
        form=form,
        typed=typed,
        errors=errors,
        shown=shown,
        programmes=uplifts.programmes_for(user),
        scopes=uplifts.SCOPES,
    ), (400 if errors else 200)


@bp.route("/<int:uplift_id>", methods=["GET", "POST"])
@staff("officer", "finance", "decision_maker", "admin")
def uplift(uplift_id: int) -> ResponseReturnValue:
    user = signed_in_user()
    form = ContractForm()
    errors: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        try:
            if request.form.get("action") == "refuse":
                uplifts.refuse(user, uplift_id, request.form.get("reason", ""))
                flash("The uplift is refused. Nothing was changed.")
            else:
                varied, skipped = uplifts.approve(user, uplift_id)
                flash(f"The uplift is approved: {varied} allocations varied, {len(skipped)} skipped.")
            return redirect(url_for("uplifts.uplift", uplift_id=uplift_id))
        except FieldErrors as exc:
            errors = exc.errors
    found = uplifts.load(user, uplift_id)
    return render_template(
        "commissioning/uplifts/uplift.html",
        uplift=found,
        form=ContractForm(formdata=None),
        may_decide=uplifts.may_decide(user, found),
        errors=errors,
        rounding=uplifts.ROUNDING,
    ), (400 if errors else 200)
