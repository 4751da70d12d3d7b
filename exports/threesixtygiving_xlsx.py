"""360Giving grants as the 360Giving spreadsheet: the standard's column titles on a "grants" sheet.

As the 360Giving spreadsheet template and flatten-tool lay it out: one row per grant (a single
beneficiary location rolled up into it) and a "Beneficiary Location" sheet (one row per location
of the grants with more than one, joined by Identifier). A writer (exports/xlsx.py's sheets, the
grants from grants/open_data/queries.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

from openpyxl import Workbook

from exports.threesixtygiving_grants import CURRENCY, Funder, Grant, Location, geo_code_type
from exports.xlsx import Column, Sheet, Target, save

AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"

GRANT_COLUMNS = [
    Column("Identifier", 26),
    Column("Title", 40),
    Column("Description", 60),
    Column("Currency", 10),
    Column("Amount Awarded", 16),
    Column("Award Date", 12),
    Column("Planned Dates:Start Date", 14),
    Column("Planned Dates:End Date", 14),
    Column("Recipient Org:Identifier", 26),
    Column("Recipient Org:Name", 36),
    Column("Recipient Org:Charity Number", 14),
    Column("Recipient Org:Company Number", 14),
    Column("Recipient Org:City", 16),
    Column("Recipient Org:Postal Code", 12),
    Column("Funding Org:Identifier", 16),
    Column("Funding Org:Name", 36),
    Column("Beneficiary Location:Name", 20),
    Column("Beneficiary Location:Geographic Code", 14),
    Column("Beneficiary Location:Geographic Code Type", 12),
    Column("Grant Programme:Title", 40),
    Column("Grant Programme:Code", 14),
    Column("From An Open Call?", 10),
    Column("Last Modified", 20),
    Column("Data Source", 30),
]
LOCATION_COLUMNS = [
    Column("Identifier", 26),
    Column("Beneficiary Location:Name", 20),
    Column("Beneficiary Location:Geographic Code", 14),
    Column("Beneficiary Location:Geographic Code Type", 12),
]
GRANTS_SHEET, LOCATIONS_SHEET = "grants", "Beneficiary Location"


def optional_text(sheet: Sheet, value: str | None) -> Any:
    return sheet.text(value) if value else None


def _location_cells(sheet: Sheet, location: Location | None) -> list[Any]:
    if location is None:
        return [None, None, None]
    return [
        sheet.text(location.name),
        sheet.text(location.geo_code) if location.geo_code else None,
        optional_text(sheet, geo_code_type(location.geo_code)) if location.geo_code else None,
    ]


def _grant_row(sheet: Sheet, grant: Grant, funder: Funder) -> list[Any]:
    recipient = grant.recipient
    single = grant.locations[0] if len(grant.locations) == 1 else None

    def optional(value: str | None) -> Any:
        return sheet.text(value) if value else None

    return [
        sheet.text(grant.identifier),
        sheet.text(grant.title),
        sheet.text(grant.description),
        sheet.text(CURRENCY),
        sheet.money(grant.amount_pence, AMOUNT_FORMAT),
        sheet.formatted(grant.award_date, DATE_FORMAT),
        sheet.formatted(grant.starts_on, DATE_FORMAT) if grant.starts_on else None,
        sheet.formatted(grant.ends_on, DATE_FORMAT) if grant.ends_on else None,
        sheet.text(recipient.identifier),
        sheet.text(recipient.name),
        optional(recipient.charity_number),
        optional(recipient.company_number),
        optional(recipient.town),
        optional(recipient.postal_code),
        sheet.text(funder.identifier),
        sheet.text(funder.name),
        *_location_cells(sheet, single),
        sheet.text(grant.programme_title),
        sheet.text(grant.programme_code),
        sheet.text(grant.from_open_call),
        # Excel has no time zones: the moment is written in UTC.
        sheet.formatted(grant.modified.astimezone(UTC).replace(tzinfo=None, microsecond=0), DATETIME_FORMAT),
        optional(grant.data_source),
    ]


def build_workbook(grants: Iterable[Grant], funder: Funder, workbook: Workbook) -> None:
    """The "grants" sheet and the "Beneficiary Location" sheet, filled as the grants come."""
    grant_sheet = Sheet(workbook, GRANTS_SHEET, GRANT_COLUMNS)
    locations = Sheet(workbook, LOCATIONS_SHEET, LOCATION_COLUMNS)
    for grant in grants:
        grant_sheet.append(_grant_row(grant_sheet, grant, funder))
        if len(grant.locations) > 1:
            for location in grant.locations:
                locations.append([locations.text(grant.identifier), *_location_cells(locations, location)])
    grant_sheet.finish()
    locations.finish()


def write_grants_xlsx(grants: Iterable[Grant], funder: Funder, target: Target) -> None:
    """Write the spreadsheet to a path (whole or not at all) or a binary stream."""
    save(lambda workbook: build_workbook(grants, funder, workbook), target)
