"""Pages of the opendata area (thin: each view calls a service). Public: this is published data."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, send_file, stream_with_context
from flask.typing import ResponseReturnValue

from grants.auth.permissions import public
from grants.extensions import limiter
from grants.open_data import published, services
from grants.streaming import guarded

bp = Blueprint("open_data", __name__, url_prefix="/open-data")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each download reads every published grant of a programme: enough for people and harvesters,
# not enough to keep the workers busy.
DOWNLOAD_LIMIT = "30 per minute"


@bp.route("/")
@public
def index() -> ResponseReturnValue:
    return render_template(
        "open_data/index.html",
        **services.template_context(),
        made_files=published.made_files(),
        background_rows=published.threshold(),
    )


@bp.route("/<code>.json")
@public
@limiter.limit(DOWNLOAD_LIMIT)
def grants_json(code: str) -> ResponseReturnValue:
    if published.made_by_worker(code):
        return _published_file(code, "json", "application/json", {"Access-Control-Allow-Origin": "*"})
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
    if published.made_by_worker(code):
        return _published_file(code, "xlsx", XLSX, {})
    try:
        handle = services.xlsx_download(code)
    except services.NotPublished:
        abort(404)
    return send_file(
        handle, mimetype=XLSX, as_attachment=True, download_name=services.download_filename(code, "xlsx"), max_age=0
    )


def _published_file(code: str, output_format: str, mimetype: str, headers: dict[str, str]) -> ResponseReturnValue:
    """A big programme's file: the last complete one the worker made, or a page saying it is being prepared."""
    try:
        served = published.open_file(code, output_format)
    except services.NotPublished:
        abort(404)
    except published.Preparing:
        page = render_template("open_data/preparing.html", code=code, retry_after=published.RETRY_AFTER_SECONDS)
        return page, 503, {"Retry-After": str(published.RETRY_AFTER_SECONDS)}
    response = send_file(
        served.handle,
        mimetype=mimetype,
        as_attachment=True,
        download_name=services.download_filename(code, output_format),
        max_age=0,
        last_modified=served.made_at,
    )
    response.headers.update(headers)
    return response
