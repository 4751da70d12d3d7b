"""What an organisation's details must look like: the one place their rules live.

`check_details` takes the details as typed and returns the column values to store, or
raises OrganisationError naming every field that is wrong and why, so the form can show
them all at once. Pure functions: no database, no request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from email_validator import EmailNotValidError, validate_email

from grants.models.people import ORGANISATION_TYPES
from grants.reference import DISTRICT_NAMES

# The five districts of West Yorkshire (docs/domain.md); stored by code, as the demo data does.
DISTRICTS = DISTRICT_NAMES
NEEDS_CHARITY_NUMBER = frozenset({"registered_charity", "cio"})
NEEDS_COMPANY_NUMBER = frozenset({"cic", "company_limited_by_guarantee"})
BANK_FIELDS = ("bank_account_name", "bank_sort_code", "bank_account_number")
# Parts of the profile that may be given later, each on its own: left wholly blank on the full
# form they are not asked for; once one field of a part is typed, the rest of it is needed.
PARTS: dict[str, tuple[str, ...]] = {
    "income": ("annual_income",),
    "safeguarding": ("safeguarding_lead_name", "safeguarding_lead_email"),
    "bank": BANK_FIELDS,
}
MAX_INCOME_PENCE = 100_000_000_000_000  # £1 trillion: anything more is a typing slip

# ASCII only: a full-width or Arabic-Indic digit is not a digit here.
CHARITY_NUMBER = re.compile(r"[0-9]{6,8}|SC[0-9]{6}")
COMPANY_NUMBER = re.compile(r"[0-9]{8}|[A-Z]{2}[0-9]{6}")
POSTCODE_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
POSTCODE_INWARD = re.compile(r"[0-9][A-Z]{2}")
MONEY = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
SORT_CODE = re.compile(r"[0-9]{6}")
ACCOUNT_NUMBER = re.compile(r"[0-9]{8}")


class OrganisationError(Exception):
    """Details that cannot be saved; `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        self.field = next(iter(errors))
        super().__init__(errors[self.field])


@dataclass(frozen=True)
class Details:
    """An organisation's details as typed: plain strings, checked by `check_details`."""

    name: str = ""
    org_type: str = ""
    charity_number: str = ""
    company_number: str = ""
    urn: str = ""  # a school's unique reference number (Get Information about Schools)
    public_body_id: str = ""  # a public body's org-id on its register: GB-LAE-LDS, GB-NHS-RR8
    address_line_1: str = ""
    address_line_2: str = ""
    town: str = ""
    postcode: str = ""
    district: str = ""
    annual_income: str = ""
    safeguarding_lead_name: str = ""
    safeguarding_lead_email: str = ""
    bank_account_name: str = ""
    bank_sort_code: str = ""
    bank_account_number: str = ""

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> Details:
        return cls(**{f.name: str(values.get(f.name) or "") for f in fields(cls)})


# The shape of each value. Each returns the value to store, or raises ValueError with the message to show.


def _compact(value: str) -> str:
    return re.sub(r"[\s\-–—]", "", value).upper()


def normalise_charity_number(value: str) -> str:
    number = _compact(value)
    if not CHARITY_NUMBER.fullmatch(number):
        raise ValueError("Enter a charity number in the correct format, like 1123456 or SC012345")
    return number


def normalise_company_number(value: str) -> str:
    number = _compact(value)
    if not COMPANY_NUMBER.fullmatch(number):
        raise ValueError("Enter a Companies House number in the correct format, like 01234567 or SC123456")
    return number


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s", "", value).upper()
    outward, inward = compact[:-3], compact[-3:]
    if not (POSTCODE_OUTWARD.fullmatch(outward) and POSTCODE_INWARD.fullmatch(inward)):
        raise ValueError("Enter a real postcode, like LS1 2AB")
    return f"{outward} {inward}"


def normalise_sort_code(value: str) -> str:
    digits = re.sub(r"[\s\-–—]", "", value)
    if not SORT_CODE.fullmatch(digits):
        raise ValueError("Enter a valid sort code, like 30-94-30")
    return digits


def normalise_account_number(value: str) -> str:
    digits = re.sub(r"[\s\-–—]", "", value)
    if not ACCOUNT_NUMBER.fullmatch(digits):
        raise ValueError("Enter a valid account number, like 00733445. It must be 8 digits long")
    return digits


def parse_pounds(value: str, label: str = "Annual income") -> int:
    """'£12,500.50' -> 1250050 pence. Refuses negative, non-numeric and more than two decimal places."""
    text = re.sub(r"\s", "", value).replace(",", "")
    negative = text.startswith(("-", "£-"))
    text = text.lstrip("-").removeprefix("£").lstrip("-")
    if not MONEY.fullmatch(text):
        raise ValueError(f"{label} must be an amount of money in pounds, like 12,500 or £12,500.50")
    if negative:
        raise ValueError(f"{label} must be £0 or more")
    pence = int(Decimal(text) * 100)
    if pence >= MAX_INCOME_PENCE:
        raise ValueError(f"{label} must be less than £1,000,000,000,000")
    return pence


def pounds_text(pence: int | None) -> str:
    """1250050 -> '12,500.50' (and 1250000 -> '12,500'), as a person would type it."""
    if pence is None:
        return ""
    pounds, rest = divmod(pence, 100)
    return f"{pounds:,}" + (f".{rest:02d}" if rest else "")


def _email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError("Enter an email address in the correct format, like name@example.com") from None


REQUIRED = {
    "name": "Enter the name of the organisation",
    "org_type": "Select the type of organisation",
    "address_line_1": "Enter address line 1, typically the building and street",
    "town": "Enter the town or city",
    "postcode": "Enter the postcode",
    "district": "Select the district where your organisation is based",
    "annual_income": "Enter the organisation's annual income",
    "safeguarding_lead_name": "Enter the full name of your safeguarding lead",
    "safeguarding_lead_email": "Enter the email address of your safeguarding lead",
    "bank_account_name": "Enter the name on the account",
    "bank_sort_code": "Enter the sort code",
    "bank_account_number": "Enter the account number",
}
MAX_LENGTHS = {
    "name": ("Name of the organisation", 200),
    "address_line_1": ("Address line 1", 200),
    "address_line_2": ("Address line 2", 200),
    "town": ("Town or city", 100),
    "safeguarding_lead_name": ("Safeguarding lead's name", 200),
    "safeguarding_lead_email": ("Safeguarding lead's email address", 320),
    "bank_account_name": ("Name on the account", 200),
}
SHAPES: dict[str, Callable[[str], Any]] = {
    "charity_number": normalise_charity_number,
    "company_number": normalise_company_number,
    "urn": lambda raw: _urn(raw),
    "public_body_id": lambda raw: _public_body_id(raw),
    "postcode": normalise_postcode,
    "annual_income": parse_pounds,
    "safeguarding_lead_email": _email,
    "bank_sort_code": normalise_sort_code,
    "bank_account_number": normalise_account_number,
}
COLUMN = {"annual_income": "annual_income_pence", "urn": "other_identifier", "public_body_id": "other_identifier"}
URN_PREFIX = "GB-EDU-"
# The field that holds the register identifier of each type of organisation that has one there.
IDENTIFIER_FIELD = {"school": "urn", "public_body": "public_body_id"}
# The registers of public bodies (org-id.guide) and the shape of their identifiers.
PUBLIC_BODY_ID = re.compile(
    r"GB-LAE-[A-Z]{3,4}"  # local authorities in England (Local Authority register): GB-LAE-LDS
    r"|GB-NHS-[A-Z0-9]{3,5}"  # NHS organisations (ODS code): GB-NHS-RR8
    r"|GB-GOR-[A-Z]{1,3}[0-9]{1,5}"  # central government and its bodies (Government Organisation Register)
    r"|GB-UKPRN-1[0-9]{7}"  # education and training providers (UK Register of Learning Providers)
)


def _urn(raw: str) -> str:
    """A school's URN as its org-id: GB-EDU-123456 (six digits, as Get Information about Schools gives it)."""
    digits = raw.replace(" ", "").upper().removeprefix(URN_PREFIX)
    if not (digits.isdigit() and len(digits) == 6):
        raise ValueError("Enter the school's URN: 6 digits, as Get Information about Schools shows it, like 107516")
    return URN_PREFIX + digits


def _public_body_id(raw: str) -> str:
    """A public body's org-id: its register's prefix and its number there, capitals, no spaces."""
    identifier = raw.replace(" ", "").upper()
    if not PUBLIC_BODY_ID.fullmatch(identifier):
        raise ValueError(
            "Enter the public body's identifier with its register, like GB-LAE-LDS for a council in England "
            "or GB-NHS-RR8 for an NHS trust"
        )
    return identifier


def _typed(details: Details, name: str) -> str:
    return " ".join(getattr(details, name).split())  # one line: no tabs, no line breaks


def _blank_parts(details: Details, saved_bank: frozenset[str]) -> set[str]:
    """The optional parts with nothing typed (a bank part with saved details keeps them: not blank)."""
    blank = set()
    for part, names in PARTS.items():
        if not any(_typed(details, name) for name in names) and not (part == "bank" and saved_bank):
            blank.add(part)
    return blank


def check_details(
    details: Details, saved_bank: frozenset[str] = frozenset(), part: str | None = None
) -> dict[str, Any]:
    """The column values to store; raises OrganisationError naming every field that is wrong.

    A bank field in `saved_bank` already holds a value: left blank, it keeps that value
    (it is then absent from the result). With `part` (a key of PARTS) only that part is checked,
    every field of it needed, and only its values returned; without, the whole profile, where a
    part of PARTS left wholly blank is not needed yet (it is stored as not given).
    """
    if part is not None:
        return _check_part(details, saved_bank, part)
    optional = {name for blank in _blank_parts(details, saved_bank) for name in PARTS[blank]}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    identifier_field = IDENTIFIER_FIELD.get(_typed(details, "org_type"))
    for field in fields(Details):
        name = field.name
        raw = _typed(details, name)
        column = COLUMN.get(name, name)
        if name in IDENTIFIER_FIELD.values() and name != identifier_field:
            continue  # another type's register identifier: not this organisation's
        if not raw:
            if name in BANK_FIELDS and name in saved_bank:
                continue
            if name in REQUIRED and name not in optional:
                errors[name] = REQUIRED[name]
            values[column] = None
            continue
        if name in MAX_LENGTHS and len(raw) > MAX_LENGTHS[name][1]:
            label, limit = MAX_LENGTHS[name]
            errors[name] = f"{label} must be {limit} characters or fewer"
            continue
        shape = SHAPES.get(name)
        try:
            values[column] = shape(raw) if shape else raw
        except ValueError as exc:
            errors[name] = str(exc)
    if "org_type" not in errors and values["org_type"] not in ORGANISATION_TYPES:
        errors["org_type"] = REQUIRED["org_type"]
    if "district" not in errors and values["district"] not in DISTRICTS:
        errors["district"] = REQUIRED["district"]
    org_type = values.get("org_type")
    if org_type in NEEDS_CHARITY_NUMBER and not details.charity_number.strip():
        errors["charity_number"] = "Enter the charity number: registered charities and CIOs must give one"
    if org_type in NEEDS_COMPANY_NUMBER and not details.company_number.strip():
        errors["company_number"] = (
            "Enter the Companies House number: CICs and companies limited by guarantee must give one"
        )
    if org_type == "school" and not details.urn.strip():
        errors["urn"] = "Enter the school's URN: schools must give one"
    if org_type == "public_body" and not details.public_body_id.strip():
        errors["public_body_id"] = "Enter the public body's identifier: public bodies must give one"
    if identifier_field is None:
        values.pop("other_identifier", None)  # typed only for schools and public bodies; others' is kept
    _raise_if(errors)
    return values


def _check_part(details: Details, saved_bank: frozenset[str], part: str) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in PARTS[part]:
        raw = _typed(details, name)
        if not raw:
            if name not in saved_bank:
                errors[name] = REQUIRED[name]
            continue
        if name in MAX_LENGTHS and len(raw) > MAX_LENGTHS[name][1]:
            label, limit = MAX_LENGTHS[name]
            errors[name] = f"{label} must be {limit} characters or fewer"
            continue
        shape = SHAPES.get(name)
        try:
            values[COLUMN.get(name, name)] = shape(raw) if shape else raw
        except ValueError as exc:
            errors[name] = str(exc)
    _raise_if(errors)
    return values


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        order = [f.name for f in fields(Details)]
        raise OrganisationError({name: errors[name] for name in order if name in errors})
