"""How a recipient is identified in 360Giving data: its org-id (org-id.guide), best register first."""

from __future__ import annotations


def clean_number(number: str | None) -> str:
    return "".join(number.split()).upper() if number else ""


def company_number(number: str | None) -> str:
    """A Companies House number as registered: 8 characters, so digits are zero-padded (7654321 → 07654321)."""
    cleaned = clean_number(number)
    return cleaned.zfill(8) if cleaned.isdigit() else cleaned


def charity_identifier(number: str) -> str:
    """GB-SC-SC012345 (OSCR keeps its SC), GB-NIC-104226 (CCNI without NIC), else GB-CHC-1187654."""
    cleaned = clean_number(number)
    if cleaned.startswith("SC"):
        return f"GB-SC-{cleaned}"
    if cleaned.startswith("NIC"):
        return f"GB-NIC-{cleaned[3:]}"
    return f"GB-CHC-{cleaned}"


def organisation_identifier(
    *,
    organisation_id: int,
    org_type: str | None,
    charity_number: str | None,
    company_number_: str | None,
    other_identifier: str | None,
    prefix: str,
) -> str:
    """The recipient's org-id, best first (org-id.guide ranks charity registers above Companies House).

    1. A community interest company with a company number: GB-COH-… (a CIC cannot be a registered
       charity, so a charity number recorded for one is not trusted over its company number).
    2. A charity number: GB-CHC-… (England and Wales), GB-SC-SC… (Scotland), GB-NIC-… (Northern Ireland).
    3. A company number: GB-COH-… (zero-padded to 8 characters).
    4. The identifier recorded for a public body or school (GB-LAE-…, GB-NHS-…, GB-EDU-…).
    5. Otherwise our own: {prefix}-ORG-{organisation id}.
    """
    return cleaned_org_id(
        organisation_id,
        org_type,
        clean_number(charity_number),
        company_number(company_number_),
        other_identifier,
        prefix,
    )


def cleaned_org_id(
    organisation_id: int, org_type: str | None, charity: str, company: str, other: str | None, prefix: str
) -> str:
    """organisation_identifier, given the cleaned charity number and the registered company number."""
    if org_type == "cic" and company:
        return f"GB-COH-{company}"
    if charity:
        return charity_identifier(charity)
    if company:
        return f"GB-COH-{company}"
    other = (other or "").strip()
    return other or f"{prefix}-ORG-{organisation_id}"
