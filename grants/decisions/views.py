"""The panel and the decision maker: moderation, ranking within budget, recommendations, decisions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.decisions import background, decisions, moderation, moderation_queue, ranking, recommendations, services
from grants.decisions.forms import DecisionForm, MarkForm, ModerationForm, RecommendationForm
from grants.decisions.panel_pack import panel_pack_file, panel_pack_filename
from grants.form_fields import show_errors, version_or_none
from grants.formatting import whole_number
from grants.pagination import page_number
from workflows import Conflict, ReasonRequired, TransitionRefused

bp = Blueprint("decisions", __name__, url_prefix="/panel")

OFFICERS = ("officer", "admin")
DECISION_MAKERS = ("decision_maker",)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(code: str, roles: frozenset[str]) -> Any:
    return services.round_for(code, signed_in_user(), roles)


def _application(application_id: int) -> Any:
    return services.application_for(application_id, signed_in_user(), services.OFFICER_ROLES)


# -- moderation ----------------------------------------------------------------------------------
@bp.route("/rounds/<code>/moderation")
@staff(*OFFICERS)
def moderation_board(code: str) -> ResponseReturnValue:
    round_ = _round(code, services.OFFICER_ROLES)
    flagged_only = request.args.get("flagged") == "1"
    board = moderation.board(round_, signed_in_user().id, flagged_only=flagged_only)
    return render_template("decisions/moderation.html", board=board, flagged_only=flagged_only)


@bp.route("/moderation")
@staff("officer")
def needing_moderation() -> ResponseReturnValue:
    found = moderation_queue.page_of(signed_in_user(), page_number(request.args), current_app.config["PAGE_SIZE"])
    return render_template("decisions/needing_moderation.html", page=found)


@bp.route("/applications/<int:application_id>/moderate", methods=["GET", "POST"])
@staff(*OFFICERS)
def moderate(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    current = moderation.recommendation(application.id)
    form = ModerationForm()
    if request.method == "GET":
        form.version_id.data = "" if current is None else str(current.version_id)
        if current is not None and current.moderated_score is not None:
            form.score.data = current.moderated_score
    conflict = None
    status = 200
    if form.validate_on_submit():
        try:
            moderation.moderate(
                application, signed_in_user(), form.score.data, form.reason.data, version_or_none(form.version_id.data)
            )
        except services.PanelError as exc:
            show_errors(form, exc.errors)
            status = 400
        except services.PanelConflict as exc:
            # Keep what they typed; show what is saved now. Saving again replaces it, knowingly.
            conflict = exc.current
            form.version_id.data = "" if conflict is None else str(conflict.version_id)
            status = 409
        else:
            flash(f"The moderated score for {application.reference} has been saved.")
            return redirect(
                url_for("decisions.moderation_board", code=application.round.code) + f"#bid-{application.id}"
            )
    elif request.method == "POST":
        status = 400
    board = moderation.bid_board(application)
    return render_template(
        "decisions/moderate.html", application=application, board=board, form=form, conflict=conflict
    ), status


# -- ranking and recommendations ---------------------------------------------------------------------
@bp.route("/rounds/<code>/ranking")
@staff(*OFFICERS)
def ranking_page(code: str) -> ResponseReturnValue:
    round_ = _round(code, services.OFFICER_ROLES)
    ranked = ranking.rank_round(round_, viewer_id=signed_in_user().id)
    size = current_app.config.get("RANKING_PAGE_SIZE", ranking.RANKING_PAGE_SIZE)
    bid = request.args.get("bid", "")
    if bid.isascii() and bid.isdigit() and len(bid) < 12:  # after changing a bid: the page it is on, at the bid
        number = ranking.page_of_bid(ranked, int(bid), size)
        return redirect(url_for("decisions.ranking_page", code=code, page=number) + f"#bid-{bid}")
    shown = ranking.ranking_page(ranked, page_number(request.args), size)
    return render_template("decisions/ranking.html", ranking=ranked, shown=shown, page=shown.page)


def _render_recommendation(
    application: Any,
    form: RecommendationForm,
    mark_form: MarkForm | None = None,
    *,
    conflict: Any = None,
    mark_errors: list[str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "decisions/recommendation.html",
        application=application,
        board=moderation.bid_board(application),
        form=form,
        mark_form=mark_form or MarkForm(formdata=None),
        options=recommendations.options(application, signed_in_user()),
        marks=recommendations.MARKS,
        conflict=conflict,
        mark_errors=mark_errors or [],
        has_errors=bool(mark_errors) or conflict is not None,
    ), status


@bp.route("/applications/<int:application_id>/recommendation", methods=["GET", "POST"])
@staff(*OFFICERS)
def recommendation(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    current = moderation.recommendation(application.id)
    form = RecommendationForm()
    if request.method == "GET":
        form.version_id.data = "" if current is None else str(current.version_id)
        amount = application.amount_requested_pence  # until the panel sets another amount
        if current is not None:
            if current.recommended_amount_pence is not None:
                amount = current.recommended_amount_pence
            form.amount_reason.data = current.amount_reason
            form.feedback.data = current.feedback
            form.conditions.data = current.conditions
        form.amount.data = amount
        form.amount.typed = f"{amount / 100:.2f}"
    if form.validate_on_submit():
        values = recommendations.Values(
            amount_pence=form.amount.data,
            amount_reason=form.amount_reason.data,
            feedback=form.feedback.data,
            conditions=form.conditions.data,
        )
        try:
            recommendations.save(application, signed_in_user(), values, version_or_none(form.version_id.data))
        except services.PanelError as exc:
            show_errors(form, exc.errors)
            return _render_recommendation(application, form, status=400)
        except services.PanelConflict as exc:
            form.version_id.data = "" if exc.current is None else str(exc.current.version_id)
            return _render_recommendation(application, form, conflict=exc.current, status=409)
        flash(f"The recommendation for {application.reference} has been saved.")
        return redirect(url_for("decisions.ranking_page", code=application.round.code, bid=application.id))
    if request.method == "POST":
        return _render_recommendation(application, form, status=400)
    return _render_recommendation(application, form)


@bp.route("/applications/<int:application_id>/mark", methods=["POST"])
@staff(*OFFICERS)
def mark(application_id: int) -> ResponseReturnValue:
    application = _application(application_id)
    mark_form = MarkForm()
    form = RecommendationForm(formdata=None)
    if not mark_form.validate_on_submit():
        return _render_recommendation(application, form, mark_form, mark_errors=["Try again."], status=400)
    name = mark_form.decision.data or ""
    try:
        message = recommendations.mark(
            application, signed_in_user(), name, mark_form.reason.data, version_or_none(mark_form.version_id.data)
        )
    except Conflict:
        return _render_recommendation(
            application,
            form,
            mark_form,
            mark_errors=[
                "Someone else changed this bid while you were looking at it. Check its state, then try again."
            ],
            status=409,
        )
    except ReasonRequired as exc:
        return _render_recommendation(application, form, mark_form, mark_errors=exc.reasons, status=400)
    except TransitionRefused as exc:
        return _render_recommendation(application, form, mark_form, mark_errors=exc.reasons, status=403)
    flash(message)
    return redirect(url_for("decisions.ranking_page", code=application.round.code, bid=application.id))


@bp.route("/rounds/<code>/panel-pack.xlsx")
@staff(*OFFICERS)
def panel_pack(code: str) -> ResponseReturnValue:
    round_ = _round(code, services.OFFICER_ROLES)
    if background.is_big(round_):  # too big to write while the browser waits: a worker makes it
        try:
            asked = background.start(signed_in_user(), round_)
        except background.jobs.JobLimitReached as exc:
            return render_template("jobs/limit_reached.html", problem=str(exc)), 429
        if asked.already_asked:
            flash("You have already asked for this file: it is being made.")
        return redirect(url_for("jobs.job_page", job_id=asked.job_id), code=303)
    handle = panel_pack_file(round_, signed_in_user().id)
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=panel_pack_filename(round_), max_age=0)


# -- the decision ---------------------------------------------------------------------------------
def _chosen_ids() -> list[int]:
    ids = []
    for value in request.form.getlist("application_ids"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@bp.route("/rounds/<code>/decision", methods=["GET", "POST"])
@staff(*DECISION_MAKERS)
def decision(code: str) -> ResponseReturnValue:
    round_ = _round(code, services.DECISION_ROLES)
    form = DecisionForm()
    chosen: list[int] = []
    errors: list[tuple[str, str]] = []  # (message, the id it points at)
    if request.method == "POST":
        chosen = _chosen_ids()
        action = request.form.get("action", "")
        one = request.form.get("one", "")
        if one:  # a bid's own button: "approve:12" or "reject:12"
            action, _, single = one.partition(":")
            number = whole_number(single)
            chosen = [number] if number is not None else []
        if form.validate_on_submit():
            if action not in decisions.ACTIONS:
                errors.append(("Choose whether to approve or reject", "decide-buttons"))
            elif not chosen:
                errors.append(("Select at least one bid to approve or reject", "bids"))
            elif action == "reject" and not (form.reason.data or "").strip():
                form.reason.errors = [*form.reason.errors, "Enter the reason for rejecting"]
            if not errors and not form.errors:
                outcomes = decisions.decide(
                    round_, signed_in_user(), action, chosen, reason=form.reason.data, conditions=form.conditions.data
                )
                for message in decisions.summarise(outcomes):
                    flash(message)
                if not outcomes:
                    flash("None of the bids you chose can be decided now.")
                return redirect(url_for("decisions.decision", code=round_.code))
    board = decisions.board(round_, signed_in_user())
    status = 400 if errors or form.errors else 200
    return render_template(
        "decisions/decision.html", board=board, form=form, chosen=set(chosen), errors=errors, has_errors=bool(errors)
    ), status
