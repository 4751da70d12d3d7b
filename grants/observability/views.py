"""/metrics for Prometheus (behind a bearer token) and /readyz for the load balancer or orchestrator."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from prometheus_client import CONTENT_TYPE_LATEST

from grants.auth.permissions import public
from grants.observability import metrics, services

bp = Blueprint("observability", __name__)
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "::1"})


@bp.route("/metrics")
@public  # to people: no; the view itself admits only the bearer of METRICS_TOKEN (404 to anyone else)
def metrics_text() -> ResponseReturnValue:
    if not _may_scrape():
        abort(404)
    return Response(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)


@bp.route("/readyz")
@public
def readyz() -> ResponseReturnValue:
    """200 when every part the service needs answers; 503 naming the failing checks otherwise."""
    ready = services.readiness(current_app.config)
    body = {"status": "ok" if ready.ready else "error", "checks": ready.checks, "failing": ready.failing}
    return jsonify(body), 200 if ready.ready else 503


def _may_scrape() -> bool:
    token: str = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    return bool(current_app.config.get("METRICS_LOCAL_WITHOUT_TOKEN")) and request.remote_addr in LOCAL_ADDRESSES
