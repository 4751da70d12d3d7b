"""Admin > Monitoring plans: the programmes' plans in words, their versions, and editing one as TOML
(grants.monitoring.plan_admin does the work)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.monitoring import plan_admin
from grants.monitoring.plan_forms import PlanForm
from grants.monitoring.plans import PlanProblems

bp = Blueprint("monitoring_plans", __name__, url_prefix="/admin/monitoring-plans")


@bp.route("/")
@staff("admin")
def index() -> ResponseReturnValue:
    return render_template("monitoring/plans/index.html", rows=plan_admin.plans(signed_in_user()))


@bp.route("/<code>")
@staff("admin")
def show(code: str) -> ResponseReturnValue:
    return render_template("monitoring/plans/show.html", now=plan_admin.plan_for(signed_in_user(), code))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@staff("admin")
def edit(code: str) -> ResponseReturnValue:
    user = signed_in_user()
    now = plan_admin.plan_for(user, code)
    form = PlanForm(
        data={"plan": now.source, "expected_version": str(now.version)} if request.method == "GET" else None
    )
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            version = plan_admin.save_plan(user, code, form.plan.data or "", form.expected_version.data)
        except plan_admin.EditConflict:
            # Keep what they typed; show what is saved now. Saving again replaces it, knowingly.
            now = plan_admin.plan_for(user, code)
            form.expected_version.data = str(now.version)
            return render_template("monitoring/plans/edit.html", form=form, now=now, conflict=True, problems=[]), 409
        except PlanProblems as exc:
            problems = exc.problems
        else:
            if version is None:
                flash("You did not change anything: the plan is as it was.")
            else:
                flash(f"{now.programme.code}: saved the monitoring plan as version {version}.")
            return redirect(url_for("monitoring_plans.show", code=now.programme.code))
    return render_template("monitoring/plans/edit.html", form=form, now=now, conflict=False, problems=problems)
