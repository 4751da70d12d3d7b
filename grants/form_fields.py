"""GOV.UK form pieces: each kind of input with its GOV.UK widget, and the validators most fields use."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import EmailField, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional

from grants.formatting import whole_number
from grants.models.people import ROLE_LABELS

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


def role_select(roles: Iterable[str], **kwargs: Any) -> SelectField:
    """A staff role, one of `roles` by its label ("Choose a role" until one is chosen)."""
    choices = [("", "Choose a role")] + [(role, ROLE_LABELS[role]) for role in roles]
    return select("Role", choices=choices, validators=required("Choose a role"), **kwargs)


def programme_select() -> SelectField:
    """The programme a role or token is for (its choices, with "every programme", are set by the view)."""
    return select("Programme", validators=required("Choose a programme, or every programme"))


def version_or_none(value: str | None) -> int | None:
    """A hidden version field: a number, or None when empty or not a number."""
    return whole_number(value or "")


def show_errors(form: Form, errors: dict[str, str]) -> None:
    """Puts each message a service gave on the field it names (after the form's own checks passed)."""
    for name, message in errors.items():
        field = form._fields.get(name)
        if field is not None:
            field.errors = [*field.errors, message]


class SearchForm(FlaskForm):
    """A form that filters a list: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False


def filter_select(label: str) -> SelectField:
    """A filter's drop-down: its choices are set on each request; a value not among them is ignored, not refused."""
    return select(label, validate_choice=False)
