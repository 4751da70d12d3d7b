"""The finance download form: programme, period (GOV.UK date inputs), format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField

from grants.apply.fields import date_input
from grants.form_fields import NotBlank, radios, required
from grants.formatting import london_date


class FinanceExportForm(FlaskForm):
    programme = SelectField(
        "Programme",
        widget=GovSelect(),
        validators=[NotBlank(message="Select a programme")],
        validate_choice=False,  # the service says whether this person may export it
    )
    starts_on = date_input(
        "Start of the period",
        description="The first day of the period, for example 1 4 2022",
        noun="the date the period starts",
        validators=required("Enter the date the period starts"),
    )
    ends_on = date_input(
        "End of the period",
        description="The last day of the period (included), for example 31 3 2023",
        noun="the date the period ends",
        validators=required("Enter the date the period ends"),
    )
    output_format = radios(
        "Format",
        choices=[
            ("xlsx", "Excel spreadsheet (XLSX): awards, payments due and totals"),
            ("csv", "CSV: the awards only"),
        ],
        default="xlsx",
        validators=required("Select a format"),
    )
    submit = SubmitField("Download", widget=GovSubmitInput())

    def set_programmes(self, choices: list[tuple[str, str]]) -> None:
        self.programme.choices = ([("", "Choose a programme")] if len(choices) != 1 else []) + choices

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        valid = super().validate(extra_validators)
        first, last = self.starts_on.data, self.ends_on.data
        if first is not None and last is not None and first > last and not self.ends_on.errors:
            self.ends_on.errors = [
                *self.ends_on.errors,
                f"The date the period ends must be the same as or after {london_date(first)}",
            ]
            return False
        return valid
