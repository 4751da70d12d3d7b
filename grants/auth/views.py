"""Sign in, sign out, register, forgotten password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from grants.auth import current, services, sessions
from grants.auth.forms import ForgotPasswordForm, RegisterForm, ResetPasswordForm, SignInForm, SignOutForm
from grants.auth.permissions import home_for, public, signed_in
from grants.extensions import limiter, login_manager

bp = Blueprint("auth", __name__)


login_manager.user_loader(current.load_user)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["SIGN_IN_ACCOUNT_LIMIT"]


def _address_limit() -> str:
    return current_app.config["SIGN_IN_ADDRESS_LIMIT"]


def _account_key() -> str:
    """Failed sign-ins are counted per account: the email address as typed, normalised as stored."""
    return "sign-in:" + services.normalise_email(request.form.get("email", ""))[:320]


def _failed(response: Response) -> bool:
    """Only a failed sign-in counts against a limit: one that works redirects."""
    return response.status_code != 302


def _safe_next(target: str | None, home: str | None = None) -> str:
    """A local path to go back to after signing in; anything else goes to `home` (else the start page)."""
    if (
        target
        and target.startswith("/")
        and not any(ch.isspace() or ord(ch) < 0x20 or ch in "\\\x7f" for ch in target)
        and not urlsplit(target).netloc
        and not target.startswith("//")
    ):
        return target
    return home or url_for("public.start")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_failed)
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            sessions.start(user, request.user_agent.string)
            return redirect(_safe_next(request.args.get("next"), home_for(user)))
        error = "Enter a correct email address and password"
        form.email.errors = [error]
    return render_template("auth/sign_in.html", form=form, error=error)


@bp.route("/sign-out", methods=["GET", "POST"])
@signed_in
def sign_out() -> ResponseReturnValue:
    form = SignOutForm()
    if form.validate_on_submit():
        sessions.end_this()
        flash("You have signed out.")
        return redirect(url_for("public.start"))
    return render_template("auth/sign_out.html", form=form, others=sessions.live_count(current.signed_in_user()) - 1)


@bp.route("/sign-out/everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere() -> ResponseReturnValue:
    form = SignOutForm()
    if form.validate_on_submit():
        sessions.end_everywhere(current.signed_in_user())
        flash("You have signed out on every device.")
        return redirect(url_for("public.start"))
    return redirect(url_for("auth.sign_out"))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("public.start"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(form.name.data or "", form.email.data or "", form.password.data or "")
        except services.EmailTaken:
            form.email.errors = ["An account with this email address already exists. Sign in, or reset your password."]
        else:
            sessions.start(user, request.user_agent.string)
            flash("Your account has been created.")
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/register.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data or "")
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    try:
        services.user_for_token(token)
    except services.InvalidToken as exc:
        return render_template("auth/reset_invalid.html", message=str(exc)), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data or "")
        except services.InvalidToken as exc:
            return render_template("auth/reset_invalid.html", message=str(exc)), 400
        flash("Your password has been changed. Sign in with your new password.")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)
