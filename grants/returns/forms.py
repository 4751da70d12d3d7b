"""The grantee's fixed forms about a return: sending it, signing it off, sending it back."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import Length, ValidationError

from grants.apply.formbuilder import NoNullCharacters
from grants.form_fields import NotBlank, text_area, text_input


class SendReturnForm(FlaskForm):
    version_id = HiddenField()
    submit = SubmitField("Send the return", widget=GovSubmitInput())


class SignOffForm(FlaskForm):
    version_id = HiddenField()
    position = text_input(
        "Your position at the organisation",
        description="For example, chair, treasurer or chief executive",
        validators=[
            NoNullCharacters("your position"),
            NotBlank("Enter your position at the organisation, like chair or treasurer"),
            Length(max=200, message="Your position must be 200 characters or fewer"),
        ],
    )
    confirm = BooleanField(
        "I have read the return and confirm that, to the best of my knowledge, its answers are correct",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Sign off and send the return", widget=GovSubmitInput())

    def validate_confirm(self, field: Any) -> None:
        if not field.data:
            raise ValidationError("Confirm that you have read the return and that its answers are correct")


class SendBackForm(FlaskForm):
    version_id = HiddenField()
    comment = text_area(
        "What needs changing?",
        description="The person who filled in the return will see this",
        validators=[
            NoNullCharacters("your comment"),
            NotBlank("Enter what needs changing before you can sign the return off"),
            Length(max=2000, message="Your comment must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Send it back", widget=GovSubmitInput())
