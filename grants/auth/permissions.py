"""Every route declares who may use it; anything undeclared is refused.

    @public                     anyone, signed in or not
    @first_factor               signed in with a password, the second factor perhaps not yet given:
                                the two-factor pages themselves, and signing out
    @signed_in                  any signed-in user (with their second factor, where they need one)
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
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, redirect, request, session, url_for
from flask_login import current_user

from grants.access import CASE_PAGE_ROLES, staff_roles
from grants.auth import idle, two_factor

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    kind: str  # "public" | "first_factor" | "signed_in" | "staff" | "api_token"
    roles: frozenset[str] = frozenset()

    def describe(self) -> str:
        if self.kind in ("staff", "api_token"):
            return self.kind.replace("_", " ") + ": " + ", ".join(sorted(self.roles))
        return self.kind


PUBLIC = Rule("public")
FIRST_FACTOR = Rule("first_factor")
SIGNED_IN = Rule("signed_in")

# Endpoints Flask adds itself.
BUILT_IN_RULES = {"static": PUBLIC}


def _mark(rule: Rule) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        view.permission = rule  # type: ignore[attr-defined]
        return view

    return decorate


public = _mark(PUBLIC)
first_factor = _mark(FIRST_FACTOR)
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
    if idle.timed_out(current_user, session):
        idle.end(session)
        minutes = max(1, idle.limit_seconds() // 60)
        flash(f"You were signed out because you had done nothing for {minutes} minutes. Sign in again to carry on.")
        return redirect(url_for("auth.sign_in", next=_come_back_to()))
    if request.endpoint not in idle.NOT_ACTIVITY and idle.applies(current_user):
        idle.touch(session)
    if rule.kind != "first_factor" and two_factor.required(current_user) and not two_factor.done():
        return redirect(url_for("auth.second_factor", next=request.full_path.rstrip("?")))
    if rule.kind == "staff" and not (staff_roles(current_user) & rule.roles):
        abort(403)
    return None


def _come_back_to() -> str:
    """After signing in again: the page asked for (a GET), or the page the form was on (a POST)."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return ""


def idle_warning() -> dict[str, int] | None:
    """For the page's idle timer (base.html): seconds left and when to warn; None when no limit applies."""
    if not (current_user.is_authenticated and idle.applies(current_user)):
        return None
    return {"seconds_left": idle.seconds_left(session), "warn_at": idle.warning_seconds()}


def init_permissions(app: Flask) -> None:
    app.before_request(_enforce)


def _staff_links(roles: frozenset[str] | set[str]) -> list[tuple[str, str, bool]]:
    """The staff pages of the navigation, in its order: (text, endpoint, shown to these roles)."""
    return [
        ("Your work", "workspace.home", bool(roles)),
        ("Your assessments", "assessors.index", "assessor" in roles),
        ("Cases", "cases.index", bool(roles & CASE_PAGE_ROLES)),
        ("Awards", "awards.index", bool(roles & CASE_PAGE_ROLES)),
        ("Monitoring", "monitoring.index", bool(roles & CASE_PAGE_ROLES)),
        ("Commissioning", "commissioning.index", bool(roles & CASE_PAGE_ROLES)),
        ("Payments", "payments.due", bool(roles & {"officer", "finance", "admin"})),
        ("Variations", "payments.variation_queue", "decision_maker" in roles),
        ("Budgets", "payments.budgets", bool(roles & CASE_PAGE_ROLES)),
        ("Reports", "reports.index", bool(roles & CASE_PAGE_ROLES)),
        ("Admin", "admin.index", "admin" in roles),
    ]


def home_for(user: Any) -> str:
    """Where a user starts after signing in: staff at their work (grants.workspace), a member of an
    organisation at their applications, anyone else at the start page."""
    roles = staff_roles(user)
    if roles:
        for _, endpoint, shown in _staff_links(roles):
            if shown:
                return url_for(endpoint)
    if user.memberships:
        return url_for("apply.dashboard")
    return url_for("public.start")


def staff_search() -> bool:
    """Whether the header offers search (grants.workspace.search): staff who see case pages."""
    return bool(current_user.is_authenticated and staff_roles(current_user) & CASE_PAGE_ROLES)


def navigation() -> list[dict[str, Any]]:
    """Service navigation links for the current user."""
    if not current_user.is_authenticated:
        return [
            {"text": "Funding rounds", "href": url_for("apply.rounds")},
            {"text": "Sign in", "href": url_for("auth.sign_in")},
        ]
    roles = staff_roles(current_user)
    links = [  # (text, endpoint, shown to this user)
        # Staff find rounds under Cases (the public list is linked from the start page): their menu keeps to one line.
        ("Funding rounds", "apply.rounds", not roles),
        # Staff reach their own organisation's pages from Your work, keeping the staff menu on one line.
        ("Your applications", "apply.dashboard", not roles),
        ("Your organisations", "organisations.index", not roles),
        ("Your grant offers", "awards.my_offers", not roles),
        ("Your grants", "monitoring.your_grants", not roles),
        ("Your returns", "returns.index", not roles),
        *_staff_links(roles),
        ("Sign out", "auth.sign_out", True),
    ]
    items: list[dict[str, Any]] = [
        {"text": text, "href": url_for(endpoint)} for text, endpoint, shown in links if shown
    ]
    path = request.path
    for item in items:
        item["active"] = path.startswith(item["href"]) and item["href"] != "/"
    return items
