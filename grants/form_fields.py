"""GOV.UK form pieces: each kind of input with its GOV.UK widget, and the validators most fields use."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import EmailField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def required(message: str, max_length: int | None = None, too_long: str = "") -> list[Any]:
    """Something must be typed (`message` when not); no longer than `max_length` (`too_long` when it is)."""
    validators: list[Any] = [InputRequired(message=message)]
    if max_length is not None:
        validators.append(Length(max=max_length, message=too_long))
    return validators


def optional(max_length: int, too_long: str) -> list[Any]:
    """May be left empty; no longer than `max_length` (`too_long` when it is)."""
    return [Optional(), Length(max=max_length, message=too_long)]


def email(message: str) -> list[Any]:
    """An email address must be typed (`message` when not), in the right format."""
    return [InputRequired(message=message), Email(message=EMAIL_FORMAT)]


def text_input(label: str, **kwargs: Any) -> StringField:
    return StringField(label, widget=GovTextInput(), **kwargs)


def text_area(label: str, **kwargs: Any) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), **kwargs)


def email_input(label: str, **kwargs: Any) -> EmailField:
    return EmailField(label, widget=GovTextInput(), **kwargs)


def select(label: str, **kwargs: Any) -> SelectField:
    return SelectField(label, widget=GovSelect(), **kwargs)


def radios(label: str, **kwargs: Any) -> RadioField:
    return RadioField(label, widget=GovRadioInput(), **kwargs)
