"""The applicant's fixed forms: eligibility, starting, submitting, answering a question, withdrawing."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from grants.apply.fields import DayMonthYearField, MoneyField


class EligibilityForm(FlaskForm):
    organisation = RadioField(
        "Which organisation is applying?",
        widget=GovRadioInput(),
        coerce=int,
        validators=[InputRequired(message="Select the organisation that is applying")],
    )
    in_west_yorkshire = RadioField(
        "Will the project take place in West Yorkshire?",
        widget=GovRadioInput(),
        description="Bradford, Calderdale, Kirklees, Leeds or Wakefield",
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[InputRequired(message="Select yes if the project will take place in West Yorkshire")],
    )
    amount = MoneyField(
        "How much will you ask for?",
        widget=GovTextInput(),
        description="In pounds, for example 6500",
        minimum=1,
        validators=[InputRequired(message="Enter how much you will ask for")],
    )
    ends_on = DayMonthYearField(
        "When will the project end?",
        widget=GovDateInput(),
        description="For example, 31 3 2024",
        validators=[InputRequired(message="Enter the date the project will end")],
    )
    submit = SubmitField("Check eligibility", widget=GovSubmitInput())


class StartForm(FlaskForm):
    organisation_id = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Start your application", widget=GovSubmitInput())


class SubmitApplicationForm(FlaskForm):
    version_id = HiddenField()
    submit = SubmitField("Submit application", widget=GovSubmitInput())


class ProvideInformationForm(FlaskForm):
    version_id = HiddenField()
    answer = TextAreaField(
        "Your answer",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter your answer to the officer's question"),
            Length(max=5000, message="Your answer must be 5,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Send your answer", widget=GovSubmitInput())


class WithdrawForm(FlaskForm):
    version_id = HiddenField()
    reason = TextAreaField(
        "Why are you withdrawing this application?",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter why you are withdrawing the application"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Withdraw application", widget=GovSubmitInput())
