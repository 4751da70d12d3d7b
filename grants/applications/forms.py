"""The filters above an officer's list of applications: a GET form, so a filtered list has a URL."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import Optional, StopValidation

from grants.applications.services import Choices, Filters
from grants.form_fields import SearchForm, filter_select, optional, text_input
from grants.formatting import pence_from_pounds


class PoundsField(StringField):
    """An amount in pounds as people type it ('£1,250.50', '1250') → integer pence in .data."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = valuelist
        typed = (valuelist[0] if valuelist else "").strip().replace(" ", "")
        self.data = None  # type: ignore[assignment]
        self.typed = typed
        if typed:
            self.data = pence_from_pounds(typed)  # type: ignore[assignment]

    def _value(self) -> str:
        return getattr(self, "typed", "") or ""

    def pre_validate(self, form: Any) -> None:
        if getattr(self, "typed", "") and self.data is None:
            raise StopValidation(
                f"Enter the amount {self.label.text.lower()} in pounds, like 2500 or 2,500.50, or leave it empty"
            )


class ApplicationFilterForm(SearchForm):
    state = filter_select("State")
    district = filter_select("District")
    area_of_focus = filter_select("Area of focus")
    amount_from = PoundsField("From", widget=GovTextInput(), validators=[Optional()])
    amount_to = PoundsField("To", widget=GovTextInput(), validators=[Optional()])
    organisation = text_input(
        "Organisation name contains", validators=optional(200, "Organisation name must be 200 characters or fewer")
    )

    def set_choices(self, choices: Choices) -> None:
        self.state.choices = [("", "All submitted applications")] + [
            (code, "Draft (not yet submitted)" if code == "draft" else label) for code, label in choices.states
        ]
        self.district.choices = [("", "All districts")] + choices.districts
        self.area_of_focus.choices = [("", "All areas of focus")] + choices.areas_of_focus

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        low, high = self.amount_from.data, self.amount_to.data
        if valid and low is not None and high is not None and low > high:
            self.amount_to.errors = [
                *self.amount_to.errors,
                "The amount to must be the same as or more than the amount from",
            ]
            return False
        return valid

    def filters(self) -> Filters:
        """What to filter by: the fields that are filled in and valid (a wrong amount is ignored)."""

        def ok(field: Any) -> Any:
            return None if field.errors or field.data in ("", None) else field.data

        return Filters(
            state=ok(self.state),
            district=ok(self.district),
            area_of_focus=ok(self.area_of_focus),
            amount_from_pence=ok(self.amount_from),
            amount_to_pence=ok(self.amount_to),
            organisation=(ok(self.organisation) or "").replace("\x00", "").strip() or None,  # PostgreSQL: no NUL
        )
