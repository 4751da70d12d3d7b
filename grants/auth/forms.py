"""Sign-in, registration and password forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

MIN_PASSWORD = 12


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address")],
    )
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[InputRequired(message="Enter your password")]
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


def _new_password(label: str = "Password") -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description=f"Must be at least {MIN_PASSWORD} characters long",
        validators=[
            InputRequired(message="Enter a password"),
            Length(min=MIN_PASSWORD, message=f"Password must be {MIN_PASSWORD} characters or more"),
            Length(max=200, message="Password must be 200 characters or fewer"),
        ],
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Confirm password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter the password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )


class RegisterForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        description="We will use this to send you updates about your applications",
        validators=[
            InputRequired(message="Enter your email address"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
    )
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
    )
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password = _new_password("New password")
    confirm = _confirm()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    submit = SubmitField("Sign out", widget=GovSubmitInput())
