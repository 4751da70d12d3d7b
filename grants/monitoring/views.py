"""Pages of the monitoring area (thin: each view calls a service).

Officers: the monitoring dashboard (/monitoring), a return's review page (/monitoring/returns/<id>)
with its actions, an award's targets (/monitoring/awards/<id>/targets) and its red/amber/green
rating. Grantees: "Your grants" (/grants), each of their awards with its money, returns and reminders.
"""

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
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import signed_in, staff
from grants.correspondence import services as correspondence
from grants.form_fields import version_or_none
from grants.formatting import london_today
from grants.monitoring import dashboard, grant_facts, rating, review, targets
from grants.monitoring.forms import ActionForm, summary_of
from grants.monitoring.metrics import METRICS
from grants.streaming import guarded
from workflows import Conflict, ReasonRequired, TransitionRefused

bp = Blueprint("monitoring", __name__)

READERS = ("officer", "finance", "decision_maker", "admin")
CONFLICT = (
    "Someone else changed this return while you were looking at it. Nothing you entered has been saved: "
    "here is how it stands now; check it, then try again if it still needs doing."
)


# -- officers: one return -----------------------------------------------------------------------------
def _return(return_id: int) -> Any:
    return review.return_for_staff(return_id, signed_in_user())


def _render_return(
    subject: Any,
    *,
    errors: dict[str, str] | None = None,
    action: str | None = None,
    reason: str = "",
    conflict: bool = False,
    status: int = 200,
) -> ResponseReturnValue:
    errors = {f"{action}-reason" if key == "reason" else key: message for key, message in (errors or {}).items()}
    summary = summary_of(errors)
    if conflict:
        summary.insert(0, {"text": CONFLICT, "href": "#state"})
    return render_template(
        "monitoring/return.html",
        view=review.review_page(signed_in_user(), subject),
        reasons=review.ACTIONS,
        form=ActionForm(formdata=None),
        errors=errors,
        summary=summary,
        has_errors=bool(summary),
        action=action,
        reason=reason,
        conflict=conflict,
    ), status


@bp.route("/monitoring/returns/<int:return_id>")
@staff(*READERS)
def return_page(return_id: int) -> ResponseReturnValue:
    return _render_return(_return(return_id))


@bp.route(
    "/monitoring/returns/<int:return_id>/<any(accept, request_changes, record_on_behalf, waive):action>",
    methods=["POST"],
)
@staff("officer")
def return_action(return_id: int, action: str) -> ResponseReturnValue:
    subject = _return(return_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    reason = request.form.get("reason", "").replace("\x00", "")  # PostgreSQL text cannot hold a NUL
    try:
        message = review.act(signed_in_user(), subject, action, reason, version_or_none(form.version_id.data))
    except review.Invalid as exc:
        return _render_return(subject, errors=exc.errors, action=action, reason=reason, status=400)
    except Conflict:
        subject = _return(return_id)
        return _render_return(subject, action=action, reason=reason, conflict=True, status=409)
    except ReasonRequired as exc:
        return _render_return(subject, errors={"reason": exc.reasons[0]}, action=action, reason=reason, status=400)
    except TransitionRefused as exc:
        return _render_return(
            subject, errors={"actions": " ".join(exc.reasons)}, action=action, reason=reason, status=400
        )
    flash(message)
    return redirect(url_for("monitoring.return_page", return_id=subject.id))


# -- officers: an award's targets -----------------------------------------------------------------------
@bp.route("/monitoring/awards/<int:award_id>/targets", methods=["GET", "POST"])
@staff(*READERS)
def award_targets(award_id: int) -> ResponseReturnValue:
    award = rating.award_for_staff(award_id, signed_in_user())
    values = {"metric": "", "period_label": "", "baseline": "", "target": ""}
    errors: dict[str, str] = {}
    status = 200
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = {key: request.form.get(key, "") for key in values}
        try:
            targets.set_target(
                signed_in_user(), award, values["metric"], values["period_label"], values["baseline"], values["target"]
            )
        except targets.NotAllowed as exc:
            abort(403, str(exc))
        except targets.Invalid as exc:
            errors, status = exc.errors, 400
        except Conflict:
            errors, status = {"metric": "Someone else set this target at the same moment: check it below"}, 409
        else:
            flash(f"The target for {award.public_reference} has been saved.")
            return redirect(url_for("monitoring.award_targets", award_id=award.id))
    facts = grant_facts.for_award(award)
    return render_template(
        "monitoring/targets.html",
        award=award,
        facts=facts,
        periods=targets.periods_of(award),
        metrics=METRICS,
        values=values,
        errors=errors,
        summary=summary_of(errors),
        has_errors=bool(errors),
        form=ActionForm(formdata=None),
        can_set="officer" in rating.roles_on(signed_in_user(), award),
    ), status


# -- officers: an award's red/amber/green rating -----------------------------------------------------------
@bp.route("/monitoring/awards/<int:award_id>/rating", methods=["GET", "POST"])
@staff("officer")
def award_rating(award_id: int) -> ResponseReturnValue:
    award = rating.award_for_staff(award_id, signed_in_user())
    values = {"rating": award.rag_rating or "", "reason": ""}
    errors: dict[str, str] = {}
    status, conflict = 200, False
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values = {"rating": request.form.get("rating", ""), "reason": request.form.get("reason", "")}
        try:
            rating.set_rating(
                signed_in_user(), award, values["rating"], values["reason"], version_or_none(form.version_id.data)
            )
        except rating.NotAllowed as exc:
            abort(403, str(exc))
        except rating.Invalid as exc:
            errors, status = exc.errors, 400
        except Conflict:
            award = rating.award_for_staff(award_id, signed_in_user())
            status, conflict = 409, True
        else:
            flash(f"The rating of {award.public_reference} is now {rating.LABELS[award.rag_rating or '']}.")
            return redirect(request.form.get("back") or url_for("monitoring.award_rating", award_id=award.id))
    summary = summary_of(errors)
    if conflict:
        summary.insert(0, {"text": rating.CONFLICT, "href": "#current"})
    return render_template(
        "monitoring/rating.html",
        award=award,
        flags=rating.flags_for([award], london_today()).get(award.id, []),
        labels=rating.LABELS,
        values=values,
        errors=errors,
        summary=summary,
        has_errors=bool(summary),
        conflict=conflict,
        form=ActionForm(formdata=None),
    ), status


# -- officers: the dashboard ----------------------------------------------------------------------------
def _dashboard_filters() -> tuple[Any, dict[str, str]]:
    return dashboard.read_filters(request.args)


def _link(endpoint: str, **changes: Any) -> str:
    """This page's address with some query parameters changed (sorting resets that table's page)."""
    params: dict[str, Any] = request.args.to_dict()
    params.update({key: str(value) for key, value in changes.items()})
    return url_for(endpoint, **params)


def sort_link(table: str, column: str, sort: Any) -> str:
    descending = sort.column == column and not sort.descending
    return (
        _link(
            "monitoring.index",
            **{f"sort_{table}": column, f"dir_{table}": "desc" if descending else "asc", f"page_{table}": 1},
        )
        + f"#{table}"
    )


def page_link(table: str, number: int) -> str:
    return _link("monitoring.index", **{f"page_{table}": number}) + f"#{table}"


def export_link(table: str, fmt: str) -> str:
    params: dict[str, Any] = {**request.args.to_dict(), "table": table, "fmt": fmt}
    return url_for("monitoring.export", **params)


@bp.route("/monitoring")
@staff(*READERS)
def index() -> ResponseReturnValue:
    filters, errors = _dashboard_filters()
    board = dashboard.build(
        signed_in_user(), filters, request.args, london_today(), per_page=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "monitoring/dashboard.html",
        board=board,
        filters=filters,
        errors=errors,
        summary=summary_of(errors),
        has_errors=bool(errors),
        sort_link=sort_link,
        page_link=page_link,
        export_link=export_link,
    ), (400 if errors else 200)


@bp.route("/monitoring/export/<table>.<any(csv, xlsx):fmt>")
@staff(*READERS)
def export(table: str, fmt: str) -> ResponseReturnValue:
    if table not in dashboard.TABLES:
        abort(404)
    filters, _errors = _dashboard_filters()
    found = dashboard.download(signed_in_user(), filters, request.args, london_today(), table)
    if fmt == "xlsx":
        return send_file(
            found.xlsx(), mimetype=dashboard.XLSX_MIMETYPE, as_attachment=True, download_name=f"{found.name}.xlsx"
        )
    return Response(
        stream_with_context(guarded(found.csv())),
        content_type=dashboard.CONTENT_TYPES["csv"],
        headers={"Content-Disposition": f'attachment; filename="{found.name}.csv"'},
    )


# -- grantees: their grants -----------------------------------------------------------------------------
@bp.route("/grants")
@signed_in
def your_grants() -> ResponseReturnValue:
    return render_template("monitoring/your_grants.html", grants=grant_facts.grants_of(signed_in_user()))


@bp.route("/grants/<int:award_id>")
@signed_in
def your_grant(award_id: int) -> ResponseReturnValue:
    facts = grant_facts.grant_of(signed_in_user(), award_id)
    messages = correspondence.on_grant(facts.award)
    return render_template("monitoring/your_grant.html", facts=facts, grant_messages=messages)
