"""grantflow: the grant and commissioning management system.

create_app(config=None) builds the Flask application: extensions, blueprints,
CLI, security headers and error pages.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

from config import ROOT, BaseConfig, check_unnamed, config_for, data_encryption_keys
from grants.errors import NotFound

STATIC = Path(__file__).resolve().parent / "static"


def create_app(config: type[BaseConfig] | str | None = None, **overrides: Any) -> Flask:
    config_class = config if isinstance(config, type) else config_for(config)
    config_class.check()
    app = Flask(
        __name__,
        static_folder=str(STATIC),
        static_url_path="/assets",
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config_class)
    app.config["SECRET_KEY"] = config_class.secret_key(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = config_class.database_url()
    app.config["DATA_ENCRYPTION_KEYS"] = data_encryption_keys()  # check() has refused any that cannot seal
    app.config.update(overrides)
    if config is None:
        check_unnamed(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )

    _init_observability(app)  # first: it times and logs every request, even one refused later
    _init_security(app)  # first: its before_request resets per-request state
    _init_extensions(app)
    _register_blueprints(app)
    _init_templates(app)
    _init_errors(app)

    from grants.cli import register_cli  # in the factory: every area imports grants, which is this module

    register_cli(app)
    return app


def _init_observability(app: Flask) -> None:
    from grants import observability  # here: it imports grants.extensions, so grants must finish first

    observability.init_app(app)


def _init_extensions(app: Flask) -> None:
    # Imported here, not at the top: these modules import grants.extensions, so grants must finish first.
    from govuk_frontend_wtf.main import WTFormsHelpers

    from grants import areas, workflow
    from grants.database import init_database
    from grants.extensions import csrf, db, limiter, login_manager, migrate

    init_database(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    WTFormsHelpers(app)
    workflow.init_app(app, areas.case_types(), areas.SHARED_EFFECTS)
    app.extensions["work_queues"] = areas.work_queues()
    from grants.jobs import queue, settings
    from grants.jobs.services import run as run_job

    settings.apply_defaults(app.config, app.instance_path)
    queue.init_app(app, run_job)  # the background jobs' queue (Huey): grants.jobs


def _register_blueprints(app: Flask) -> None:
    # Imported here, not at the top: every area imports grants (this module) for its extensions.
    from grants.admin.views import bp as admin_bp
    from grants.api.views import bp as api_bp
    from grants.applications.views import bp as applications_bp
    from grants.apply.views import bp as apply_bp
    from grants.assessment.deadline_views import bp as assessment_deadlines_bp
    from grants.assessment.views import bp as assessment_bp
    from grants.assessors.views import bp as assessors_bp
    from grants.auth.permissions import init_permissions
    from grants.auth.views import bp as auth_bp
    from grants.awards.views import bp as awards_bp
    from grants.cases.views import bp as cases_bp
    from grants.commissioning.views import blueprints as commissioning_blueprints
    from grants.correspondence.views import bp as correspondence_bp
    from grants.decisions.views import bp as decisions_bp
    from grants.email_templates.views import bp as email_templates_bp
    from grants.finance_export.views import bp as finance_export_bp
    from grants.jobs.views import bp as jobs_bp
    from grants.monitoring.plan_views import bp as monitoring_plans_bp
    from grants.monitoring.return_form_views import bp as return_forms_bp
    from grants.monitoring.views import bp as monitoring_bp
    from grants.observability.views import bp as observability_bp
    from grants.open_data.views import bp as open_data_bp
    from grants.organisations.views import bp as organisations_bp
    from grants.payments.views import bp as payments_bp
    from grants.public.views import bp as public_bp
    from grants.reports.views import bp as reports_bp
    from grants.returns.views import bp as returns_bp
    from grants.workspace.views import bp as workspace_bp

    people_and_cases = (public_bp, auth_bp, workspace_bp, cases_bp, correspondence_bp, admin_bp, organisations_bp,
                        email_templates_bp)  # fmt: skip
    apply_and_assess = (apply_bp, applications_bp, assessment_bp, assessment_deadlines_bp, assessors_bp, decisions_bp)
    award_and_pay = (awards_bp, payments_bp, finance_export_bp, open_data_bp, reports_bp, api_bp)
    monitor = (monitoring_bp, monitoring_plans_bp, return_forms_bp, returns_bp)
    commission = tuple(commissioning_blueprints())
    for blueprint in people_and_cases + apply_and_assess + award_and_pay + monitor + commission:
        app.register_blueprint(blueprint)
    app.register_blueprint(observability_bp)  # /metrics and /readyz
    app.register_blueprint(jobs_bp)  # background jobs' pages: "Your files"
    init_permissions(app)


DATABASE_INTEGER = 2**31 - 1
PER_REQUEST = ("_login_user", "user_session_id", "second_factor_done", "_staff_grants", "csrf_token", "_vocabularies")


class DatabaseId(IntegerConverter):
    """An `<int:…>` in a path: ASCII digits up to the database's integer (2**31 - 1). Past it, or in
    other scripts' digits, the address names nothing: 404, never an overflow in the database."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = None) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=DATABASE_INTEGER if max is None else max)


def _init_security(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseId  # before any blueprint adds its routes

    @app.before_request
    def refuse_nul_in_path() -> None:
        # PostgreSQL text cannot hold a NUL byte and no address here has one: it names nothing.
        if "\x00" in request.path:
            abort(404)

    @app.before_request
    def fresh_request_state() -> None:
        # Per-request caches start empty even where an app context outlives a request (tests, CLI).
        for name in PER_REQUEST:
            g.pop(name, None)
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def security_headers(response: Response) -> Response:
        nonce = getattr(g, "csp_nonce", "")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint and request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _init_templates(app: Flask) -> None:
    # Imported here, not at the top: both import grants (this module) for its extensions.
    from grants import form_fields, formatting, layout, workflow_states
    from grants.auth.permissions import idle_warning, navigation, staff_search

    app.jinja_env.globals["idle_warning"] = idle_warning
    app.jinja_env.filters["money"] = formatting.money
    app.jinja_env.filters["london"] = formatting.london
    app.jinja_env.filters["london_date"] = formatting.london_date
    app.jinja_env.globals["navigation"] = navigation
    app.jinja_env.globals["staff_search"] = staff_search
    app.jinja_env.globals["shared_part"] = layout.shared_part  # base.html's header and footer, made once
    # States as data in templates: {% if award.state in states('award', 'in_delivery') %}
    app.jinja_env.globals["states"] = workflow_states.states
    app.jinja_env.globals["state_labels"] = workflow_states.state_labels
    # A date hint's example worked out when the page is shown: date_example(), date_example('later'), ...('today')
    app.jinja_env.globals["date_example"] = form_fields.date_example_of

    @app.context_processor
    def template_globals() -> dict[str, Any]:
        return {"cspNonce": getattr(g, "csp_nonce", ""), "service_name": app.config["SERVICE_NAME"]}


def _init_errors(app: Flask) -> None:
    pages = {
        400: ("Sorry, there is a problem with your request", "Check what you entered and try again."),
        403: ("You do not have permission to see this page", "If you think you should, ask an administrator."),
        404: ("Page not found", "If you typed the web address, check it is correct."),
        409: ("Someone else changed this", "Reload the page to see the current state."),
        429: (
            "Too many attempts",
            "You have tried too many times in a short period. Wait a minute, then try again.",
        ),
        500: ("Sorry, there is a problem with the service", "Try again later."),
    }

    def handler(code: int) -> Callable[[Exception], ResponseReturnValue]:
        title, body = pages[code]

        def render(error: Exception) -> ResponseReturnValue:
            detail = getattr(error, "description", None) if code in (403, 409) else None
            if code == 403 and detail and detail.startswith("You don't have the permission"):
                detail = None
            return render_template("errors/error.html", title=title, body=body, detail=detail), code

        return render

    for code in pages:
        app.register_error_handler(code, handler(code))
    app.register_error_handler(NotFound, handler(404))  # a service's "no such thing, or not yours"
