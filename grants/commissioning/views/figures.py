"""A commissioning programme's money by financial year (and, for interventions, the YEF ratings)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from grants.auth.current import signed_in_user
from grants.auth.permissions import staff
from grants.commissioning import figures

bp = Blueprint("commissioning_figures", __name__, url_prefix="/commissioning/programmes")


@bp.route("/<code>")
@staff("officer", "finance", "decision_maker", "admin")
def programme(code: str) -> ResponseReturnValue:
    found = figures.programme_figures(figures.programme_for(signed_in_user(), code))
    return render_template("commissioning/figures.html", found=found, charts=figures.charts(found))
