"""The applicant's fixed forms: eligibility, starting, submitting, answering a question, withdrawing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import HiddenField, SubmitField

from grants.apply.fields import MoneyField, date_input
from grants.form_fields import NotBlank, radios, required, text_area


class EligibilityForm(FlaskForm):
    organisation = radios(
        "Which organisation is applying?", coerce=int, validators=required("Select the organisation that is applying")
    )
    in_west_yorkshire = radios(
        "Will the project take place in West Yorkshire?",
        description="Bradford, Calderdale, Kirklees, Leeds or Wakefield",
        choices=[("yes", "Yes"), ("no", "No")],
        validators=required("Select yes if the project will take place in West Yorkshire"),
    )
    amount = MoneyField(
        "How much will you ask for?",
        widget=GovTextInput(),
        description="In pounds, for example 6500",
        minimum=1,
        validators=[NotBlank(message="Enter how much you will ask for")],
    )
    ends_on = date_input(
        "When will the project end?",
        example="future",
        validators=required("Enter the date the project will end"),
    )
    submit = SubmitField("Check eligibility", widget=GovSubmitInput())


class StartForm(FlaskForm):
    organisation_id = HiddenField(validators=[NotBlank()])
    submit = SubmitField("Start your application", widget=GovSubmitInput())


class SubmitApplicationForm(FlaskForm):
    version_id = HiddenField()
    submit = SubmitField("Submit application", widget=GovSubmitInput())


class ProvideInformationForm(FlaskForm):
    version_id = HiddenField()
    answer = text_area(
        "Your answer",
        validators=required(
            "Enter your answer to the officer's question", 5000, "Your answer must be 5,000 characters or fewer"
        ),
    )
    submit = SubmitField("Send your answer", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    version_id = HiddenField()
    reason = text_area(
        "Why are you withdrawing this application?",
        validators=required(
            "Enter why you are withdrawing the application", 2000, "The reason must be 2,000 characters or fewer"
        ),
    )
    submit = SubmitField("Withdraw application", widget=GovSubmitInput())
