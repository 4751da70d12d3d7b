"""360Giving grants as the writers take them (exports/threesixtygiving.py, exports/threesixtygiving_xlsx.py).

grants/open_data/queries.py reads them from the database; the writers never query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

CURRENCY = "GBP"
GEO_CODE_TYPE = "LAD"  # local authority district (360Giving geoCodeType codelist)


@dataclass(frozen=True, slots=True)
class Location:
    name: str
    geo_code: str | None


@dataclass(slots=True)
class Recipient:
    identifier: str
    name: str
    charity_number: str | None
    company_number: str | None
    postal_code: str | None
    town: str | None


@dataclass(slots=True)
class Grant:
    identifier: str
    reference: str
    title: str
    description: str
    amount_pence: int
    award_date: date
    starts_on: date | None
    ends_on: date | None
    recipient: Recipient
    locations: tuple[Location, ...]
    programme_title: str
    programme_code: str
    from_open_call: str
    modified: datetime


@dataclass(frozen=True)
class Funder:
    identifier: str
    name: str
