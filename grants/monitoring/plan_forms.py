"""Forms of Admin > Monitoring plans and of the officers' pages on one return (moving its due
date, pausing and resuming its reminders). The services check every value, so that each problem
gets its own message on its field; the forms carry what was typed and the version it was shown at."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import HiddenField, SubmitField, TextAreaField


class PlanForm(FlaskForm):
    plan = TextAreaField(
        "The plan (TOML)",
        widget=GovTextArea(),
        description=(
            "Saving makes a new version. Returns already scheduled keep the version they were made "
            "under; awards accepted from now on get returns from the new one."
        ),
    )
    expected_version = HiddenField()
    submit = SubmitField("Save as a new version", widget=GovSubmitInput())


class MoveDueDateForm(FlaskForm):
    # The date's three boxes (due_date-day, -month, -year) are read as typed by the view.
    reason = TextAreaField("Why is the due date moving?", widget=GovTextArea())
    version_id = HiddenField()
    submit = SubmitField("Move the due date", widget=GovSubmitInput())


class RemindersForm(FlaskForm):
    reason = TextAreaField("Reason", widget=GovTextArea())
    action = HiddenField()  # "pause" or "resume": what the page offered
    version_id = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())
