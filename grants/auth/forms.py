"""Sign-in, registration and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput
from wtforms import HiddenField, PasswordField, SubmitField
from wtforms.validators import EqualTo, Length

from grants.form_fields import NotBlank, email, email_input, required, text_input

MIN_PASSWORD = 12


class SignInForm(FlaskForm):
    email = email_input("Email address", validators=required("Enter your email address"))
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[NotBlank(message="Enter your password")]
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def _new_password(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description=f"Must be at least {MIN_PASSWORD} characters long",
        validators=[
            NotBlank(message="Enter a password"),
            Length(min=MIN_PASSWORD, message=f"Password must be {MIN_PASSWORD} characters or more"),
            Length(max=200, message="Password must be 200 characters or fewer"),
        ],
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Confirm password",
        widget=GovPasswordInput(),
        validators=[
            NotBlank(message="Enter the password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )


class RegisterForm(FlaskForm):
    name = text_input(
        "Full name", validators=required("Enter your full name", 200, "Name must be 200 characters or fewer")
    )
    email = email_input(
        "Email address",
        description="We will use this to send you updates about your applications",
        validators=email("Enter your email address"),
    )
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = email_input("Email address", validators=email("Enter your email address"))
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = _new_password("New password")
    confirm = _confirm()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())


# -- two-factor sign-in (grants.auth.two_factor checks the codes) ----------------------------------------
class CodeForm(FlaskForm):
    code = text_input(
        "Code from your authenticator app",
        description="The 6-digit code your app shows for grantflow, for example 123456",
        validators=[NotBlank(message="Enter the 6-digit code from your authenticator app")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RecoveryCodeForm(FlaskForm):
    code = text_input(
        "Recovery code",
        description="One of the recovery codes you saved when you set up two-factor sign-in, for example 4f2a9-c81d0",
        validators=[NotBlank(message="Enter one of your recovery codes")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class EnrolForm(FlaskForm):
    code = text_input(
        "Code from your authenticator app",
        description="After adding grantflow to the app, enter the 6-digit code it shows",
        validators=[NotBlank(message="Enter the 6-digit code from your authenticator app")],
    )
    submit = SubmitField("Turn on two-factor sign-in", widget=GovSubmitInput())


class PasskeyAnswerForm(FlaskForm):
    """The browser's answer from the passkey (JSON), filled in by the page's script."""

    credential = HiddenField()


class AddPasskeyForm(PasskeyAnswerForm):
    name = text_input(
        "Name for this passkey (optional)",
        description="So you can tell your passkeys apart, for example Work laptop or Phone",
    )


class ConfirmForm(FlaskForm):
    """A button whose only field is the CSRF token (new recovery codes, turning two-factor off)."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class ResetTwoFactorForm(FlaskForm):
    email = email_input("Email address of the person", validators=email("Enter the email address of the person"))
    reason = text_input(
        "Why it is being reset",
        description="For example: lost their phone. This is kept in the audit log.",
        validators=[NotBlank(message="Enter why their two-factor sign-in is being reset")],
    )
    submit = SubmitField("Reset two-factor sign-in", widget=GovSubmitInput())
