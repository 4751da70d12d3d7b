"""Pages of the payments area (thin: each view calls a service).

Schedules, recoveries, variations and closure hang off an award (/payments/awards/<id>/…);
finance works from /payments/due and each instalment's page; budgets are /payments/budgets.
The award's own page (/awards/<id>) belongs to the awards area.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.errors import FieldErrors, NotFound
from grants.form_fields import version_or_none
from grants.formatting import london_today, whole_number
from grants.pagination import page_number
from grants.payments import bank_checks, budgets, instalments, schedules, services
from grants.payments import runs as payment_runs
from grants.payments.forms import (
    ActionForm,
    DueFilterForm,
    ScheduleForm,
    apply_row_action,
    blank_fields,
    date_parts,
    read_fields,
    schedule_rows,
    text,
)
from grants.streaming import guarded
from workflows import Conflict, ReasonRequired, TransitionRefused

bp = Blueprint("payments", __name__, url_prefix="/payments")

VIEWERS = ("officer", "finance", "decision_maker", "admin")
PAYMENT_STAFF = ("officer", "finance", "admin")
VARIATION_STAFF = ("officer", "decision_maker", "admin")
DATE_FIELDS = {"paid_on", "received_on", "ends_on", "from", "to"}


def _today() -> date:
    return london_today()


def _award(award_id: int, roles: frozenset[str] = services.VIEWERS) -> Any:
    return services.award_for(award_id, signed_in_user(), roles)


def _payment(payment_id: int) -> Any:
    return services.payment_for(payment_id, signed_in_user())


def _variation(variation_id: int) -> Any:
    return services.variation_for(variation_id, signed_in_user())


def _summary(errors: dict[str, str]) -> list[dict[str, str]]:
    """GOV.UK error summary items, each linking to the field it is about (a date's first box)."""
    items = []
    for key, message in errors.items():
        anchor = f"{key}-day" if key in DATE_FIELDS or key.endswith("-due") else key
        items.append({"text": message, "href": f"#{anchor}"})
    return items


def _with_errors(
    template: str, errors: dict[str, str], summary: list[dict[str, str]], status: int, **context: Any
) -> ResponseReturnValue:
    """A payments page with its errors by field, the GOV.UK error summary (`has_errors` when it has any), and status."""
    return render_template(template, errors=errors, summary=summary, has_errors=bool(summary), **context), status


def _form_page(
    template: str, fields: dict[str, str], run: Any, *, initial: dict[str, Any] | None = None, **context: Any
) -> ResponseReturnValue:
    """A page with one form: show it; on POST run the service with what was typed and the version
    the page showed (`run` returns the redirect), or come back with the errors, keeping what was
    typed. After a conflict, `conflict` is what is saved now and `version` its version."""
    form = ActionForm()
    values = initial or blank_fields(fields)
    errors: dict[str, str] = {}
    status, stale, current = 200, False, None
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = read_fields(fields, request.form)
        context["version"] = form.version_id.data or ""
        try:
            return run(values, version_or_none(form.version_id.data))
        except services.Invalid as exc:
            errors, status = exc.errors, 400
        except services.NotAllowed as exc:
            abort(403, str(exc))
        except (Conflict, services.Stale) as exc:
            stale, status, current = True, 409, getattr(exc, "current", None)
            context["version"] = "" if current is None else str(current.version_id)
        except TransitionRefused as exc:
            errors, status = {"actions": " ".join(exc.reasons)}, 400
    summary = _summary(errors)
    if stale:
        summary.insert(0, {"text": services.CONFLICT_MESSAGE, "href": "#state"})
    return _with_errors(
        template, errors, summary, status, values=values, form=form, stale=stale, conflict=current, **context
    )


# -- the payment schedule ------------------------------------------------------------------------
def _render_schedule(
    award: Any,
    rows: list[schedules.RowInput] | None = None,
    errors: dict[str, str] | None = None,
    *,
    schedule: Any = None,
    conflict: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    schedule = schedule or schedules.schedule_of(award)
    errors = errors or {}
    summary = _summary(errors)
    if conflict:
        summary.insert(
            0, {"text": "Someone else changed this payment schedule while you were editing it", "href": "#current"}
        )
    return _with_errors(
        "payments/schedule.html",
        errors,
        summary,
        status,
        award=award,
        schedule=schedule,
        rows=schedules.starting_rows(schedule) if rows is None else rows,
        conflict=conflict,
        form=ScheduleForm(formdata=None),
        can_edit=schedule.editable and "officer" in services.roles_on(signed_in_user(), award.programme_id),
        can_open_payments=bool(services.roles_on(signed_in_user(), award.programme_id) & services.PAYMENT_ROLES),
        max_rows=schedules.MAX_ROWS,
    )


@bp.route("/awards/<int:award_id>/schedule", methods=["GET", "POST"])
@staff(*VIEWERS)
def schedule(award_id: int) -> ResponseReturnValue:
    award = _award(award_id)
    if request.method == "GET":
        return _render_schedule(award)
    form = ScheduleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.require_officer(signed_in_user(), award)
    except services.NotAllowed as exc:
        abort(403, str(exc))
    rows = schedule_rows(request.form)
    current = schedules.schedule_of(award)
    changed = apply_row_action(rows, request.form.get("action", "save"), keep_one=not current.locked)
    if changed is not None:  # add or remove a row: nothing is saved yet
        return _render_schedule(award, changed, schedule=current)
    try:
        saved = schedules.save_schedule(signed_in_user(), award, rows, form.fingerprint.data or "")
    except services.NotAllowed as exc:
        abort(403, str(exc))
    except services.Invalid as exc:
        return _render_schedule(award, rows, exc.errors, status=400)
    except services.Stale as exc:
        return _render_schedule(award, rows, schedule=exc.current, conflict=True, status=409)
    if saved.changed:
        flash(f"The payment schedule for {award.reference} has been saved.")
    else:
        flash(f"The payment schedule for {award.reference} has not changed.")
    return redirect(url_for("payments.schedule", award_id=award.id))


# -- finance: what falls due, and one instalment -------------------------------------------------
@bp.route("/due")
@staff(*PAYMENT_STAFF)
def due() -> ResponseReturnValue:
    form = DueFilterForm.read(request.args)
    sort = instalments.SORTS.read(request.args)
    listing = None
    if not form.errors:
        listing = instalments.list_due(
            signed_in_user(), form.filters(), page_number(request.args), current_app.config["PAGE_SIZE"], sort
        )
    return render_template(
        "payments/due.html",
        filters=form,
        listing=listing,
        sort=sort,
        summary=_summary(form.errors),
        has_errors=bool(form.errors),
        action_form=ActionForm(formdata=None),
        back=request.full_path.rstrip("?"),
        may_check_bank=bank_checks.may_check(signed_in_user()),
    ), (400 if form.errors else 200)


@bp.route("/due.csv")
@staff(*PAYMENT_STAFF)
def due_csv() -> ResponseReturnValue:
    """Payments due as CSV: every instalment the list shows, with its filters and sort."""
    form = DueFilterForm.read(request.args)
    if form.errors:  # the list page says what is wrong with the dates
        return redirect(url_for("payments.due") + "?" + request.query_string.decode("latin-1"))
    lines = instalments.due_csv(signed_in_user(), form.filters(), instalments.SORTS.read(request.args))
    return Response(
        stream_with_context(guarded(lines)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="payments-due-{_today().isoformat()}.csv"'},
    )


def _action_errors(
    errors: dict[str, str] | None, action: str | None, conflict: bool
) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Errors keyed by field, and the error summary. Each action's form has its own reason box:
    point a reason message at the one that was used; a conflict leads the summary."""
    errors = {(f"{action}-reason" if key == "reason" else key): message for key, message in (errors or {}).items()}
    summary = _summary(errors)
    if conflict:
        summary.insert(0, {"text": services.CONFLICT_MESSAGE, "href": "#state"})
    return errors, summary


def _action_page(
    template: str, errors: dict[str, str] | None, action: str | None, stale: bool, status: int, **context: Any
) -> ResponseReturnValue:
    """A case's page with its action forms; after an action, its errors (and a conflict, if `stale`) are shown."""
    errors, summary = _action_errors(errors, action, stale)
    return _with_errors(template, errors, summary, status, action=action, form=ActionForm(formdata=None), **context)


def _render_payment(
    payment: Any,
    *,
    errors: dict[str, str] | None = None,
    action: str | None = None,
    values: dict[str, Any] | None = None,
    conflict: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    return _action_page(
        "payments/payment.html",
        errors,
        action,
        conflict,
        status,
        view=instalments.payment_page(signed_in_user(), payment),
        payment=payment,
        values=values or {},
        conflict=conflict,
        today=_today(),
    )


@bp.route("/<int:payment_id>")
@staff(*PAYMENT_STAFF)
def payment(payment_id: int) -> ResponseReturnValue:
    return _render_payment(_payment(payment_id))


def _back_or(default: str) -> str:
    back = request.form.get("back", "")
    return back if back.startswith("/payments/") and "//" not in back else default


def _payment_action(payment: Any, action: str, run: Any, values: dict[str, Any]) -> ResponseReturnValue:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    refusal = instalments.refusal(signed_in_user(), payment, action)
    if refusal:
        abort(403, refusal)
    try:
        message = run(version_or_none(form.version_id.data))
    except services.Invalid as exc:
        return _render_payment(payment, errors=exc.errors, action=action, values=values, status=400)
    except Conflict:
        return _render_payment(payment, action=action, values=values, conflict=True, status=409)
    except ReasonRequired as exc:
        return _render_payment(payment, errors={"reason": exc.reasons[0]}, action=action, values=values, status=400)
    except TransitionRefused as exc:
        return _render_payment(
            payment, errors={"actions": " ".join(exc.reasons)}, action=action, values=values, status=400
        )
    flash(message)
    return redirect(_back_or(url_for("payments.payment", payment_id=payment.id)))


@bp.route("/<int:payment_id>/approve", methods=["POST"])
@staff("finance")
def approve(payment_id: int) -> ResponseReturnValue:
    payment = _payment(payment_id)
    return _payment_action(payment, "approve", lambda v: instalments.approve(signed_in_user(), payment, v), {})


@bp.route("/<int:payment_id>/paid", methods=["POST"])
@staff("finance")
def mark_paid(payment_id: int) -> ResponseReturnValue:
    payment = _payment(payment_id)
    paid_on, finance_reference = date_parts(request.form, "paid_on"), text(request.form, "finance_reference")
    return _payment_action(
        payment,
        "mark_paid",
        lambda v: instalments.mark_paid(signed_in_user(), payment, paid_on, finance_reference, v, today=_today()),
        {"paid_on": paid_on, "finance_reference": finance_reference},
    )


@bp.route("/<int:payment_id>/<any(hold, release, cancel):action>", methods=["POST"])
@staff("officer", "finance")
def payment_action(payment_id: int, action: str) -> ResponseReturnValue:
    payment = _payment(payment_id)
    values = {"reason": text(request.form, "reason")}
    return _payment_action(
        payment, action, lambda v: instalments.act(signed_in_user(), payment, action, values["reason"], v), values
    )


# -- budgets -----------------------------------------------------------------------------------------
@bp.route("/budgets", endpoint="budgets")
@staff(*VIEWERS)
def budgets_page() -> ResponseReturnValue:
    today = _today()
    year = request.args.get("year", "")
    number = whole_number(year)
    chosen = number if number is not None and number in budgets.YEARS else budgets.current_year(today)
    return render_template("payments/budgets.html", report=budgets.report(signed_in_user(), chosen, today))


@bp.route("/budgets/<stream>/<int:year>", methods=["GET", "POST"])
@staff("finance")
def budget_set(stream: str, year: int) -> ResponseReturnValue:
    target = budgets.budget_for(stream, year)
    if not budgets.may_set_stream(signed_in_user(), stream):
        abort(403, "Only finance on a programme charged to this budget stream can set its budget.")
    current = target.current

    def save(values: dict[str, Any], version: int | None) -> Any:
        budgets.set_budget(signed_in_user(), target, values["amount"], values["cost_centre"], values["reason"], version)
        flash(f"The {target.stream_label} budget for {target.year_label} has been saved.")
        return redirect(url_for("payments.budgets", year=year))

    initial = None
    if current is not None:
        initial = {"amount": f"{current.amount_pence / 100:.2f}", "cost_centre": current.cost_centre, "reason": ""}
    return _form_page(
        "payments/budget_set.html",
        {"amount": "text", "cost_centre": "text", "reason": "text"},
        save,
        initial=initial,
        target=target,
        version="" if current is None else str(current.version_id),
    )


# The variation, recovery and closure pages, and the grant holder's asks, register on the same blueprint.
from grants.payments.views import ask_pages, closure_pages, variation_pages  # noqa: E402, F401


@bp.route("/bank-details", methods=["GET", "POST"])
@staff("finance")
def bank_details() -> ResponseReturnValue:
    """Organisations whose bank details changed: finance checks them before anything more is paid."""
    user = signed_in_user()
    form = ActionForm()
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        organisation_id = whole_number(request.form.get("organisation_id", "")) or 0
        try:
            verified = bank_checks.verify(user, organisation_id, request.form.get("how", ""))
        except FieldErrors as exc:
            errors, typed = exc.errors, {"organisation_id": str(organisation_id), "how": request.form.get("how", "")}
        except NotFound:
            abort(404)
        else:
            flash(f"The bank details of {verified.name} are verified: its instalments can be approved and paid.")
            return redirect(url_for("payments.bank_details"))
    return render_template(
        "payments/bank_details.html", waiting=bank_checks.waiting(user), form=form, errors=errors, typed=typed
    ), (400 if errors else 200)


@bp.route("/runs")
@staff("finance")
def runs() -> ResponseReturnValue:
    return render_template("payments/runs.html", found=payment_runs.runs_for(signed_in_user()))


@bp.route("/runs/new", methods=["GET", "POST"])
@staff("finance")
def new_run() -> ResponseReturnValue:
    """Pay a batch of approved instalments together: one date, one finance reference, one bank file."""
    user = signed_in_user()
    form = ActionForm()
    errors: dict[str, str] = {}
    typed: dict[str, Any] = {"chosen": None, "paid_on": ("", "", ""), "finance_reference": ""}
    if request.method == "POST" and form.validate_on_submit():
        typed = {
            "chosen": set(request.form.getlist("payments")),
            "paid_on": date_parts(request.form, "paid_on"),
            "finance_reference": text(request.form, "finance_reference"),
        }
        try:
            run = payment_runs.make_run(
                user, typed["chosen"], typed["paid_on"], typed["finance_reference"], today=_today()
            )
        except services.Invalid as exc:
            errors = exc.errors
        else:
            flash(f"{run.reference}: {run.instalments} instalments marked paid. Download the bank file below.")
            return redirect(url_for("payments.run", run_id=run.id))
    return render_template(
        "payments/run_new.html",
        found=payment_runs.candidates(user),
        form=form,
        errors=errors,
        summary=_summary(errors),
        has_errors=bool(errors),
        typed=typed,
    ), (400 if errors else 200)


@bp.route("/runs/<int:run_id>")
@staff("finance")
def run(run_id: int) -> ResponseReturnValue:
    try:
        page = payment_runs.run_page(signed_in_user(), run_id)
    except NotFound:
        abort(404)
    return render_template("payments/run.html", page=page, lines=payment_runs.bank_lines(page))


@bp.route("/runs/<int:run_id>/bank-file.<any(csv, xlsx):fmt>")
@staff("finance")
def bank_file(run_id: int, fmt: str) -> ResponseReturnValue:
    """The file finance uploads to the bank: payee, sort code, account, amount, reference, and the total."""
    try:
        page = payment_runs.run_page(signed_in_user(), run_id)
    except NotFound:
        abort(404)
    name = f"{page.run.reference}-bank-file.{fmt}"
    if fmt == "csv":
        return Response(
            payment_runs.bank_csv_text(page),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return send_file(payment_runs.bank_xlsx_file(page), mimetype=XLSX, as_attachment=True, download_name=name)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
