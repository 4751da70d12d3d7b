"""Admin forms: granting staff roles."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import FileField, SubmitField

from grants.form_fields import email, email_input, programme_select, role_select, select
from grants.models.people import STAFF_ROLES


class GrantRoleForm(FlaskForm):
    email = email_input(
        "Email address of the person",
        description="They must already have a grantflow account",
        validators=email("Enter the email address of the person"),
    )
    role = role_select(STAFF_ROLES)
    programme = programme_select()
    submit = SubmitField("Grant role", widget=GovSubmitInput())


class RevokeRoleForm(FlaskForm):
    submit = SubmitField("Remove", widget=GovSubmitInput())


class LoadQuestionSetForm(FlaskForm):
    file = FileField(
        "Question set file (TOML)",
        widget=GovFileInput(),
        description="A new form, or a new version of one: give it a name and a version number in the file",
    )
    round = select("Use it for this round (optional)")
    submit = SubmitField("Load question set", widget=GovSubmitInput())
