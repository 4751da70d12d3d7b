"""The panel's forms: a moderated score, a recommendation, a mark, and the decision maker's batch."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import HiddenField, StringField
from wtforms.validators import Length, Optional, StopValidation

from grants.applications.forms import PoundsField
from grants.form_fields import text_area

_SCORE = re.compile(r"^\d{1,6}(\.\d{1,2})?$")
TEXT = [Optional(), Length(max=5000, message="This must be 5,000 characters or fewer")]


def version_or_none(value: str | None) -> int | None:
    """The hidden version field: a number, or empty when the bid had no recommendation yet."""
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


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
    reason = text_area(
        "Reason for the moderated score",
        description="For example, what the panel discussed and why it settled on this score",
        validators=TEXT,
    )
    version_id = HiddenField()


class RecommendationForm(FlaskForm):
    amount = PoundsField(
        "Recommended amount",
        widget=GovTextInput(),
        description="In pounds, for example 7500 or 7,500.50. No more than was asked for",
    )
    amount_reason = text_area(
        "Reason for recommending less than was asked for",
        description="Needed only when the amount is less than was asked for",
        validators=TEXT,
    )
    feedback = text_area(
        "Feedback for the applicant",
        description="The applicant reads this in the email that tells them the decision",
        validators=TEXT,
    )
    conditions = text_area(
        "Conditions the panel proposes (optional)",
        description="For example, a safeguarding policy to be updated before the first payment",
        validators=TEXT,
    )
    version_id = HiddenField()


class MarkForm(FlaskForm):
    decision = HiddenField()
    reason = text_area("Reason", validators=TEXT)
    version_id = HiddenField()


class DecisionForm(FlaskForm):
    """Approve or reject the chosen bids (checkboxes named application_ids), or one bid by its button."""

    reason = text_area(
        "Reason for rejecting",
        description="Needed to reject. The applicant reads this, with the panel's feedback",
        validators=TEXT,
    )
    conditions = text_area(
        "Conditions of approval (optional)",
        description="Added to the panel's conditions for every bid you approve now",
        validators=TEXT,
    )
