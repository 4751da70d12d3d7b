"""Admin forms: granting staff roles, loading question sets, editing reference data."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import EmailField, FileField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired

from grants.models.people import ROLE_LABELS, STAFF_ROLES


class GrantRoleForm(FlaskForm):
    email = EmailField(
        "Email address of the person",
        widget=GovTextInput(),
        description="They must already have a grantflow account",
        validators=[
            InputRequired(message="Enter the email address of the person"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
    )
    role = SelectField(
        "Role",
        widget=GovSelect(),
        choices=[("", "Choose a role")] + [(r, ROLE_LABELS[r]) for r in STAFF_ROLES],
        validators=[InputRequired(message="Choose a role")],
    )
    programme = SelectField(
        "Programme",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose a programme, or every programme")],
    )
    submit = SubmitField("Grant role", widget=GovSubmitInput())


class RevokeRoleForm(FlaskForm):
    submit = SubmitField("Remove", widget=GovSubmitInput())


class LoadQuestionSetForm(FlaskForm):
    file = FileField(
        "Question set file (TOML)",
        widget=GovFileInput(),
        description="A new form, or a new version of one: give it a name and a version number in the file",
    )
    round = SelectField("Use it for this round (optional)", widget=GovSelect())
    submit = SubmitField("Load question set", widget=GovSubmitInput())


# Reference data. The service (grants.admin.reference_data) checks every value, so that blank, only
# spaces, too long, NUL bytes and duplicates each get their own message; the forms only carry them.


class ProgrammeForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput())
    agreement_terms = TextAreaField(
        "Standard grant agreement terms",
        widget=GovTextArea(),
        description="Awards prepared from now on start with these terms. Awards that exist keep the terms they have.",
    )
    version_id = HiddenField()
    terms_version = HiddenField()
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class TermLabelForm(FlaskForm):
    label = StringField("Label", widget=GovTextInput(), description="What forms, pages and reports show")
    version_id = HiddenField()
    submit = SubmitField("Save label", widget=GovSubmitInput())


class AddTermForm(FlaskForm):
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Lower-case letters, numbers and underscores, like youth_violence. It cannot be changed later.",
    )
    label = StringField("Label", widget=GovTextInput(), description="What forms, pages and reports show")
    submit = SubmitField("Add term", widget=GovSubmitInput())
