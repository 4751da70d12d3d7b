"""360Giving grants as the writers take them (exports/threesixtygiving.py, exports/threesixtygiving_xlsx.py).

grants/open_data/queries.py reads them from the database; the writers never query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

CURRENCY = "GBP"
# The 360Giving geoCodeType codelist's code for an ONS area code, by its entity prefix (E08: metropolitan
# districts, such as the five of West Yorkshire; E06 and W06: unitary authorities; ...).
GEO_CODE_TYPES = {"E05": "WD", "E06": "UA", "E07": "NMD", "E08": "MD", "E09": "LONB", "E10": "CTY",
                  "E22": "CSP", "E23": "PFA", "S12": "CA", "W06": "UA"}  # fmt: skip


def geo_code_type(geo_code: str) -> str | None:
    """The codelist code for an ONS code ("E08000035" → "MD"); None for one the codelist has no type for."""
    return GEO_CODE_TYPES.get(geo_code[:3].upper())


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
    data_source: str | None = None  # the public page the data comes from


@dataclass(frozen=True)
class Funder:
    identifier: str
    name: str
