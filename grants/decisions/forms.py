"""The panel's forms: a moderated score, a recommendation, a mark, and the decision maker's batch."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import StopValidation

from grants.applications.forms import PoundsField
from grants.form_fields import optional, text_area

_SCORE = re.compile(r"^\d{1,6}(\.\d{1,2})?$")
TEXT = optional(5000, "This must be 5,000 characters or fewer")


def _text(label: str, description: str = "") -> TextAreaField:
    """Text the panel or decision maker may leave empty, of up to 5,000 characters."""
    return text_area(label, description=description, validators=TEXT)


class ScoreField(StringField):
    """A moderated score as typed ('14', '14.25') → Decimal in .data (None when empty or wrong)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_data = valuelist
        typed = (valuelist[0] if valuelist else "").strip()
        self.typed = typed
        self.data = None
        if typed and _SCORE.match(typed):
            try:
                self.data = Decimal(typed)  # type: ignore[assignment]
            except InvalidOperation:
                self.data = None

    def _value(self) -> str:
        if getattr(self, "typed", None) is not None:
            return self.typed
        return "" if self.data is None else str(self.data)

    def pre_validate(self, form: Any) -> None:
        if getattr(self, "typed", "") and self.data is None:
            raise StopValidation("Enter the moderated score as a number, like 14 or 14.25")


class ModerationForm(FlaskForm):
    score = ScoreField(
        "Moderated score",
        widget=GovTextInput(),
        description="The panel's weighted score for this bid, with up to 2 decimal places",
    )
    reason = _text(
        "Reason for the moderated score", "For example, what the panel discussed and why it settled on this score"
    )
    version_id = HiddenField()


class RecommendationForm(FlaskForm):
    amount = PoundsField(
        "Recommended amount",
        widget=GovTextInput(),
        description="In pounds, for example 7500 or 7,500.50. No more than was asked for",
    )
    amount_reason = _text(
        "Reason for recommending less than was asked for", "Needed only when the amount is less than was asked for"
    )
    feedback = _text("Feedback for the applicant", "The applicant reads this in the email that tells them the decision")
    conditions = _text(
        "Conditions the panel proposes (optional)",
        "For example, a safeguarding policy to be updated before the first payment",
    )
    version_id = HiddenField()


class MarkForm(FlaskForm):
    decision = HiddenField()
    reason = _text("Reason")
    version_id = HiddenField()


class DecisionForm(FlaskForm):
    """Approve or reject the chosen bids (checkboxes named application_ids), or one bid by its button."""

    reason = _text(
        "Reason for rejecting, or for approving past the budget",
        "Needed to reject: the applicant reads it, with the panel's feedback. Needed, too, when you are the second "
        "decision maker approving a bid past the year's budget (or with no budget set): it is kept in the history",
    )
    conditions = _text(
        "Conditions of approval (optional)", "Added to the panel's conditions for every bid you approve now"
    )
