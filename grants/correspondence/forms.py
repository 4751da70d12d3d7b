"""What staff and members of an organisation type: a private note, a message, an answer."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField, ValidationError

from grants.correspondence.services import LONGEST
from grants.form_fields import required, text_area


class NoNulls:
    """A NUL character cannot be stored (PostgreSQL refuses it in text): say so rather than drop it
    silently."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.raw_data and "\x00" in str(field.raw_data[0]):
            raise ValidationError(self.message)


def _without_nulls(value: Any) -> Any:
    """What was typed, less any NUL, to show again (the NoNulls check reads the raw answer)."""
    return value.replace("\x00", "") if isinstance(value, str) else value


def _body(label: str, what: str) -> Any:
    return text_area(
        label,
        filters=[_without_nulls],
        validators=[
            *required(f"Enter your {what}", LONGEST, f"Your {what} must be 10,000 characters or fewer"),
            NoNulls(f"Your {what} contains a character that cannot be saved (a null character): remove it"),
        ],
    )


class NoteForm(FlaskForm):
    body = _body("Private note (only staff see it)", "note")
    submit = SubmitField("Add note", widget=GovSubmitInput())


class MessageForm(FlaskForm):
    body = _body("Message", "message")
    submit = SubmitField("Send message", widget=GovSubmitInput())


class ReplyForm(FlaskForm):
    body = _body("Your reply", "reply")
    submit = SubmitField("Send reply", widget=GovSubmitInput())
