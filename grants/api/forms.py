"""The admin's form for issuing an API token (shown on Admin > API tokens)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from grants.api.tokens import DEFAULT_DAYS, EXPIRY_DAYS, TOKEN_ROLES
from grants.models.people import ROLE_LABELS


class IssueTokenForm(FlaskForm):
    user = SelectField(
        "Person",
        widget=GovSelect(),
        description="Staff with an officer, finance, decision maker or administrator role",
        validators=[InputRequired(message="Choose the person the token acts for")],
    )
    name = StringField(
        "Name of the token",
        widget=GovTextInput(),
        description="What it is for, for example 'Finance system nightly import'",
        validators=[
            InputRequired(message="Enter a name for the token"),
            Length(max=100, message="The name must be 100 characters or fewer"),
        ],
    )
    role = SelectField(
        "Role",
        widget=GovSelect(),
        description="The token sees what this role sees, and stops working if the person loses the role",
        choices=[("", "Choose a role")] + [(r, ROLE_LABELS[r]) for r in TOKEN_ROLES],
        validators=[InputRequired(message="Choose a role")],
    )
    programme = SelectField(
        "Programme",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose a programme, or every programme")],
    )
    days = RadioField(
        "Expires after",
        widget=GovRadioInput(),
        choices=[(str(d), f"{d} days") for d in EXPIRY_DAYS],
        default=str(DEFAULT_DAYS),
        validators=[InputRequired(message="Choose when the token expires")],
    )
    submit = SubmitField("Issue token", widget=GovSubmitInput())


class RevokeTokenForm(FlaskForm):
    submit = SubmitField("Revoke", widget=GovSubmitInput())
