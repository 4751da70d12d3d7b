"""Sign in, sign out, register, forgotten password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from grants.auth import current, idle, passkeys, services, sessions, two_factor
from grants.auth.forms import (
    AddPasskeyForm,
    CodeForm,
    ConfirmForm,
    EnrolForm,
    ForgotPasswordForm,
    PasskeyAnswerForm,
    RecoveryCodeForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
    SignOutForm,
)
from grants.auth.permissions import first_factor, home_for, public, signed_in
from grants.extensions import limiter, login_manager
from grants.formatting import whole_number

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


def _on_this_device(response: WerkzeugResponse, device: str) -> WerkzeugResponse:
    """Keep the browser's device cookie, so its next sign-in is not taken for a new device's; the
    staff idle limit counts from this sign-in."""
    idle.touch(session)
    response.set_cookie(
        sessions.DEVICE_COOKIE,
        device,
        max_age=sessions.DEVICE_COOKIE_DAYS * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


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
            device = sessions.start(user, request.user_agent.string, request.cookies.get(sessions.DEVICE_COOKIE))
            if two_factor.required(user):
                return _on_this_device(redirect(url_for("auth.second_factor", next=request.args.get("next"))), device)
            return _on_this_device(redirect(_safe_next(request.args.get("next"), home_for(user))), device)
        error = "Enter a correct email address and password"
        form.email.errors = [error]
    return render_template("auth/sign_in.html", form=form, error=error)


@bp.route("/sign-out", methods=["GET", "POST"])
@first_factor
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


@bp.route("/session/time-left")
@signed_in
def session_time_left() -> ResponseReturnValue:
    """Seconds before this session ends for want of activity (null: it does not end so); not activity."""
    user = current.signed_in_user()
    return jsonify(seconds_left=idle.seconds_left(session) if idle.applies(user) else None)


@bp.route("/session/keep-alive", methods=["POST"])
@signed_in
def keep_session() -> ResponseReturnValue:
    """ "Stay signed in": the request itself is the activity (grants.auth.permissions)."""
    return jsonify(seconds_left=idle.seconds_left(session))


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
            device = sessions.start(user, request.user_agent.string, request.cookies.get(sessions.DEVICE_COOKIE))
            flash("Your account has been created.")
            return _on_this_device(redirect(_safe_next(request.args.get("next"))), device)
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


# -- two-factor sign-in (grants.auth.two_factor) -------------------------------------------------------
def _code_key() -> str:
    """Wrong codes are counted per account, like wrong passwords."""
    user = current.signed_in_user() if current_user.is_authenticated else None
    return f"second-factor:{user.id if user else request.remote_addr}"


def _done_and_onwards() -> ResponseReturnValue:
    user = current.signed_in_user()
    two_factor.mark_done(user)
    return redirect(_safe_next(request.args.get("next"), home_for(user)))


@bp.route("/sign-in/two-factor")
@first_factor
def second_factor() -> ResponseReturnValue:
    """Where a sign-in goes after the password: the code, or setting up the app if there is none yet."""
    user = current.signed_in_user()
    if two_factor.done() or not two_factor.required(user):
        return redirect(_safe_next(request.args.get("next"), home_for(user)))
    page = "auth.two_factor_code" if two_factor.enrolled(user) else "auth.two_factor_setup"
    return redirect(url_for(page, next=request.args.get("next")))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@first_factor
@limiter.limit(_account_limit, key_func=_code_key, methods=["POST"], deduct_when=_failed)
def two_factor_code() -> ResponseReturnValue:
    user = current.signed_in_user()
    if not two_factor.enrolled(user):
        return redirect(url_for("auth.second_factor", next=request.args.get("next")))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            two_factor.check_code(user, form.code.data or "")
        except two_factor.WrongCode as exc:
            form.code.errors = [str(exc)]
        else:
            return _done_and_onwards()
    return _code_page(form)


def _site() -> passkeys.Site:
    return passkeys.Site.at(request.host_url)


def _code_page(form: CodeForm, passkey_error: str | None = None) -> str:
    return render_template(
        "auth/two_factor_code.html",
        form=form,
        passkey_form=PasskeyAnswerForm(formdata=None),
        passkeys_on=passkeys.has_any(current.signed_in_user()),
        passkey_error=passkey_error,
    )


@bp.route("/sign-in/passkey/options", methods=["POST"])
@first_factor
@limiter.limit(_account_limit, key_func=_code_key)
def passkey_sign_in_options() -> ResponseReturnValue:
    """The options for the browser's passkey request (JSON; the page's script asks for them)."""
    return Response(passkeys.authentication_options(current.signed_in_user(), _site()), mimetype="application/json")


@bp.route("/sign-in/passkey", methods=["POST"])
@first_factor
@limiter.limit(_account_limit, key_func=_code_key, deduct_when=_failed)
def passkey_sign_in() -> ResponseReturnValue:
    """A passkey's answer in place of the app's code."""
    user = current.signed_in_user()
    if not two_factor.enrolled(user):
        return redirect(url_for("auth.second_factor", next=request.args.get("next")))
    form = PasskeyAnswerForm()
    if form.validate_on_submit():
        try:
            passkeys.check(user, _site(), form.credential.data or "")
        except passkeys.PasskeyRefused as exc:
            return _code_page(CodeForm(formdata=None), str(exc)), 400
        return _done_and_onwards()
    return _code_page(CodeForm(formdata=None), "The passkey was not used: try again, or enter the code"), 400


@bp.route("/sign-in/recovery-code", methods=["GET", "POST"])
@first_factor
@limiter.limit(_account_limit, key_func=_code_key, methods=["POST"], deduct_when=_failed)
def recovery_code() -> ResponseReturnValue:
    user = current.signed_in_user()
    if not two_factor.enrolled(user):
        return redirect(url_for("auth.second_factor", next=request.args.get("next")))
    form = RecoveryCodeForm()
    if form.validate_on_submit():
        try:
            left = two_factor.use_recovery_code(user, form.code.data or "")
        except two_factor.WrongCode as exc:
            form.code.errors = [str(exc)]
        else:
            flash(
                f"You signed in with a recovery code. You have {left} left: "
                + ("get new ones from Two-factor sign-in." if left <= 3 else "each works once.")
            )
            return _done_and_onwards()
    return render_template("auth/recovery_code.html", form=form)


@bp.route("/account/two-factor/set-up", methods=["GET", "POST"])
@first_factor
@limiter.limit(_account_limit, key_func=_code_key, methods=["POST"], deduct_when=_failed)
def two_factor_setup() -> ResponseReturnValue:
    """Set up the authenticator app: its secret waits in the session until a code proves it works."""
    user = current.signed_in_user()
    if two_factor.enrolled(user):
        return redirect(url_for("auth.second_factor", next=request.args.get("next")))
    secret = two_factor.pending_secret(session)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enrol(user, secret, form.code.data or "")
        except two_factor.WrongCode as exc:
            form.code.errors = [str(exc)]
        else:
            session.pop(two_factor.PENDING_KEY, None)
            two_factor.mark_done(user)
            onwards = _safe_next(request.args.get("next"), home_for(user))
            return render_template("auth/recovery_codes.html", codes=codes, onwards=onwards, first=True)
    enrolment = two_factor.enrolment(user, secret)
    return render_template("auth/two_factor_setup.html", form=form, enrolment=enrolment)


@bp.route("/account/passkeys", methods=["GET", "POST"])
@signed_in
def passkeys_account() -> ResponseReturnValue:
    """Your passkeys: add one (the page's script makes it with the browser), or remove one."""
    user = current.signed_in_user()
    if not two_factor.enrolled(user):
        return redirect(url_for("auth.two_factor_account"))
    form, remove = AddPasskeyForm(), ConfirmForm()
    if request.method == "POST" and request.form.get("action") == "remove" and remove.validate_on_submit():
        removed = passkeys.remove(user, whole_number(request.form.get("passkey", "")) or 0)
        if removed is None:
            abort(404)
        flash(f"Passkey removed: {removed}")
        return redirect(url_for("auth.passkeys_account"))
    if request.method == "POST" and request.form.get("action") == "add" and form.validate_on_submit():
        try:
            added = passkeys.add(user, _site(), form.credential.data or "", form.name.data or "")
        except passkeys.PasskeyRefused as exc:
            form.name.errors = [str(exc)]
        else:
            flash(f"Passkey added: {added.name}. You can use it instead of your app's code when you sign in.")
            return redirect(url_for("auth.passkeys_account"))
    status = 400 if form.errors else 200
    return render_template("auth/passkeys.html", form=form, remove=remove, passkeys=passkeys.of(user)), status


@bp.route("/account/passkeys/options", methods=["POST"])
@signed_in
def passkey_add_options() -> ResponseReturnValue:
    """The options for the browser to make a passkey (JSON; the page's script asks for them)."""
    user = current.signed_in_user()
    if not two_factor.enrolled(user):
        abort(404)
    return Response(passkeys.registration_options(user, _site()), mimetype="application/json")


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor_account() -> ResponseReturnValue:
    """Your two-factor sign-in: whether it is on, recovery codes left, new codes; turning it off (not staff)."""
    user = current.signed_in_user()
    form = ConfirmForm()
    if form.validate_on_submit():
        action = request.form.get("action")
        if action == "new_codes" and two_factor.enrolled(user):
            codes = two_factor.new_recovery_codes(user)
            return render_template(
                "auth/recovery_codes.html", codes=codes, onwards=url_for("auth.two_factor_account"), first=False
            )
        if action == "turn_off" and two_factor.enrolled(user) and not two_factor.staff(user):
            two_factor.turn_off(user)
            flash("Two-factor sign-in is off. You sign in with your password only.")
            return redirect(url_for("auth.two_factor_account"))
    return render_template(
        "auth/two_factor_account.html",
        form=form,
        enrolled=two_factor.enrolled(user),
        staff=two_factor.staff(user),
        left=two_factor.recovery_codes_left(user) if two_factor.enrolled(user) else 0,
        passkey_count=len(passkeys.of(user)) if two_factor.enrolled(user) else 0,
    )
