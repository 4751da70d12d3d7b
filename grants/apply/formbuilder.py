"""Turn a section of a question set into a WTForms form, and its answers to and from JSON.

What the applicant typed is kept as posted (`raw`, a dict of lists) so nothing is ever
lost, even when it is not yet valid; `values` holds the checked answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    FieldList,
    FileField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from grants.apply.fields import CountField, DayMonthYearField, MoneyField, WholeNumberField
from grants.apply.fields import today as london_today
from grants.apply.questions import Question, Section
from grants.apply.rendering import CharacterCount as GovCharacterCount
from grants.apply.rendering import CheckboxesInput as GovCheckboxesInput
from grants.apply.rendering import DateInput as GovDateInput
from grants.apply.rendering import FileInput as GovFileInput
from grants.apply.rendering import RadioInput as GovRadioInput
from grants.apply.rendering import Select as GovSelect
from grants.apply.rendering import TextInput as GovTextInput
from grants.form_fields import NotBlank, date_hint, future_example, stripped
from grants.formatting import london_date, money, whole_number

NOT_ANSWERS = {"csrf_token", "version_id", "action"}
MONEY_CEILING = 100_000_000_000  # £1bn: a money answer with no other limit is still one a column can hold


@dataclass
class FormContext:
    """What a form needs beyond the question set: choices, the round's (or award's) limits and dates, files."""

    vocabularies: dict[str, list[tuple[str, str]]]
    max_grant_pence: int | None = None
    min_grant_pence: int | None = None
    delivery_starts_on: date | None = None
    delivery_ends_on: date | None = None
    documents: dict[str, Any] = field(default_factory=dict)
    today: date | None = None
    award_pence: int | None = None

    def limit(self, name: str | int | None) -> int | None:
        if name == "round.max_grant":
            return self.max_grant_pence
        if name == "round.min_grant":
            return self.min_grant_pence
        if name == "award.amount":
            return self.award_pence
        return name if isinstance(name, int) else None


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def required_message(question: Question) -> str:
    if question.error:
        return question.error
    label = question.label.removesuffix(" (optional)")
    if question.type in {"radios", "checkboxes", "select"}:
        return (
            f"Select {question.noun}" if question.name or not label.endswith("?") else f"Select an answer to ‘{label}’"
        )
    if question.type == "file":
        return f"Upload {question.noun}"
    return f"Enter {question.noun}" if question.name or not label.endswith("?") else f"Answer ‘{label}’"


class WordLimit:
    def __init__(self, limit: int, noun: str):
        self.limit, self.noun = limit, noun

    def __call__(self, form: Any, field: Any) -> None:
        words = len((field.data or "").split())
        if words > self.limit:
            noun = self.noun[:1].upper() + self.noun[1:]
            raise ValidationError(f"{noun} must be {self.limit} words or fewer (you have {words})")


class NoNullCharacters:
    """A NUL byte cannot be stored (PostgreSQL refuses it in text) and is never meant: say so."""

    def __init__(self, noun: str):
        self.noun = noun

    def __call__(self, form: Any, field: Any) -> None:
        if "\x00" in (field.data or ""):
            raise StopValidation(
                f"{_capital(self.noun)} contains a character that cannot be saved (a null character): retype it"
            )


class AllChosen:
    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form: Any, field: Any) -> None:
        wanted = {value for value, _ in self.question.options}
        if set(field.data or []) != wanted:
            raise ValidationError(required_message(self.question))


def _choices(question: Question, context: FormContext) -> list[tuple[str, str]]:
    if question.vocabulary:
        return list(context.vocabularies.get(question.vocabulary, []))  # a copy: the lists are shared
    return list(question.options)


def _field(question: Question, context: FormContext) -> Any:
    presence = (
        [NotBlank(message=required_message(question))]
        if question.required and question.type not in {"file", "group"}
        else [Optional()]
    )
    common = {"label": question.label, "description": question.hint}
    kind = question.type
    if kind in ("text", "textarea"):
        presence = [NoNullCharacters(question.noun)] + presence
    if kind == "text":
        extra = (
            [
                Length(
                    max=question.max_length,
                    message=f"{_capital(question.noun)} must be {question.max_length} characters or fewer",
                )
            ]
            if question.max_length
            else []
        )
        return StringField(widget=GovTextInput(), validators=presence + extra, filters=[stripped], **common)
    if kind == "textarea":
        extra = [WordLimit(question.max_words, question.noun)] if question.max_words else []
        return TextAreaField(widget=GovCharacterCount(), validators=presence + extra, filters=[stripped], **common)
    if kind == "count":
        return CountField(
            widget=GovTextInput(),
            validators=presence,
            maximum=context.limit(question.maximum),
            noun=question.noun,
            **common,
        )
    if kind == "money" and question.maximum == "award.amount":
        limit = context.limit(question.maximum)
        return MoneyField(
            widget=GovTextInput(),
            validators=presence,
            minimum=question.minimum,
            maximum=limit if limit is not None else MONEY_CEILING,
            noun=question.noun,
            too_much=f"{_capital(question.noun)} cannot be more than the grant of {{maximum}}"
            if limit is not None
            else None,
            **common,
        )
    if kind in ("number", "money"):
        return (WholeNumberField if kind == "number" else MoneyField)(
            widget=GovTextInput(),
            validators=presence,
            minimum=question.minimum,
            maximum=context.limit(question.maximum),
            noun=question.noun,
            **common,
        )
    if kind == "date":
        common["description"] = date_hint(question.hint, date_example_for(question, context))
        return DayMonthYearField(widget=GovDateInput(), validators=presence, noun=question.noun, **common)
    if kind == "radios":
        return RadioField(
            widget=GovRadioInput(),
            choices=_choices(question, context),
            validators=presence,
            validate_choice=True,
            **common,
        )
    if kind == "select":
        return SelectField(
            widget=GovSelect(),
            choices=[("", "Choose one")] + _choices(question, context),
            validators=presence,
            **common,
        )
    if kind == "checkboxes":
        extra = [AllChosen(question)] if question.all_required else []
        return SelectMultipleField(
            widget=GovCheckboxesInput(), choices=_choices(question, context), validators=presence + extra, **common
        )
    if kind == "file":
        return FileField(widget=GovFileInput(), validators=[Optional()], **common)
    entry = type(f"Entry_{question.key}", (Form,), {f.key: _field(f, context) for f in question.fields})
    return FieldList(FormField(entry), min_entries=question.min_items, max_entries=question.max_items, **common)


def date_example_for(question: Question, context: FormContext) -> date:
    """The example in a date question's hint, never in the past: inside the round's delivery window
    when the answer must be (its start; its end for a date that comes after another), else next year."""
    today = context.today or london_today()
    later = question.after is not None
    starts, ends = context.delivery_starts_on, context.delivery_ends_on
    if question.within_delivery_window and starts and ends and ends > today:
        return ends if later else max(starts, today)
    return future_example(today, later=later)


class SectionForm(FlaskForm):
    version_id = HiddenField()


def build_form(
    section: Section, context: FormContext, formdata: MultiDict | None, *, entries: int | None = None
) -> Any:
    """The section's form, filled from what was posted (or stored). `entries` sizes a group."""
    attrs = {q.key: _field(q, context) for q in section.questions}
    form_class = type(f"Section_{section.key}", (SectionForm,), attrs)
    form = form_class(formdata=formdata)
    return form


def raw_from_formdata(formdata: MultiDict) -> dict[str, list[str]]:
    return {key: formdata.getlist(key) for key in formdata if key not in NOT_ANSWERS}


def storable(raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """What was typed, as it can be stored: without NUL characters (PostgreSQL refuses them in text)."""
    return {key: [value.replace("\x00", "") for value in values] for key, values in raw.items()}


def formdata_from_raw(raw: dict[str, list[str]]) -> MultiDict:
    return MultiDict([(key, value) for key, values in raw.items() for value in values])


def entry_id(question: Question, index: int) -> str:
    """The id of one line of a group on the page (its fieldset), e.g. 'budget_lines-1'."""
    return f"{question.key}-{index}"


def group_entries(form: Any, question: Question) -> list[Any]:
    return list(form[question.key].entries)


def add_entry(raw: dict[str, list[str]], question: Question) -> dict[str, list[str]]:
    """What the form holds with one more (empty) line in a group."""
    count = entry_count(raw, question)
    if count >= question.max_items:
        return raw
    for sub in question.fields:
        raw.setdefault(f"{question.key}-{count}-{sub.key}", [""])
    return raw


def remove_entry(raw: dict[str, list[str]], question: Question, index: int) -> dict[str, list[str]]:
    count = entry_count(raw, question)
    if count <= 1 or not 0 <= index < count:
        return raw
    kept: dict[str, list[str]] = {k: v for k, v in raw.items() if not k.startswith(f"{question.key}-")}
    target = 0
    for i in range(count):
        if i == index:
            continue
        for sub in question.fields:
            kept[f"{question.key}-{target}-{sub.key}"] = raw.get(f"{question.key}-{i}-{sub.key}", [""])
        target += 1
    return kept


def entry_count(raw: dict[str, list[str]], question: Question) -> int:
    indexes = set()
    prefix = f"{question.key}-"
    for key in raw:
        if key.startswith(prefix):
            part = key[len(prefix) :].split("-", 1)[0]
            number = whole_number(part)
            if number is not None:
                indexes.add(number)
    return max(indexes) + 1 if indexes else 0


def check_section(form: Any, section: Section, context: FormContext) -> dict[str, str]:
    """Checks across fields and against the round; returns {field id: message}."""
    problems: dict[str, str] = {}
    for question in section.questions:
        fld = form[question.key]
        if question.type == "date" and fld.data is not None and not fld.errors:
            if question.after and form[question.after].data and fld.data <= form[question.after].data:
                problems[question.key] = question.after_error or (
                    f"This date must be after the answer to ‘{form[question.after].label.text}’"
                )
            elif (
                question.within_delivery_window
                and context.delivery_starts_on
                and context.delivery_ends_on
                and not context.delivery_starts_on <= fld.data <= context.delivery_ends_on
            ):
                problems[question.key] = (
                    f"The date must be within the round's delivery window, "
                    f"{london_date(context.delivery_starts_on)} to {london_date(context.delivery_ends_on)}"
                )
        if question.type == "file" and question.required and question.key not in context.documents:
            problems[question.key] = required_message(question)
        limit = context.limit(question.total_max) if question.type == "group" and question.total_of else None
        if limit is not None and group_total(form, question) > limit:
            problems[question.key] = (
                f"The total, {money(group_total(form, question))}, is more than the most you can ask for in "
                f"this round ({money(limit)}). Reduce your budget lines."
            )
    return problems


def group_total(form: Any, question: Question) -> int:
    if not question.total_of:
        return 0
    return sum(
        (entry.form[question.total_of].data or 0)
        for entry in form[question.key].entries
        if isinstance(entry.form[question.total_of].data, int)
    )


def values_from_form(form: Any, section: Section) -> dict[str, Any]:
    """The checked answers as JSON-friendly values (dates ISO, money pence)."""
    values: dict[str, Any] = {}
    for question in section.questions:
        if question.type == "file":
            continue
        values[question.key] = _json(form[question.key].data)
    return values


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items() if k != "csrf_token"}
    return value


def error_list(form: Any, section: Section, problems: dict[str, str]) -> list[dict[str, str]]:
    """GOV.UK error summary items, in page order, each linking to the input it is about."""
    items: list[dict[str, str]] = []
    for question in section.questions:
        fld = form[question.key]
        first_id = f"{question.key}-day" if question.type == "date" else question.key
        if question.type in {"radios", "checkboxes"}:
            first_id = question.key
        if question.type == "group":
            for index, entry in enumerate(fld.entries):
                for sub in question.fields:
                    sub_field = entry.form[sub.key]
                    if sub_field.errors:
                        label = question.item_label or question.label
                        items.append(
                            {"text": f"{label} {index + 1}: {sub_field.errors[0]}", "href": f"#{sub_field.id}"}
                        )
        elif fld.errors:
            items.append({"text": fld.errors[0], "href": f"#{first_id}"})
        if question.key in problems:
            items.append({"text": problems[question.key], "href": f"#{first_id}"})
    return items
