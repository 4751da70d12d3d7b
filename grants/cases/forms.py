"""The form behind every workflow action button."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput
from wtforms import HiddenField, IntegerField, SelectMultipleField

from grants.form_fields import NotBlank, optional, required, select, text_area, text_input


class TransitionForm(FlaskForm):
    version_id = IntegerField(widget=HiddenField.widget, validators=[NotBlank()])
    reason = text_area("Reason", validators=optional(5000, "Reason must be 5,000 characters or fewer"))


class OfficerForm(FlaskForm):
    """Who looks after a case: an officer's id, or "none"; `shown` is who the page showed."""

    officer = HiddenField()  # drawn as a select of the programme's officers by the case page
    shown = HiddenField()


class BatchForm(FlaskForm):
    """A batch's confirmation: the reason written on each case, and the batch's name (hidden)."""

    batch = HiddenField()
    reason = text_area("Reason", validators=optional(5000, "Reason must be 5,000 characters or fewer"))


class BatchEmailForm(FlaskForm):
    """The email to the selection's organisations: plain text, with ((placeholders)) filled in per case."""

    batch = HiddenField()
    subject = text_input(
        "Subject", validators=required("Enter the email's subject", 200, "Subject must be 200 characters or fewer")
    )
    body = text_area(
        "Message", validators=required("Enter the message", 5000, "Message must be 5,000 characters or fewer")
    )
    # Starting from a template (its choices are the view's), and saving the email as one: the template
    # service (grants.cases.batch_templates) checks these, only when they are used.
    template = select("Start from a template", validate_choice=False)
    template_name = text_input(
        "Save as a template called",
        description="A name your colleagues will recognise, for example: Round 4 monitoring reminder",
    )
    template_programme = select("For the officers of", validate_choice=False)


class BatchAssignForm(FlaskForm):
    """The assessors to share the selected bids between, and how many score each bid."""

    assessors = SelectMultipleField(
        "Assessors",
        widget=GovCheckboxesInput(),
        coerce=int,
        validate_choice=False,
        description="The bids are shared between the assessors you choose, so each has about the same number",
    )
    per_bid = text_input("Assessors per bid", description="How many different assessors score each bid")
