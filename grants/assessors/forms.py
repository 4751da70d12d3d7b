"""The conflict declaration, and the scoring form (its fields follow the round's criteria)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from grants.assessors.services import DETAILS_MAX, Typed
from grants.form_fields import NotBlank

YES, NO = "yes", "no"
SAVE, SUBMIT = "save", "submit"


class DeclarationForm(FlaskForm):
    version_id = IntegerField(widget=HiddenField.widget, validators=[NotBlank()])
    conflict = RadioField(
        "Do you have a conflict of interest with this organisation or project?",
        choices=[(YES, "Yes"), (NO, "No")],
        validators=[NotBlank(message="Select yes if you have a conflict of interest, or no if you do not")],
        validate_choice=False,
    )
    details = TextAreaField(
        "Details of your conflict of interest",
        validators=[
            Optional(),
            Length(max=DETAILS_MAX, message=f"Details must be {DETAILS_MAX:,} characters or fewer"),
        ],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.conflict.data not in (YES, NO, None):
            self.conflict.errors = [
                *self.conflict.errors,
                "Select yes if you have a conflict of interest, or no if you do not",
            ]
            return False
        if self.conflict.data == YES and not (self.details.data or "").strip():
            self.details.errors = [*self.details.errors, "Enter details of your conflict of interest"]
            return False
        return valid

    @property
    def has_conflict(self) -> bool:
        return self.conflict.data == YES


class ScoringForm(FlaskForm):
    """CSRF, the page's version and which button was pressed; the scores are read by `typed`."""

    version_id = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    action = StringField(validators=[Optional()])

    @property
    def submitting(self) -> bool:
        return self.action.data == SUBMIT


def typed(criterion_ids: list[int], formdata: Any) -> dict[int, Typed]:
    """What was typed for each criterion: `score-<id>` and `comment-<id>` (anything else is ignored)."""
    return {
        criterion_id: Typed(
            score=formdata.get(f"score-{criterion_id}", "") or "",
            comment=formdata.get(f"comment-{criterion_id}", "") or "",
        )
        for criterion_id in criterion_ids
    }
