"""GOV.UK form pieces: each kind of input with its GOV.UK widget, and the validators most fields use."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import EmailField, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Email, Length, Optional, StopValidation

from grants.formatting import whole_number
from grants.models.people import ROLE_LABELS

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


class NotBlank:
    """Something other than spaces must be typed (or chosen): WTForms' InputRequired, after stripping,
    so an answer of only spaces, tabs or line breaks is as blank as no answer, wherever it is asked."""

    field_flags = {"required": True}

    def __init__(self, message: str | None = None):
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        raw = field.raw_data
        if raw and str(raw[0]).strip():
            return
        field.errors[:] = []
        raise StopValidation(self.message or field.gettext("This field is required."))


def stripped(value: Any) -> Any:
    """A filter: typed text without the spaces around it (None and non-text as they are)."""
    return value.strip() if isinstance(value, str) else value


def required(message: str, max_length: int | None = None, too_long: str = "") -> list[Any]:
    """Something must be typed (`message` when not); no longer than `max_length` (`too_long` when it is)."""
    validators: list[Any] = [NotBlank(message=message)]
    if max_length is not None:
        validators.append(Length(max=max_length, message=too_long))
    return validators


def optional(max_length: int, too_long: str) -> list[Any]:
    """May be left empty; no longer than `max_length` (`too_long` when it is)."""
    return [Optional(), Length(max=max_length, message=too_long)]


def email(message: str) -> list[Any]:
    """An email address must be typed (`message` when not), in the right format."""
    return [NotBlank(message=message), Email(message=EMAIL_FORMAT)]


def _stripping(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A text field's options with `stripped` first among its filters: checked as typed, less the spaces."""
    return {**kwargs, "filters": [stripped, *kwargs.get("filters", ())]}


def text_input(label: str, **kwargs: Any) -> StringField:
    return StringField(label, widget=GovTextInput(), **_stripping(kwargs))


def text_area(label: str, **kwargs: Any) -> TextAreaField:
    return TextAreaField(label, widget=GovTextArea(), **_stripping(kwargs))


def email_input(label: str, **kwargs: Any) -> EmailField:
    return EmailField(label, widget=GovTextInput(), **_stripping(kwargs))


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


MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")  # fmt: skip
_EXAMPLE = re.compile(r"\s*(?:For example,?|for example,?|e\.g\.)\s*\d{1,2}\s+\d{1,2}\s+\d{4}\.?\s*")


def month_number(typed: str) -> int | None:
    """The month in a date's month box: a number ('3', '03'), a name or the start of one ('March',
    'mar', 'Sept'), as GOV.UK's date input guidance asks us to accept; None if it is none of these."""
    text = typed.strip().rstrip(".").lower()
    number = whole_number(text)
    if number is not None:
        return number
    if len(text) < 3 or not text.isalpha():
        return None
    for index, name in enumerate(MONTHS, start=1):
        if name.startswith(text):
            return index
    return None


def date_example(example: date) -> str:
    """A date as a hint shows it: 'For example, 27 3 2027'."""
    return f"For example, {example.day} {example.month} {example.year}"


def date_hint(hint: str, example: date) -> str:
    """A date input's hint with an example computed when the page is shown, never a year gone by:
    any 'For example, 1 4 2023' written into the hint is replaced by `example`."""
    rest = _EXAMPLE.sub(" ", hint or "").strip().rstrip(".")
    return f"{rest}. {date_example(example)}" if rest else date_example(example)


def future_example(today: date, *, later: bool = False) -> date:
    """A plausible date ahead of `today` for a hint: 1 April next year (30 September, for an end date)."""
    return date(today.year + 1, 9, 30) if later else date(today.year + 1, 4, 1)


def date_example_of(kind: str = "ahead") -> str:
    """A hint's example for a date input in a template: ahead of today ('ahead', 'later' for an end) or today."""
    today = date.today()
    return date_example(today if kind == "today" else future_example(today, later=kind == "later"))


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
    return select(label, validate_choice=False, filters=[lambda v: v.replace("\x00", "") if isinstance(v, str) else v])
