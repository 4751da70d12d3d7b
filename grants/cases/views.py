"""Case pages for officers: state, history, actions with reasons, and the workflow diagram."""

from __future__ import annotations

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
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.cases import batch, batch_assign, batch_email, batch_officer, batch_templates, lists, officers, services
from grants.cases.forms import BatchAssignForm, BatchEmailForm, BatchForm, OfficerForm, TransitionForm
from grants.correspondence import services as correspondence
from grants.correspondence.forms import MessageForm, NoteForm
from grants.errors import FieldErrors, NotFound
from grants.form_fields import show_errors
from grants.formatting import whole_number
from grants.pagination import Page, page_number
from grants.streaming import guarded
from workflows import Conflict, ReasonRequired, TransitionRefused

bp = Blueprint("cases", __name__, url_prefix="/cases")

STAFF = ("officer", "finance", "decision_maker", "admin")


@bp.route("/")
@staff(*STAFF)
def index() -> ResponseReturnValue:
    return render_template(
        "cases/index.html", kinds=services.summary(signed_in_user()), mine=officers.mine_by_kind(signed_in_user())
    )


@bp.route("/<kind>")
@staff(*STAFF)
def list_kind(kind: str) -> ResponseReturnValue:
    return render_list(kind)


def listing(kind: str, page: int, per_page: int) -> Page[Any]:
    """The list as its address filters and sorts it (the batch actions select from it too).
    Filters with a mistake in them list nothing (the page says what is wrong)."""
    filters = services.read_filters(request.args)
    if filters.errors:
        services.case_type(kind)  # an unknown kind is still not found
        return Page(items=[], page=1, per_page=per_page, total=0)
    sort = services.list_sorts(kind).read(request.args)
    return services.list_cases(kind, signed_in_user(), page, per_page, sort=sort, filters=filters)


@bp.route("/<kind>/cases.csv")
@staff(*STAFF)
def list_csv(kind: str) -> ResponseReturnValue:
    """The list as CSV: every case it shows (all pages), with the same filters and sort."""
    filters = services.read_filters(request.args)
    if filters.errors:  # the list says what is wrong
        return redirect(url_for("cases.list_kind", kind=kind) + "?" + request.query_string.decode("latin-1"))
    sort = services.list_sorts(kind).read(request.args)
    lines = services.cases_csv(kind, signed_in_user(), filters, sort)
    return Response(
        stream_with_context(guarded(lines)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{kind}-cases.csv"'},
    )


def _batch_actions(kind: str, subjects: list[Any]) -> list[batch.Offered]:
    offered = batch.choices(kind, signed_in_user(), subjects)
    if subjects and batch_assign.may_assign(signed_in_user(), kind):
        offered.append(batch.Offered(batch_assign.ASSIGN, "Assign assessors", "", False))
    if subjects and batch_officer.may_name(signed_in_user()):
        offered.append(batch.Offered(batch_officer.NAME_OFFICER, "Name the officer who looks after them", "", False))
    if subjects and batch_email.may_email(signed_in_user()):
        offered.append(batch.Offered(batch_email.EMAIL, "Email the organisations", "", False))
    return offered


def render_list(kind: str, batch_errors: list[tuple[str, str]] | None = None, status: int = 200) -> ResponseReturnValue:
    """The list page; `batch_errors` ((field id, message)) when a batch could not start."""
    page = listing(kind, page_number(request.args), current_app.config["PAGE_SIZE"])
    filters = services.read_filters(request.args)
    if filters.errors and status == 200:
        status = 400
    return render_template(
        "cases/list.html",
        kind=kind,
        label=services.kind_label(kind, plural=True),
        page=page,
        rows=lists.rows(page.items),
        kept_row=lists.kept_row,
        officer_names=lists.officer_names(kind, [case.id for case in page.items]),
        sorts=services.list_sorts(kind),
        sort=services.list_sorts(kind).read(request.args),
        filters=filters,
        choices=services.filter_choices(kind, signed_in_user()),
        state_choices=services.state_choices(kind),
        batch_actions=_batch_actions(kind, page.items),
        batch_errors=batch_errors or [],
        chosen_ids=request.form.getlist("case") if batch_errors else [],
        has_errors=bool(batch_errors) or bool(filters.errors),
    ), status


def _render_case(
    kind: str,
    case_id: int,
    form: TransitionForm | None = None,
    selected: str | None = None,
    errors: list[str] | None = None,
    status: int = 200,
    note_form: NoteForm | None = None,
    message_form: MessageForm | None = None,
    officer_form: OfficerForm | None = None,
    officer_errors: list[str] | None = None,
) -> ResponseReturnValue:
    subject = services.load_case(kind, case_id, signed_in_user())
    view = services.case_view(kind, subject, signed_in_user())
    assignment = officers.of_case(kind, subject, signed_in_user())
    form = form or TransitionForm()
    if form.errors and not errors:
        errors = [message for messages in form.errors.values() for message in messages]
    shown = {option.name: option for option in view.options if option.allowed}
    return render_template(
        "cases/case.html",
        view=view,
        kind_label=services.kind_label(kind),
        form=form,
        selected=selected,
        selected_needs_reason=selected in shown,
        errors=errors or [],
        note_form=note_form or NoteForm(formdata=None, prefix="note"),
        message_form=message_form or MessageForm(formdata=None, prefix="message"),
        assignment=assignment,
        officer_form=officer_form or OfficerForm(formdata=None),
        officer_errors=officer_errors or [],
    ), status


@bp.route("/<kind>/<int:case_id>")
@staff(*STAFF)
def show(kind: str, case_id: int) -> ResponseReturnValue:
    return _render_case(kind, case_id)


@bp.route("/<kind>/<int:case_id>/transitions/<name>", methods=["POST"])
@staff(*STAFF)
def apply(kind: str, case_id: int, name: str) -> ResponseReturnValue:
    form = TransitionForm()
    if not form.validate_on_submit():
        return _render_case(kind, case_id, form, name, None, 400)
    try:
        message = services.transition(kind, case_id, name, signed_in_user(), form.reason.data, form.version_id.data)
    except Conflict:
        return _render_case(
            kind,
            case_id,
            TransitionForm(formdata=None, reason=form.reason.data),
            name,
            [
                "Someone else changed this while you were looking at it. Here is its current state; "
                "check it, then try again if it still needs doing."
            ],
            409,
        )
    except ReasonRequired as exc:
        return _render_case(kind, case_id, form, name, exc.reasons, 400)
    except TransitionRefused as exc:
        return _render_case(kind, case_id, form, name, exc.reasons, 403)
    flash(message)
    return redirect(url_for("cases.show", kind=kind, case_id=case_id))


@bp.route("/<kind>/<int:case_id>/notes", methods=["POST"])
@staff(*STAFF)
def add_note(kind: str, case_id: int) -> ResponseReturnValue:
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return _render_case(kind, case_id, status=400, note_form=form)
    correspondence.add_note(kind, case_id, signed_in_user(), form.body.data or "")
    flash("Your private note is added to the history.")
    return redirect(url_for("cases.show", kind=kind, case_id=case_id, _anchor="history"))


@bp.route("/<kind>/<int:case_id>/messages", methods=["POST"])
@staff(*STAFF)
def send_message(kind: str, case_id: int) -> ResponseReturnValue:
    correspondence.messaged_case(kind, case_id, signed_in_user())  # 404 without an organisation to write to
    form = MessageForm(prefix="message")
    if not form.validate_on_submit():
        return _render_case(kind, case_id, status=400, message_form=form)
    flash(correspondence.send_message(kind, case_id, signed_in_user(), form.body.data or ""))
    return redirect(url_for("cases.show", kind=kind, case_id=case_id, _anchor="history"))


@bp.route("/<kind>/<int:case_id>/officer", methods=["POST"])
@staff(*STAFF)
def assign_officer(kind: str, case_id: int) -> ResponseReturnValue:
    """Name the officer who looks after the case (officers and admins of its programme)."""
    form = OfficerForm()
    if not form.validate_on_submit():
        return _render_case(
            kind, case_id, status=400, officer_form=form, officer_errors=[m for ms in form.errors.values() for m in ms]
        )
    try:
        message = officers.assign(kind, case_id, signed_in_user(), form.officer.data, form.shown.data)
    except FieldErrors as exc:
        return _render_case(kind, case_id, status=400, officer_form=form, officer_errors=list(exc.errors.values()))
    except Conflict:
        return _render_case(
            kind,
            case_id,
            status=409,
            officer_errors=[
                "Someone else changed who looks after this while you were looking at it. "
                "Here is who it is now; choose again if it still needs changing."
            ],
        )
    flash(message)
    return redirect(url_for("cases.show", kind=kind, case_id=case_id))


# -- batch actions: the list's form posts the selection (the list's query string rides on its address, so
# "all matching" uses the same filters); the confirmation posts each case's id with the version it showed.
BATCH_CHOOSE_ACTION = "Choose what to do with the selected cases"
BATCH_CHOOSE_CASES = "Select at least one case, or all the cases matching this filter"


def _batch_too_many(count: int) -> str:
    return (
        f"{count:,} cases are selected: a batch takes at most {batch.MAX_BATCH:,}. "
        "Filter the list further, or select cases by hand"
    )


def _render_batch_confirm(plan: batch.Plan, form: BatchForm, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "cases/batch_confirm.html",
        plan=plan,
        form=form,
        label=services.kind_label(plan.kind, plural=True),
        kind_label=services.kind_label(plan.kind),
    ), status


@bp.route("/<kind>/batch", methods=["POST"])
@staff(*STAFF)
def batch_review(kind: str) -> ResponseReturnValue:
    """The confirmation page: what the chosen action would do to each selected case. Nothing changes yet."""
    user = signed_in_user()
    services.case_type(kind)  # an unknown kind is not found
    name = request.form.get("action", "")
    errors: list[tuple[str, str]] = []
    if not name:
        errors.append(("batch-action", BATCH_CHOOSE_ACTION))
    elif name in (batch_email.EMAIL, batch_assign.ASSIGN, batch_officer.NAME_OFFICER):
        allowed = {
            batch_email.EMAIL: lambda: batch_email.may_email(user),
            batch_assign.ASSIGN: lambda: batch_assign.may_assign(user, kind),
            batch_officer.NAME_OFFICER: lambda: batch_officer.may_name(user),
        }[name]()
        if not allowed:
            errors.append(("batch-action", "Choose one of the actions offered for these cases"))
    else:
        try:
            batch.action(kind, name)
        except NotFound:
            errors.append(("batch-action", "Choose one of the actions offered for these cases"))
    not_found = 0
    if request.form.get("all") == "yes":
        page = listing(kind, 1, batch.MAX_BATCH + 1)
        subjects = page.items
        if page.total > batch.MAX_BATCH:
            errors.append(("batch-all", _batch_too_many(page.total)))
        elif not page.total:
            errors.append(("batch-all", "No cases match this filter: change the filter, or select cases by hand"))
    else:
        ids, junk = batch.parse_ids(request.form.getlist("case"))
        if not ids and not junk:
            errors.append(("batch-all", BATCH_CHOOSE_CASES))
        elif len(ids) + junk > batch.MAX_BATCH:
            errors.append(("batch-all", _batch_too_many(len(ids) + junk)))
        subjects = batch.selected(kind, user, ids[: batch.MAX_BATCH]) if not errors else []
        not_found = junk + len(ids) - len(subjects)
    if errors:
        return render_list(kind, errors, 400)
    if name == batch_assign.ASSIGN:
        try:
            assign_plan = batch_assign.plan(user, subjects, not_found)
        except batch_assign.NotOneRound as exc:
            return render_list(kind, [("batch-action", str(exc))], 400)
        per_bid = str(assign_plan.round.assessors_per_bid)
        return _render_batch_assign(assign_plan, BatchAssignForm(formdata=None, per_bid=per_bid), "choose")
    if name == batch_officer.NAME_OFFICER:
        return _render_batch_officer(batch_officer.plan(kind, user, subjects, not_found))
    if name == batch_email.EMAIL:
        form = BatchEmailForm(formdata=None, batch=batch.new_batch_id())
        return _render_batch_email(kind, subjects, not_found, form, "write")
    plan = batch.plan(kind, user, name, subjects, not_found=not_found)
    return _render_batch_confirm(plan, BatchForm(formdata=None, batch=batch.new_batch_id()))


@bp.route("/<kind>/batch/apply", methods=["POST"])
@staff(*STAFF)
def batch_apply(kind: str) -> ResponseReturnValue:
    """Apply the confirmed action to each case, one at a time, and say what happened to every one."""
    user = signed_in_user()
    action = batch.action(kind, request.form.get("action", ""))  # an unknown transition is not found
    seen, junk = batch.parse_seen(request.form.getlist("case"))
    form = BatchForm()
    valid = form.validate_on_submit()
    if len(seen) + junk > batch.MAX_BATCH:  # more than a confirmation page ever carries
        abort(400)
    if action.reason_required and not (form.reason.data or "").replace("\x00", "").strip():
        form.reason.errors = [*form.reason.errors, f"Enter a reason to '{action.label.lower()}'"]
        valid = False
    if not valid:
        subjects = batch.selected(kind, user, list(seen)[: batch.MAX_BATCH])
        plan = batch.plan(kind, user, action.name, subjects, not_found=junk + len(seen) - len(subjects))
        for row in plan.rows:  # the versions first confirmed still count: a case changed since is skipped
            row.version_id = seen.get(row.id, row.version_id)
        return _render_batch_confirm(plan, form, 400)
    outcome = batch.apply(kind, user, action.name, seen, form.reason.data, batch.batch_id_or_new(form.batch.data))
    outcome.skipped[:0] = [batch.Skipped(None, None, "not found, or not a case you may change")] * junk
    return render_template(
        "cases/batch_done.html",
        outcome=outcome,
        label=services.kind_label(kind, plural=True),
    )


def _render_batch_email(
    kind: str,
    subjects: list[Any],
    not_found: int,
    form: BatchEmailForm,
    step: str,
    status: int = 200,
    **more: Any,
) -> ResponseReturnValue:
    """The batch email's page: writing it (with "Start from a template") or checking it (with "Save as a
    template"); `more`: `started_from` (a template's name) or `saved_as` (the template just saved)."""
    rows = batch_email.recipients(subjects)
    first = next((s for s, row in zip(subjects, rows, strict=True) if row.people), None)
    values = batch_email.values_for(first) if first is not None and step == "check" else {}
    programmes = batch_templates.programmes_of(signed_in_user(), subjects)
    form.template.choices = [("", "Choose a template")] + [
        (offer.value, offer.label) for offer in batch_templates.offers(programmes)
    ]
    form.template_programme.choices = [("", "Choose a programme")] + [(str(p.id), p.name) for p in programmes]
    return render_template(
        "cases/batch_email.html",
        kind=kind,
        label=services.kind_label(kind, plural=True),
        rows=rows,
        not_found=not_found,
        form=form,
        step=step,
        placeholders=batch_email.PLACEHOLDERS,
        preview=(batch_email.fill(form.subject.data or "", values), batch_email.fill(form.body.data or "", values)),
        preview_reference=first.reference if first is not None else None,
        programmes=programmes,
        **more,
    ), status


@bp.route("/<kind>/batch/email", methods=["POST"])
@staff(*STAFF)
def batch_email_send(kind: str) -> ResponseReturnValue:
    """Write the email (step "write"), check it on a preview ("check"), then send it to each case's people
    ("send"); on the way, start from a template ("template") or save the checked email as one ("save")."""
    user = signed_in_user()
    if not batch_email.may_email(user):
        raise NotFound(f"{kind} batch email")
    ids, junk = batch.parse_ids(request.form.getlist("case"))
    if len(ids) + junk > batch.MAX_BATCH:  # more than the batch page ever carries
        abort(400)
    step = request.form.get("step", "write")
    if step == "template":
        return _start_from_template(kind, ids, junk)
    form = BatchEmailForm()
    valid = form.validate_on_submit()
    for field in (form.subject, form.body):
        problem = batch_email.problem(field.data or "")
        if problem:
            field.errors = [*field.errors, problem]
            valid = False
    subjects = batch.selected(kind, user, ids)
    not_found = junk + len(ids) - len(subjects)
    if valid and step == "send":
        batch_id = batch.batch_id_or_new(form.batch.data)
        sent = batch_email.send(kind, user, ids, form.subject.data or "", form.body.data or "", batch_id)
        sent.skipped[:0] = [batch.Skipped(None, None, "not found, or not a case you may email about")] * junk
        return render_template("cases/batch_emailed.html", sent=sent, kind=kind, label=services.kind_label(kind, True))
    if valid and step == "save":
        return _save_as_template(kind, subjects, not_found, form)
    shown = "check" if valid and step == "check" else "write"
    return _render_batch_email(kind, subjects, not_found, form, shown, 200 if valid else 400)


def _start_from_template(kind: str, ids: list[int], junk: int) -> ResponseReturnValue:
    """The write page again, its subject and message those of the chosen template (the selection kept)."""
    user = signed_in_user()
    subjects = batch.selected(kind, user, ids)
    form = BatchEmailForm(formdata=None, batch=batch.batch_id_or_new(request.form.get("batch")))
    chosen = request.form.get("template", "")
    form.template.data = chosen
    try:
        name, form.subject.data, form.body.data = batch_templates.chosen(user, chosen, subjects)
    except FieldErrors as exc:
        show_errors(form, exc.errors)
        return _render_batch_email(kind, subjects, junk + len(ids) - len(subjects), form, "write", 400)
    return _render_batch_email(kind, subjects, junk + len(ids) - len(subjects), form, "write", started_from=name)


def _save_as_template(kind: str, subjects: list[Any], not_found: int, form: BatchEmailForm) -> ResponseReturnValue:
    """Save the checked email as a template of one of the selection's programmes, then show the check page
    again (with Send); a wrong name or programme is shown there, a subject or message it refuses on the write
    page, where they are typed."""
    user = signed_in_user()
    try:
        saved = batch_templates.create(
            user, whole_number(form.template_programme.data or ""), form.template_name.data,
            form.subject.data, form.body.data,
        )  # fmt: skip
    except FieldErrors as exc:
        typed = {field: message for field, message in exc.errors.items() if field in ("subject", "body")}
        if typed:
            show_errors(form, typed)
            return _render_batch_email(kind, subjects, not_found, form, "write", 400)
        names = {"name": "template_name", "programme": "template_programme"}
        show_errors(form, {names[field]: message for field, message in exc.errors.items()})
        return _render_batch_email(kind, subjects, not_found, form, "check", 400)
    form.template_name.data = ""
    return _render_batch_email(
        kind, subjects, not_found, form, "check", saved_as=batch_templates.name_of(saved), saved_for=saved.programme_id
    )


def _render_batch_officer(
    plan: batch_officer.Plan, problem: str | None = None, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "cases/batch_officer.html",
        plan=plan,
        problem=problem,
        chosen=request.form.get("officer", "") if problem else "",
        label=services.kind_label(plan.kind, plural=True),
    ), status


@bp.route("/<kind>/batch/officer", methods=["POST"])
@staff(*STAFF)
def batch_name_officer(kind: str) -> ResponseReturnValue:
    """Name the chosen officer on each selected case (each checked and audited on its own)."""
    user = signed_in_user()
    if not batch_officer.may_name(user):
        raise NotFound(f"{kind} batch officer")
    shown, junk = batch_officer.parse_shown(request.form.getlist("case"))
    if not shown or len(shown) + junk > batch.MAX_BATCH:
        abort(400)  # more, or other, than the batch page ever carries
    if not BatchForm().validate_on_submit():  # the CSRF token
        abort(400)
    plan = batch_officer.plan(kind, user, batch.selected(kind, user, list(shown)), junk)
    chosen = request.form.get("officer", "")
    choices = dict(plan.choices)
    wanted = officers.read_choice(chosen)
    if chosen == "" or wanted == "bad" or (isinstance(wanted, int) and wanted not in choices):
        return _render_batch_officer(plan, "Choose an officer from the list, or nobody", 400)
    outcome = batch_officer.apply(kind, user, chosen, shown, choices)
    outcome.skipped[:0] = [batch.Skipped(None, None, "not found, or not a case you may change")] * junk
    return render_template(
        "cases/batch_officer_done.html", outcome=outcome, kind=kind, label=services.kind_label(kind, True)
    )


def _render_batch_assign(
    plan: batch_assign.AssignPlan, form: BatchAssignForm, step: str, status: int = 200, chosen: Any = None
) -> ResponseReturnValue:
    form.assessors.choices = [
        (a.id, f"{a.name} ({a.email}): {a.load} {'bid' if a.load == 1 else 'bids'} in this round now")
        for a in plan.pool
    ]
    return render_template(
        "cases/batch_assign.html",
        plan=plan,
        form=form,
        step=step,
        chosen=chosen or [],
        label=services.kind_label("application", True),
    ), status


@bp.route("/<kind>/batch/assign", methods=["POST"])
@staff(*STAFF)
def batch_assign_bids(kind: str) -> ResponseReturnValue:
    """Choose the assessors ("choose"), check what will happen ("check"), then assign ("assign")."""
    user = signed_in_user()
    if not batch_assign.may_assign(user, kind):
        raise NotFound(f"{kind} batch assignment")
    ids, junk = batch.parse_ids(request.form.getlist("case"))
    subjects = batch.selected(kind, user, ids[: batch.MAX_BATCH])
    if not subjects or len(ids) + junk > batch.MAX_BATCH:
        abort(400)  # more, or other, than the batch page ever carries
    try:
        plan = batch_assign.plan(user, subjects, junk + len(ids) - len(subjects))
    except batch_assign.NotOneRound:
        abort(400)
    form = BatchAssignForm()
    step = request.form.get("step", "choose")
    assessor_ids, per_bid = list(form.assessors.data or []), whole_number(form.per_bid.data or "")
    try:
        if not form.validate_on_submit():
            return _render_batch_assign(plan, form, "choose", 400)
        chosen = batch_assign.check(plan, assessor_ids, per_bid)
        if step != "assign":
            return _render_batch_assign(plan, form, "check", chosen=chosen)
        result = batch_assign.assign(user, plan, assessor_ids, per_bid)
    except FieldErrors as exc:
        show_errors(form, exc.errors)
        return _render_batch_assign(plan, form, "choose", 400)
    return render_template("cases/batch_assigned.html", plan=plan, result=result, label=services.kind_label(kind, True))
