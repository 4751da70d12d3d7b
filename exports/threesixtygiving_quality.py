"""The checks 360Giving's data quality tool makes of a package, so a build fails before a reviewer would:
the codes are on the standard's codelists (vendored in exports/standards/360giving/codelists), the
recipients' org-ids use a register's prefix wherever a register number is known, numbers and dates
are well formed, descriptions say more than titles, every grant has a beneficiary location, and no
email address is published in the text.
"""

from __future__ import annotations

import csv
import re
from datetime import date
from functools import cache
from typing import Any

from exports.threesixtygiving_schema import STANDARD

# org-id.guide prefixes for the UK registers a recipient may be on.
REGISTER_PREFIXES = ("GB-CHC-", "GB-SC-", "GB-NIC-", "GB-COH-", "GB-EDU-", "GB-LAE-", "GB-NHS-", "GB-GOR-",
                     "GB-PLA-", "GB-MPR-", "GB-UKPRN-")  # fmt: skip
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
CHARITY_NUMBER = re.compile(r"^(\d{6,8}|SC\d{6}|\d{3,6})$")
COMPANY_NUMBER = re.compile(r"^[A-Z0-9]{8}$")
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$")


@cache
def codelist(name: str) -> frozenset[str]:
    with open(STANDARD / "codelists" / f"{name}.csv", encoding="utf-8") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))


def problems(package: dict[str, Any], *, own_prefix: str, today: date) -> list[str]:
    """Each quality problem as 'grant id: what is wrong'; empty when the package passes."""
    found: list[str] = []
    grants = package.get("grants") or []
    if not grants:
        return ["the package has no grants"]
    for grant in grants:
        found += [f"{grant.get('id')}: {problem}" for problem in _grant_problems(grant, own_prefix, today)]
    return found


def _grant_problems(grant: dict[str, Any], own_prefix: str, today: date) -> list[str]:
    found = []
    if grant.get("currency") not in codelist("currency"):
        found.append(f"currency {grant.get('currency')!r} is not on the codelist")
    if not grant.get("amountAwarded", 0) > 0:
        found.append("amountAwarded is not above 0")
    if grant.get("title", "").strip().casefold() == grant.get("description", "").strip().casefold():
        found.append("the description is the title again")
    for field in ("title", "description"):
        if EMAIL.search(grant.get(field, "")):
            found.append(f"an email address is published in the {field}")
    award_date = date.fromisoformat(grant["awardDate"])
    if award_date > today:
        found.append(f"awardDate {award_date} is in the future")
    for planned in grant.get("plannedDates", []):
        if "startDate" in planned and "endDate" in planned and planned["endDate"] < planned["startDate"]:
            found.append("plannedDates end before they start")
    locations = grant.get("beneficiaryLocation") or []
    if not locations:
        found.append("no beneficiaryLocation")
    for location in locations:
        if "geoCode" not in location:
            found.append(f"beneficiaryLocation {location.get('name')!r} has no geoCode")
        elif location.get("geoCodeType") not in codelist("geoCodeType"):
            found.append(f"geoCodeType {location.get('geoCodeType')!r} is not on the codelist")
    for recipient in grant.get("recipientOrganization", []):
        found += _recipient_problems(recipient, own_prefix)
    return found


def _recipient_problems(recipient: dict[str, Any], own_prefix: str) -> list[str]:
    found = []
    identifier = recipient.get("id", "")
    charity, company = recipient.get("charityNumber"), recipient.get("companyNumber")
    if identifier.startswith(own_prefix):
        if charity or company:
            found.append(f"{identifier} is our own id though a register number is known")
    elif not identifier.startswith(REGISTER_PREFIXES):
        found.append(f"{identifier} does not start with a known org-id prefix")
    if charity and not CHARITY_NUMBER.match(charity):
        found.append(f"charityNumber {charity!r} is not a charity number")
    if company and not COMPANY_NUMBER.match(company):
        found.append(f"companyNumber {company!r} is not a company number")
    postcode = recipient.get("postalCode")
    if postcode and not POSTCODE.match(postcode):
        found.append(f"postalCode {postcode!r} is not a UK postcode")
    return found
