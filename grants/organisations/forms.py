"""Organisation details, invitations and accepting one.

The rules for an organisation's details live in the service (`check_details`), which
names every field that is wrong; the view puts each message on its field.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import HiddenField, SubmitField
from wtforms.validators import Email, Length

from grants.form_fields import NotBlank, email_input, radios, text_input
from grants.formatting import whole_number
from grants.models.people import ORGANISATION_TYPES
from grants.organisations.details import BANK_FIELDS, DISTRICTS, Details
from grants.organisations.services import INVITATION_DAYS


class OrganisationForm(FlaskForm):
    name = text_input("Name of the organisation")
    org_type = radios("Type of organisation", choices=list(ORGANISATION_TYPES.items()), validate_choice=False)
    charity_number = text_input(
        "Charity number (if you have one)",
        description="Registered charities and CIOs must give this. For example, 1123456, or SC012345 in Scotland",
    )
    company_number = text_input(
        "Companies House number (if you have one)",
        description="CICs and companies limited by guarantee must give this. "
        "It is 8 characters, for example 01234567 or SC123456",
    )
    urn = text_input(
        "School URN (schools only)",
        description="Schools must give their unique reference number from Get Information about Schools, "
        "6 digits, for example 107516",
    )
    public_body_id = text_input(
        "Public body identifier (public bodies only)",
        description="Public bodies must give their identifier with its register, for example GB-LAE-LDS "
        "for a council in England or GB-NHS-RR8 for an NHS trust",
    )
    address_line_1 = text_input("Address line 1")
    address_line_2 = text_input("Address line 2 (optional)")
    town = text_input("Town or city")
    postcode = text_input("Postcode")
    district = radios(
        "District",
        choices=list(DISTRICTS.items()),
        description="The West Yorkshire district where your organisation is based",
        validate_choice=False,
    )
    annual_income = text_input(
        "Annual income",
        description="Your organisation's income in its last financial year, in pounds. "
        "For example, 12,500 or 12,500.50",
    )
    safeguarding_lead_name = text_input("Full name")
    safeguarding_lead_email = text_input("Email address")
    bank_account_name = text_input("Name on the account")
    bank_sort_code = text_input("Sort code", description="Must be 6 digits long")
    bank_account_number = text_input("Account number", description="Must be 8 digits long")
    version_id = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def details(self) -> Details:
        return Details.from_mapping({name: getattr(self, name).data for name in Details.__dataclass_fields__})

    def expected_version(self) -> int | None:
        return whole_number(self.version_id.data or "")

    def show_saved_bank(self, saved: dict[str, str]) -> None:
        """Hints on the bank fields saying what is saved: blank keeps it, a new value replaces it."""
        for name in BANK_FIELDS:
            if name in saved:
                getattr(
                    self, name
                ).description = f"Saved: {saved[name]}. Leave this blank to keep it, or enter a new one to replace it"


class InviteForm(FlaskForm):
    email = email_input(
        "Email address",
        description=f"We will email them a link to join. The link works once, for {INVITATION_DAYS} days",
        validators=[
            NotBlank(message="Enter the email address of the person you want to invite"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class AcceptInvitationForm(FlaskForm):
    submit = SubmitField("Accept invitation", widget=GovSubmitInput())
