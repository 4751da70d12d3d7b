"""The admin's form for issuing an API token (shown on Admin > API tokens)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from grants.api.tokens import DEFAULT_DAYS, EXPIRY_DAYS, TOKEN_ROLES
from grants.form_fields import programme_select, radios, required, role_select, select, text_input


class IssueTokenForm(FlaskForm):
    user = select(
        "Person",
        description="Staff with an officer, finance, decision maker or administrator role",
        validators=required("Choose the person the token acts for"),
    )
    name = text_input(
        "Name of the token",
        description="What it is for, for example 'Finance system nightly import'",
        validators=required("Enter a name for the token", 100, "The name must be 100 characters or fewer"),
    )
    role = role_select(
        TOKEN_ROLES, description="The token sees what this role sees, and stops working if the person loses the role"
    )
    programme = programme_select()
    days = radios(
        "Expires after",
        choices=[(str(d), f"{d} days") for d in EXPIRY_DAYS],
        default=str(DEFAULT_DAYS),
        validators=required("Choose when the token expires"),
    )
    submit = SubmitField("Issue token", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Revoke", widget=GovSubmitInput())
