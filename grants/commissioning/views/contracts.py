"""A contract's pages: recording a need, the contract page (its stages, money by year, history, what can
be done next), each section's form, and the steps that move it on (grants.commissioning.contracts)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.commissioning import allocations, contracts
from grants.commissioning.details import parse_date
from grants.commissioning.forms import ContractForm
from grants.errors import FieldErrors
from grants.formatting import money
from workflows import Conflict, ReasonRequired, TransitionRefused

bp = Blueprint("contracts", __name__, url_prefix="/commissioning/contracts")

STAFF = ("officer", "finance", "decision_maker", "admin")
CONFLICT = (
    "Someone else changed this contract while you were looking at it. Here it is as it is now; "
    "check it, then try again if it still needs doing."
)


@bp.route("/new", methods=["GET", "POST"])
@staff("officer", "admin")
def new() -> ResponseReturnValue:
    user = signed_in_user()
    form = ContractForm()
    errors: dict[str, str] = {}
    typed = dict(request.form) if request.method == "POST" else {}
    if form.validate_on_submit():
        try:
            contract = contracts.record_need(
                user,
                request.form.get("programme_id", ""),
                request.form.get("title", ""),
                request.form,
                request.form.getlist,
                date.today(),
            )
        except FieldErrors as exc:
            errors = exc.errors
        else:
            flash(f"{contract.reference} is recorded: need identified. Next, choose the route.")
            return redirect(url_for("contracts.contract", reference=contract.reference))
    return render_template(
        "commissioning/new.html",
        form=form,
        programmes=contracts.programmes_for(user),
        choices=contracts.new_need_choices(),
        need_fields=contracts.details.NEED.fields,
        typed=typed,
        errors=errors,
    ), (400 if errors else 200)


def _page(
    errors: dict[str, str] | None = None,
    selected: str | None = None,
    status: int = 200,
    typed: dict | None = None,
    conflict: bool = False,
) -> ResponseReturnValue:
    reference = request.view_args["reference"] if request.view_args else ""
    view = contracts.page(signed_in_user(), reference)
    return render_template(
        "commissioning/contract.html",
        view=view,
        form=ContractForm(formdata=None),
        errors=errors or {},
        selected=selected,
        typed=typed or {},
        conflict=conflict,
    ), status


@bp.route("/<reference>")
@staff(*STAFF)
def contract(reference: str) -> ResponseReturnValue:
    return _page()


@bp.route("/<reference>/details/<section>", methods=["GET", "POST"])
@staff("officer", "admin")
def section(reference: str, section: str) -> ResponseReturnValue:
    user = signed_in_user()
    form = ContractForm()
    conflict = False
    if request.method == "POST" and form.validate_on_submit():
        try:
            saved = contracts.save_section(user, reference, section, request.form, request.form.getlist)
        except Conflict:
            conflict = True
            shown = contracts.section_form(user, reference, section)
            shown.values = contracts.details.typed_values(shown.section, request.form, request.form.getlist)
        else:
            if not saved.errors:
                flash(f"{saved.section.title} of {reference}: saved.")
                return redirect(url_for("contracts.contract", reference=reference))
            shown = saved
    else:
        shown = contracts.section_form(user, reference, section)
    return render_template(
        "commissioning/section.html", shown=shown, form=ContractForm(formdata=None), conflict=conflict
    ), (409 if conflict else 400 if shown.errors else 200)


@bp.route("/<reference>/route", methods=["POST"])
@staff("officer", "admin")
def route(reference: str) -> ResponseReturnValue:
    form = ContractForm()
    if not form.validate_on_submit():
        return _page(status=400)
    typed = {k: request.form.get(k, "") for k in ("route", "justification", "exception")}
    try:
        message = contracts.choose_route(
            signed_in_user(),
            reference,
            typed["route"],
            typed["justification"],
            typed["exception"],
            form.version_id.data,
        )
    except FieldErrors as exc:
        return _page(exc.errors, "route", 400, typed)
    except Conflict:
        return _page({"route": CONFLICT}, "route", 409, typed, conflict=True)
    except TransitionRefused as exc:
        return _page({"route": " ".join(exc.reasons)}, "route", 400, typed)
    flash(message)
    return redirect(url_for("contracts.contract", reference=reference))


@bp.route("/<reference>/extend", methods=["POST"])
@staff("decision_maker", "admin")
def extend(reference: str) -> ResponseReturnValue:
    form = ContractForm()
    if not form.validate_on_submit():
        return _page(status=400)
    typed = {k: request.form.get(k, "") for k in ("new_end-day", "new_end-month", "new_end-year", "reason")}
    new_end, problem = parse_date(request.form, "new_end")
    try:
        if problem:
            raise FieldErrors({"new_end": f"The new end date {problem}"})
        message = contracts.extend(signed_in_user(), reference, new_end, typed["reason"], form.version_id.data)
    except FieldErrors as exc:
        return _page(exc.errors, "extend", 400, typed)
    except Conflict:
        return _page({"extend": CONFLICT}, "extend", 409, typed, conflict=True)
    except TransitionRefused as exc:
        return _page({"extend": " ".join(exc.reasons)}, "extend", 400, typed)
    flash(message)
    return redirect(url_for("contracts.contract", reference=reference))


@bp.route("/<reference>/steps/<name>", methods=["POST"])
@staff(*STAFF)
def step(reference: str, name: str) -> ResponseReturnValue:
    form = ContractForm()
    if not form.validate_on_submit():
        return _page(status=400)
    reason = request.form.get("reason", "")
    try:
        message = contracts.step(signed_in_user(), reference, name, reason, form.version_id.data)
    except Conflict:
        return _page({name: CONFLICT}, name, 409, {"reason": reason}, conflict=True)
    except ReasonRequired as exc:
        return _page({name: " ".join(exc.reasons)}, name, 400, {"reason": reason})
    except TransitionRefused as exc:
        return _page({name: " ".join(exc.reasons)}, name, 400, {"reason": reason})
    flash(message)
    return redirect(url_for("contracts.contract", reference=reference))


@bp.route("/<reference>/allocations/new", methods=["GET", "POST"])
@staff("officer", "admin")
def new_allocation(reference: str) -> ResponseReturnValue:
    user = signed_in_user()
    form = ContractForm()
    shown = allocations.new_allocation(user, reference)
    errors: dict[str, str] = {}
    typed = {"year": request.form.get("year", ""), "amount": request.form.get("amount", "")}
    if form.validate_on_submit():
        try:
            award = allocations.add(user, reference, typed["year"], typed["amount"])
        except FieldErrors as exc:
            errors = exc.errors
        except Conflict:
            errors = {"year": "Someone else made an allocation for this year meanwhile: check the contract."}
        else:
            flash(f"{award.public_reference} is made: {money(award.amount_pence)}. Next, prepare its offer.")
            return redirect(url_for("awards.show", award_id=award.id))
    return render_template("commissioning/allocation_new.html", shown=shown, form=form, typed=typed, errors=errors), (
        400 if errors else 200
    )


@bp.route("/allocations/<reference>/amount", methods=["GET", "POST"])
@staff("officer", "admin")
def allocation_amount(reference: str) -> ResponseReturnValue:
    user = signed_in_user()
    form = ContractForm()
    errors: dict[str, str] = {}
    conflict = False
    typed = request.form.get("amount", "")
    if form.validate_on_submit():
        try:
            award = allocations.change_amount(user, reference, typed, form.version_id.data)
        except FieldErrors as exc:
            errors = exc.errors
        except Conflict:
            conflict = True
            errors = {"amount": "Someone else changed this allocation while you were editing: nothing was saved."}
        else:
            flash(f"{award.public_reference} is now {money(award.amount_pence)}.")
            return redirect(url_for("awards.show", award_id=award.id))
    shown = allocations.allocation_for_edit(user, reference)
    return render_template(
        "commissioning/allocation_amount.html",
        shown=shown,
        form=ContractForm(formdata=None),
        typed=typed,
        errors=errors,
    ), (409 if conflict else 400 if errors else 200)
