"""The awards area's forms: the officer's offer, the grantee's acceptance and decline, the list filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput
from wtforms import BooleanField, HiddenField
from wtforms.validators import Length, ValidationError

from grants.apply.fields import date_input
from grants.awards.acceptance import MAX_REASON, MAX_TEXT, signed_on_problem
from grants.awards.listing import Choices, Filters
from grants.awards.offers import MAX_CONDITIONS, MAX_TERMS
from grants.form_fields import SearchForm, filter_select, optional, required, text_area, text_input

DATE_FIELDS = ("respond_by", "signed_on")


def error_list(form: FlaskForm, general_href: str) -> list[dict[str, str]]:
    """GOV.UK error summary items in page order, each linking to its input (a date's day box);
    problems with the whole form (a conflict, a refusal) first, linking to `general_href`."""
    items = [{"text": message, "href": general_href} for message in form.form_errors]
    for name, field in form._fields.items():
        if field.errors and name != "csrf_token":
            anchor = f"{field.id}-day" if name in DATE_FIELDS else field.id
            items.append({"text": field.errors[0], "href": f"#{anchor}"})
    if form.errors.get("csrf_token"):
        items.append({"text": "Your session expired. Try again.", "href": general_href})
    return items


class OfferForm(FlaskForm):
    offer_conditions = text_area(
        "Conditions of the grant",
        description="From the decision. The grantee must meet these, for example before the first payment",
        validators=optional(MAX_CONDITIONS, f"The conditions must be {MAX_CONDITIONS:,} characters or fewer"),
    )
    agreement_terms = text_area(
        "Grant agreement terms",
        description="The standard terms of the grant agreement the grantee signs. Change them only if you must",
        validators=optional(MAX_TERMS, f"The grant agreement terms must be {MAX_TERMS:,} characters or fewer"),
    )
    respond_by = date_input(
        "Reply by",
        noun="the date to reply by",
        description="The date the grantee must accept or decline the offer by",
        example="future",
    )
    version_id = HiddenField()


class AcceptForm(FlaskForm):
    signatory_name = text_input(
        "Full name of the person signing",
        validators=required(
            "Enter the full name of the person signing", MAX_TEXT, f"The name must be {MAX_TEXT} characters or fewer"
        ),
    )
    signatory_position = text_input(
        "Their position in the organisation",
        description="For example, Chair of Trustees or Chief Executive",
        validators=[Length(max=MAX_TEXT, message=f"The position must be {MAX_TEXT} characters or fewer")],
    )
    signed_on = date_input(
        "Date signed",
        noun="the date signed",
        example="today",
        validators=required("Enter the date the agreement was signed"),
    )
    declaration = BooleanField("I confirm", widget=GovCheckboxInput())
    version_id = HiddenField()

    def __init__(
        self,
        *args: Any,
        organisation: str = "",
        earliest: date | None = None,
        latest: date | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.earliest, self.latest = earliest, latest
        self.declaration.label.text = (
            f"I confirm I am authorised to sign for {organisation} and accept the grant on these terms"
        )

    def validate_signatory_name(self, field: Any) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Enter the full name of the person signing")

    def validate_signatory_position(self, field: Any) -> None:
        if not (field.data or "").strip():
            raise ValidationError(f"Enter the signatory's position in {self.organisation}")

    def validate_signed_on(self, field: Any) -> None:
        if field.data is not None and self.latest is not None:
            problem = signed_on_problem(field.data, self.earliest, self.latest)
            if problem:
                raise ValidationError(problem)

    def validate_declaration(self, field: Any) -> None:
        if not field.data:
            raise ValidationError(
                f"Confirm you are authorised to sign for {self.organisation} and accept the grant on these terms"
            )


class DeclineForm(FlaskForm):
    reason = text_area(
        "Why are you declining the offer?",
        description="The grants team reads this. It helps them offer the money to another project",
        validators=required(
            "Enter why you are declining the offer",
            MAX_REASON,
            f"The reason must be {MAX_REASON:,} characters or fewer",
        ),
    )
    version_id = HiddenField()

    def validate_reason(self, field: Any) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Enter why you are declining the offer")


class AwardFilterForm(SearchForm):
    programme = filter_select("Programme")
    state = filter_select("State")
    round = filter_select("Round")

    def set_choices(self, choices: Choices) -> None:
        self.programme.choices = [("", "All your programmes")] + choices.programmes
        self.state.choices = [("", "All states")] + choices.states
        self.round.choices = [("", "All rounds")] + choices.rounds

    def filters(self, choices: Choices) -> Filters:
        """Only values the choices offer: an unknown code is ignored rather than matching nothing."""

        def known(value: str | None, options: list[tuple[str, str]]) -> str | None:
            return value if value and value in {code for code, _label in options} else None

        return Filters(
            programme=known(self.programme.data, choices.programmes),
            state=known(self.state.data, choices.states),
            round=known(self.round.data, choices.rounds),
        )
