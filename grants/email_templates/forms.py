"""The forms of the email wording pages. The service (grants.email_templates.services) checks every
value, so a blank, only spaces, too long, NUL bytes and unknown placeholders each get their own message."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField


class WordingForm(FlaskForm):
    subject = StringField("Subject", widget=GovTextInput())
    body = TextAreaField("Email text", widget=GovTextArea())
    version_id = HiddenField()
    recent = SelectField(
        "Preview on one of the latest cases", widget=GovSelect(), choices=[("", "Choose a case")], validate_choice=False
    )
    case = StringField(
        "Or type the reference of a case",
        widget=GovTextInput(),
        description="One of this programme's cases that you can see, for example MSCF-R4-0002",
    )
    preview = SubmitField("Preview", widget=GovSubmitInput())
    save = SubmitField("Save wording", widget=GovSubmitInput())


class ResetForm(FlaskForm):
    version_id = HiddenField()
    submit = SubmitField("Go back to the default wording", widget=GovSubmitInput())


class MessageTemplateForm(FlaskForm):
    """A programme's saved batch message: its name, subject and message (checked by grants.cases.batch_templates)."""

    name = StringField("Name", widget=GovTextInput(), description="What officers choose in “Start from a template”")
    subject = StringField("Subject", widget=GovTextInput())
    body = TextAreaField("Message", widget=GovTextArea())
    version_id = HiddenField()
    save = SubmitField("Save template", widget=GovSubmitInput())


class DeleteMessageTemplateForm(FlaskForm):
    version_id = HiddenField()
    submit = SubmitField("Delete this template", widget=GovSubmitInput())
