"""Start page, static information pages and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue

from grants.auth.permissions import public
from grants.public import services

bp = Blueprint("public", __name__)


@bp.route("/")
@public
def start() -> ResponseReturnValue:
    return render_template("public/start.html", rounds=services.open_rounds_summary())


@bp.route("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    return render_template("public/accessibility.html")


@bp.route("/privacy")
@public
def privacy() -> ResponseReturnValue:
    return render_template("public/privacy.html")


@bp.route("/healthz")
@public
def healthz() -> ResponseReturnValue:
    if services.database_ok():
        return jsonify(status="ok", database="ok")
    return jsonify(status="error", database="unreachable"), 503
