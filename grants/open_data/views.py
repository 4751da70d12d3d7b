"""Pages of the opendata area (thin: each view calls a service). Public: this is published data."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file, stream_with_context
from flask.typing import ResponseReturnValue

from grants.auth.permissions import public
from grants.extensions import limiter
from grants.open_data import services
from grants.streaming import guarded

bp = Blueprint("open_data", __name__, url_prefix="/open-data")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each download reads every published grant of a programme: enough for people and harvesters,
# not enough to keep the workers busy.
DOWNLOAD_LIMIT = "30 per minute"


@bp.route("/")
@public
def index() -> ResponseReturnValue:
    return render_template("open_data/index.html", **services.template_context())


@bp.route("/<code>.json")
@public
@limiter.limit(DOWNLOAD_LIMIT)
def grants_json(code: str) -> ResponseReturnValue:
    try:
        chunks = services.json_download(code)
    except services.NotPublished:
        abort(404)
    return Response(
        stream_with_context(guarded(chunks, incomplete="")),  # broken JSON says so itself
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{services.download_filename(code, "json")}"',
            "Access-Control-Allow-Origin": "*",
        },
    )


@bp.route("/<code>.xlsx")
@public
@limiter.limit(DOWNLOAD_LIMIT)
def grants_xlsx(code: str) -> ResponseReturnValue:
    try:
        handle = services.xlsx_download(code)
    except services.NotPublished:
        abort(404)
    return send_file(
        handle, mimetype=XLSX, as_attachment=True, download_name=services.download_filename(code, "xlsx"), max_age=0
    )
