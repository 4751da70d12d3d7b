"""Every route declares who may use it; anything undeclared is refused.

    @public                     anyone, signed in or not
    @signed_in                  any signed-in user
    @staff("officer", "admin")  a signed-in user holding one of these roles on some
                                programme; the service then checks the programme
    @api_token("officer", ...)  a JSON API route: no session; the API blueprint checks the
                                bearer token, whose role must be one of these

The rule is checked before the view runs (deny by default), and a test walks
app.url_map to prove that every endpoint has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user

from grants.access import CASE_PAGE_ROLES, staff_roles

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    kind: str  # "public" | "signed_in" | "staff" | "api_token"
    roles: frozenset[str] = frozenset()

    def describe(self) -> str:
        if self.kind in ("staff", "api_token"):
            return self.kind.replace("_", " ") + ": " + ", ".join(sorted(self.roles))
        return self.kind


PUBLIC = Rule("public")
SIGNED_IN = Rule("signed_in")

# Endpoints Flask adds itself.
BUILT_IN_RULES = {"static": PUBLIC}


def _mark(rule: Rule) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        view.permission = rule  # type: ignore[attr-defined]
        return view

    return decorate


public = _mark(PUBLIC)
signed_in = _mark(SIGNED_IN)


def staff(*roles: str) -> Callable[[F], F]:
    return _mark(Rule("staff", frozenset(roles)))


def api_token(*roles: str) -> Callable[[F], F]:
    """A JSON API route: the blueprint's own bearer check runs instead of the session check."""
    return _mark(Rule("api_token", frozenset(roles)))


def rule_for(app: Flask, endpoint: str) -> Rule | None:
    if endpoint in BUILT_IN_RULES:
        return BUILT_IN_RULES[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, "permission", None)


def _enforce() -> Any:
    if request.endpoint is None:
        return None  # 404 or 405: Flask answers
    rule = rule_for(current_app, request.endpoint)
    if rule is None:
        current_app.logger.error("route %s has no permission rule; refused", request.endpoint)
        abort(403)
    if rule.kind in ("public", "api_token"):
        return None  # api_token: checked by the API blueprint (grants.api.views), never by the session
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    if rule.kind == "staff" and not (staff_roles(current_user) & rule.roles):
        abort(403)
    return None


def init_permissions(app: Flask) -> None:
    app.before_request(_enforce)


def navigation() -> list[dict[str, Any]]:
    """Service navigation links for the current user."""
    items: list[dict[str, Any]] = [{"text": "Funding rounds", "href": url_for("apply.rounds")}]
    if not current_user.is_authenticated:
        return items + [{"text": "Sign in", "href": url_for("auth.sign_in")}]
    items.append({"text": "Your applications", "href": url_for("apply.dashboard")})
    items.append({"text": "Your organisations", "href": url_for("organisations.index")})
    roles = staff_roles(current_user)
    if not roles:
        items.append({"text": "Your grant offers", "href": url_for("awards.my_offers")})
    if "assessor" in roles:
        items.append({"text": "Your assessments", "href": url_for("assessors.index")})
    if roles & CASE_PAGE_ROLES:
        items.append({"text": "Cases", "href": url_for("cases.index")})
        items.append({"text": "Awards", "href": url_for("awards.index")})
    if roles & {"officer", "finance", "admin"}:
        items.append({"text": "Payments", "href": url_for("payments.due")})
    if "decision_maker" in roles:
        items.append({"text": "Variations", "href": url_for("payments.variation_queue")})
    if roles & CASE_PAGE_ROLES:
        items.append({"text": "Budgets", "href": url_for("payments.budgets")})
        items.append({"text": "Reports", "href": url_for("reports.index")})
    if "admin" in roles:
        items.append({"text": "Admin", "href": url_for("admin.index")})
    items.append({"text": "Sign out", "href": url_for("auth.sign_out")})
    path = request.path
    for item in items:
        item["active"] = path.startswith(item["href"]) and item["href"] != "/"
    return items
