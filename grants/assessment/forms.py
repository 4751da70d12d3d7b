"""Forms for the officers' assessment tasks. The rules live in the services; these carry what was typed."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSubmitInput,
)
from wtforms import BooleanField, HiddenField, SelectMultipleField, StringField, SubmitField, TextAreaField

from grants.assessment.screening import ANSWERS, FRAUD_RISKS, SCREENING_ITEMS, Answers
from grants.form_fields import optional, radios, text_area, text_input, version_or_none
from grants.formatting import whole_number

# Made before the form's own fields so that they come first (in the error summary, too).
_ITEM_FIELDS = {
    key: radios(label, choices=list(ANSWERS.items()), validate_choice=False) for key, label in SCREENING_ITEMS.items()
}


class ScreeningForm(FlaskForm):
    """The checklist: one pass / fail / not applicable question per item (added below), fraud risk, notes."""

    fraud_risk = radios(
        "Fraud risk",
        choices=list(FRAUD_RISKS.items()),
        validate_choice=False,
        description="Your rating of the risk of fraud with this organisation and bid",
    )
    notes = text_area(
        "Notes (optional)",
        description="What you checked and found, for the panel and for anyone who screens it after you",
    )
    version_id = HiddenField()
    submit = SubmitField("Save the checklist", widget=GovSubmitInput())

    def item_fields(self) -> list[Any]:
        return [self[key] for key in SCREENING_ITEMS]

    def answers(self) -> Answers:
        return Answers(
            items={key: self[key].data or None for key in SCREENING_ITEMS},
            fraud_risk=self.fraud_risk.data or None,
            notes=self.notes.data or "",
        )

    def expected_version(self) -> int | None:
        return version_or_none(self.version_id.data)


for _key, _field in _ITEM_FIELDS.items():
    setattr(ScreeningForm, _key, _field)  # WTForms' form class accepts fields added like this


class StepForm(FlaskForm):
    """A screening decision: the application's version when the page was opened, and the reason if one is asked."""

    version_id = HiddenField()
    reason = TextAreaField("Reason", validators=optional(5000, "This must be 5,000 characters or fewer"))

    def expected_version(self) -> int | None:
        return version_or_none(self.version_id.data)


class CriterionForm(FlaskForm):
    name = text_input("Name", description="For example, Need and evidence")
    guidance = text_area(
        "Guidance (optional)", description="What assessors look for. Applicants see it too, in the round's guidance"
    )
    scale_min = text_input("Lowest score", default="0")
    scale_max = text_input("Highest score", default="5")
    descriptors = text_area(
        "What each score means (optional)",
        description="One score per line: the score, a colon, then what it means. For example, 5: Strong",
    )
    weight = text_input(
        "Weight",
        default="1",
        description="How much this criterion counts towards the weighted total. For example, 1 or 1.5",
    )
    minimum_score = text_input(
        "Minimum score (optional)",
        description="A bid scoring below this on average cannot be recommended. Leave empty for no minimum",
    )
    comment_required = BooleanField(
        "Assessors must write a comment with each score", widget=GovCheckboxInput(), default=True
    )
    submit = SubmitField("Save criterion", widget=GovSubmitInput())

    def raw(self) -> dict[str, Any]:
        names = ("name", "guidance", "scale_min", "scale_max", "descriptors", "weight", "minimum_score")
        values: dict[str, Any] = {name: self[name].data or "" for name in names}
        values["comment_required"] = bool(self.comment_required.data)
        return values


class RemoveCriterionForm(FlaskForm):
    submit = SubmitField("Remove", widget=GovSubmitInput())


class AssignForm(FlaskForm):
    assessors = SelectMultipleField(
        "Assessors",
        widget=GovCheckboxesInput(),
        coerce=int,
        validate_choice=False,
        description="Bids are shared between the assessors you choose, so each has about the same number",
    )
    per_bid = text_input("Assessors per bid", description="How many different assessors score each bid")
    submit = SubmitField("Assign assessors", widget=GovSubmitInput())

    def per_bid_number(self) -> int | None:
        return whole_number(self.per_bid.data or "")


class ChooseAssessorForm(FlaskForm):
    """One assessor chosen from a list (to reassign a bid, or add an assessor to one)."""

    assessor = StringField()

    def assessor_id(self) -> int | None:
        return whole_number(self.assessor.data or "")


class RemoveAssignmentForm(FlaskForm):
    version_id = HiddenField()
    reason = TextAreaField("Reason", validators=optional(5000, "The reason must be 5,000 characters or fewer"))

    def expected_version(self) -> int | None:
        return version_or_none(self.version_id.data)


class DueDateForm(FlaskForm):
    # The date's three boxes (assessment_due_on-day, -month, -year) are read as typed by the view.
    version_id = HiddenField()
    submit = SubmitField("Save the due date", widget=GovSubmitInput())
