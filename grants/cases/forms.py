"""The form behind every workflow action button."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class TransitionForm(FlaskForm):
    version_id = IntegerField(widget=HiddenField.widget, validators=[InputRequired()])
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000, message="Reason must be 5,000 characters or fewer")],
    )
