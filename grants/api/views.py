"""The JSON API's endpoints (thin: each loads its query with a schema, calls a service, dumps with a schema).

Every route but the OpenAPI document takes `Authorization: Bearer <token>`, never a session
cookie: `@api_token(roles)` lets it past the session check, and `check_token` below asks
grants.api.tokens for the token's scope. GET only, so no CSRF. Errors are JSON
{"error", "message"} (and "fields" for bad query parameters).

The YAML after `---` in each docstring (written by `_operation` from the endpoint's shape) is the
operation in the OpenAPI document (grants/api/openapi.py adds the bearer security and the 401/403
answers).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException

from grants.api import openapi, schemas, services, tokens
from grants.auth.permissions import api_token, public, rule_for

bp = Blueprint("api", __name__, url_prefix="/api/v1")

EVERY_STAFF_ROLE = ("officer", "finance", "decision_maker", "admin")
REALM = 'Bearer realm="grantflow API"'
_CODE = re.compile(schemas.CODE_PATTERN)
F = TypeVar("F", bound=Callable[..., Any])


# -- answers ----------------------------------------------------------------------------------------


def _error(status: int, error: str, message: str, **extra: Any) -> Response:
    response = jsonify(schemas.ErrorSchema().dump({"error": error, "message": message, **extra}))
    response.status_code = status
    return response


def _challenge(response: Response, error: str | None, message: str) -> Response:
    """RFC 6750: a 401 (or an insufficient-scope 403) says how to authenticate."""
    header = REALM
    if error:
        description = message.replace('"', "'")
        header += f', error="{error}", error_description="{description}"'
    response.headers["WWW-Authenticate"] = header
    return response


@bp.before_request
def check_token() -> Response | None:
    rule = rule_for(current_app, request.endpoint or "")
    if rule is None or rule.kind != "api_token":
        return None
    try:
        g.api_scope = tokens.authenticate(request.headers.get("Authorization"), rule.roles)
    except tokens.Unauthorised as exc:
        return _challenge(_error(401, exc.error or "unauthorized", str(exc)), exc.error, str(exc))
    except tokens.Forbidden as exc:
        return _challenge(_error(403, "forbidden", str(exc)), "insufficient_scope", str(exc))
    return None


@bp.errorhandler(ValidationError)
def bad_query(error: ValidationError) -> Response:
    message, problems = schemas.query_problems(error)
    return _error(400, "bad_request", message, problems=problems)


@bp.errorhandler(services.BadFilter)
def bad_filter(error: services.BadFilter) -> Response:
    return _error(400, "bad_request", str(error), problems={error.field: [str(error)]})


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    code = error.code or 500
    name = (error.name or "error").lower().replace(" ", "_")
    return _error(code, name, error.description or name)


def _scope() -> tokens.Scope:
    return g.api_scope  # type: ignore[no-any-return]


def _query(schema: Schema) -> dict[str, Any]:
    repeated = sorted(name for name in request.args if len(request.args.getlist(name)) > 1)
    if repeated:
        raise ValidationError({name: ["must be given once"] for name in repeated})
    return schema.load(request.args.to_dict())  # type: ignore[no-any-return]


def _link(page: int, per_page: int) -> str:
    args: dict[str, Any] = {**request.args.to_dict(), "page": page, "per_page": per_page}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)


def _page(page: Any, schema: Schema) -> Response:
    last = max(1, math.ceil(page.total / page.per_page))
    body = {
        "items": page.items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "next": _link(page.page + 1, page.per_page) if page.page < last else None,
        "prev": _link(min(page.page - 1, last), page.per_page) if page.page > 1 else None,
    }
    return jsonify(schema.dump(body))


def _one(found: Any, schema: Schema, kind: str, key: str) -> Response:
    if found is None:
        return _error(404, "not_found", f"There is no {kind} {key!r} that this token can see.")
    return jsonify(schema.dump(found))


def _well_formed(key: str) -> bool:
    return _CODE.match(key) is not None


# -- endpoints -------------------------------------------------------------------------------------
# Each list and each lookup has one shape; its docstring's OpenAPI operation is written from that shape.

LIST_OPERATION = """
---
get:
  tags: [{tag}]
  operationId: {operation}
  parameters:
  - in: query
    schema: {query}
  responses:
    200:
      description: A page of {noun}
      content:
        application/json:
          schema: {page}
    400: BadRequest
"""

ONE_OPERATION = """
---
get:
  tags: [{tag}]
  operationId: {operation}
  parameters:
  - in: path
    name: {key}
    required: true
    description: {key_description}
    schema: {{type: string}}
  responses:
    200:
      description: The {noun}
      content:
        application/json:
          schema: {schema}
    404: NotFound
"""


def _operation(template: str, **fields: str) -> Callable[[F], F]:
    """Adds the view's OpenAPI operation (from `template`) after the first line of its docstring."""

    def decorate(view: F) -> F:
        view.__doc__ = (view.__doc__ or "").strip() + template.format(**fields)
        return view

    return decorate


def _list(list_items: Callable[..., Any], query: Schema, schema: Schema) -> Response:
    """A list endpoint's answer: the query loaded, the service asked within the token's scope, one page."""
    return _page(list_items(_scope(), **_query(query)), schema)


def _get(get_item: Callable[[tokens.Scope, str], Any], schema: Schema, kind: str, key: str) -> Response:
    """A lookup's answer: the item the token may see with that code or reference, or a 404."""
    return _one(get_item(_scope(), key) if _well_formed(key) else None, schema, kind, key)


@bp.get("/rounds")
@api_token(*EVERY_STAFF_ROLE)
@_operation(
    LIST_OPERATION, tag="Rounds", operation="listRounds", query="RoundQuery", noun="rounds", page="RoundPageSchema"
)
def rounds() -> Response:
    """Funding rounds of the programmes the token may see, by code."""
    return _list(services.list_rounds, schemas.RoundQuery(), schemas.RoundPageSchema())


@bp.get("/rounds/<code>")
@api_token(*EVERY_STAFF_ROLE)
@_operation(
    ONE_OPERATION,
    tag="Rounds",
    operation="getRound",
    key="code",
    key_description="The round's code, e.g. MSCF-R3",
    noun="round",
    schema="RoundSchema",
)
def round_(code: str) -> Response:
    """One funding round."""
    return _get(services.get_round, schemas.RoundSchema(), "round", code)


@bp.get("/applications")
@api_token("officer", "decision_maker", "admin")
@_operation(
    LIST_OPERATION,
    tag="Applications",
    operation="listApplications",
    query="ApplicationQuery",
    noun="applications",
    page="ApplicationPageSchema",
)
def applications() -> Response:
    """Submitted applications the token may see, by reference (drafts are never listed)."""
    return _list(services.list_applications, schemas.ApplicationQuery(), schemas.ApplicationPageSchema())


@bp.get("/applications/<reference>")
@api_token("officer", "decision_maker", "admin")
@_operation(
    ONE_OPERATION,
    tag="Applications",
    operation="getApplication",
    key="reference",
    key_description="The application's reference, e.g. MSCF-R3-0042",
    noun="application",
    schema="ApplicationSchema",
)
def application(reference: str) -> Response:
    """One application."""
    return _get(services.get_application, schemas.ApplicationSchema(), "application", reference)


@bp.get("/awards")
@api_token(*EVERY_STAFF_ROLE)
@_operation(
    LIST_OPERATION, tag="Awards", operation="listAwards", query="AwardQuery", noun="awards", page="AwardPageSchema"
)
def awards() -> Response:
    """Awards the token may see, by reference."""
    return _list(services.list_awards, schemas.AwardQuery(), schemas.AwardPageSchema())


@bp.get("/awards/<reference>")
@api_token(*EVERY_STAFF_ROLE)
@_operation(
    ONE_OPERATION,
    tag="Awards",
    operation="getAward",
    key="reference",
    key_description="The award's reference",
    noun="award",
    schema="AwardSchema",
)
def award(reference: str) -> Response:
    """One award."""
    return _get(services.get_award, schemas.AwardSchema(), "award", reference)


@bp.get("/payments")
@api_token("officer", "finance", "admin")
@_operation(
    LIST_OPERATION,
    tag="Payments",
    operation="listPayments",
    query="PaymentQuery",
    noun="payments",
    page="PaymentPageSchema",
)
def payments() -> Response:
    """Payment instalments the token may see, by due date."""
    return _list(services.list_payments, schemas.PaymentQuery(), schemas.PaymentPageSchema())


@bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    """The OpenAPI 3 document of this API (public: it describes, it holds no data)."""
    return jsonify(openapi.document())


@bp.get("/", defaults={"path": ""})
@bp.get("/<path:path>")
@public
def unknown(path: str) -> Response:
    """Anything else under /api/v1 answers in JSON too."""
    return _error(404, "not_found", "There is no such API endpoint; see /api/v1/openapi.json.")
