"""Watching the service: a log line and metrics for every request, /metrics for Prometheus, /readyz.

init_app(app) wires the request hooks below; the blueprint in views.py serves /metrics and /readyz;
metrics.py holds the Prometheus metrics; services.py reads what they report from the database and Redis.

Each request's log line (structlog; JSON, or a readable console line for `make run`: LOG_FORMAT)
carries the request id (a sane incoming X-Request-ID, else a new one, echoed in the response), the
signed-in user's id, the route as its URL rule, the method, the status, the time taken and the SQL
statements run. It never carries the path, the query string, a form, a header's value, an email
address or a token.
"""

from __future__ import annotations

import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

import structlog
from flask import Flask, Response, current_app, g, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# The statements this thread's current request has run: one counter per request (None outside one).
_statements: ContextVar[list[int] | None] = ContextVar("request_statements", default=None)


@event.listens_for(Engine, "before_cursor_execute")
def _count_statement(*_args: Any) -> None:
    counter = _statements.get()
    if counter is not None:
        counter[0] += 1


def init_app(app: Flask) -> None:
    from grants.observability import metrics  # here: it imports grants.extensions, so grants must finish first

    metrics.init_app(app)
    app.extensions["request_log"] = _processors(app.config.get("LOG_FORMAT", "json"))
    # First of the before_request functions, so a request an earlier one refuses is still timed and logged.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.teardown_request(_stop_counting)


def _processors(log_format: str) -> list[Any]:
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(), sort_keys=False)
        if log_format == "console"
        else structlog.processors.JSONRenderer()
    )
    return [structlog.processors.add_log_level, structlog.processors.TimeStamper(fmt="iso", utc=True), renderer]


def _log(**fields: Any) -> None:
    # structlog's own PrintLogger onto the stderr of the moment: not a stdlib logger, which a migration
    # run in the same process (alembic's fileConfig) would switch off, and which a capture can replace.
    logger = structlog.wrap_logger(structlog.PrintLogger(sys.stderr), processors=current_app.extensions["request_log"])
    logger.info("request", **fields)


def request_id() -> str:
    """This request's id: the caller's X-Request-ID when it is a plain token, else a new one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _start() -> None:
    g.request_id = request_id()
    g.request_started = time.perf_counter()
    g.request_statements = [0]
    _statements.set(g.request_statements)


def _finish(response: Response) -> Response:
    if "request_started" not in g:  # a request no before_request saw (a routing redirect): start now
        _start()
    seconds = time.perf_counter() - g.request_started
    statements = g.request_statements[0]
    route = request.url_rule.rule if request.url_rule is not None else None
    method = request.method if request.method in METHODS else "OTHER"  # any token is a method to werkzeug
    response.headers[REQUEST_ID_HEADER] = g.request_id
    current_app.extensions["request_metrics"].observe(route, method, response.status_code, seconds)
    _log(
        method=method,
        route=route,
        status=response.status_code,
        duration_ms=round(seconds * 1000, 1),
        statements=statements,
        user_id=_user_id(),
        request_id=g.request_id,
    )
    return response


def _user_id() -> int | None:
    # The user Flask-Login already loaded for this request, if any: asking current_user here would load
    # one (another statement) for a page that never needed it.
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "id", None)


def _stop_counting(_error: BaseException | None) -> None:
    _statements.set(None)
