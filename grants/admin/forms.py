"""Admin forms: granting staff roles, loading question sets, editing reference data."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import FileField, HiddenField, StringField, SubmitField, TextAreaField

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


class SubjectAccessForm(FlaskForm):
    email = email_input("Email address of the person", validators=email("Enter the email address of the person"))
    submit = SubmitField("Download everything held about them", widget=GovSubmitInput())
