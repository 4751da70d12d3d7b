"""360Giving grants as a JSON data package (the 360Giving Data Standard, schema 1.4).

``{"version": "1.4", ..., "license": ..., "grants": [...]}``, written a page of grants at a time
(`json_chunks`), so however many grants there are the whole text is never in memory. A writer:
the grants (exports/threesixtygiving_grants.py) come from grants/open_data/queries.py, and
grants/open_data/publish.py hands them over. The spreadsheet form is exports/threesixtygiving_xlsx.py.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
from typing import Any, Protocol

from exports.threesixtygiving_grants import CURRENCY, Funder, Grant, Location, geo_code_type
from grants.formatting import pounds, pounds_text

STANDARD_VERSION = "1.4"
# The UK public sector's default open licence (Open Definition conformant, as 360Giving asks).
DEFAULT_LICENSE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
PAGE_SIZE = 500  # grants per chunk


class Package(Protocol):
    """Whose grants the package holds: the programme and its publisher."""

    @property
    def programme_code(self) -> str: ...
    @property
    def programme_name(self) -> str: ...
    @property
    def prefix(self) -> str: ...
    @property
    def funder(self) -> Funder: ...
    @property
    def first_decided(self) -> datetime | None: ...
    @property
    def last_modified(self) -> datetime | None: ...


def rfc3339(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="seconds")


def grant_object(grant: Grant, funder: Funder) -> tuple[dict[str, Any], dict[str, Any]]:
    """The grant's JSON object in two parts, before and after "amountAwarded" (written as a Decimal)."""
    recipient: dict[str, Any] = {"id": grant.recipient.identifier, "name": grant.recipient.name}
    if grant.recipient.charity_number:
        recipient["charityNumber"] = grant.recipient.charity_number
    if grant.recipient.company_number:
        recipient["companyNumber"] = grant.recipient.company_number
    if grant.recipient.town:
        recipient["addressLocality"] = grant.recipient.town
    if grant.recipient.postal_code:
        recipient["postalCode"] = grant.recipient.postal_code
    before = {"id": grant.identifier, "title": grant.title, "description": grant.description, "currency": CURRENCY}
    after: dict[str, Any] = {"awardDate": grant.award_date.isoformat()}
    planned: dict[str, str] = {}
    if grant.starts_on:
        planned["startDate"] = grant.starts_on.isoformat()
    if grant.ends_on:
        planned["endDate"] = grant.ends_on.isoformat()
    if planned:
        after["plannedDates"] = [planned]
    after["recipientOrganization"] = [recipient]
    after["fundingOrganization"] = [{"id": funder.identifier, "name": funder.name}]
    if grant.locations:
        after["beneficiaryLocation"] = [_location(location) for location in grant.locations]
    after["grantProgramme"] = [{"code": grant.programme_code, "title": grant.programme_title}]
    after["fromOpenCall"] = grant.from_open_call
    after["dateModified"] = rfc3339(grant.modified)
    if grant.data_source:
        after["dataSource"] = grant.data_source
    return before, after


def _location(location: Location) -> dict[str, str]:
    found = {"name": location.name}
    if location.geo_code:
        found["geoCode"] = location.geo_code
        kind = geo_code_type(location.geo_code)
        if kind:
            found["geoCodeType"] = kind
    return found


def grant_json(grant: Grant, funder: Funder) -> str:
    """One grant as JSON text; the amount is the exact decimal, e.g. 506.10, never a float.

    The plain form: json.dumps of `grant_object`. The export writes with `GrantEncoder`, which makes the
    same text faster (tests compare the two).
    """
    before, after = grant_object(grant, funder)
    amount = format(pounds(grant.amount_pence), "f")
    return f'{json.dumps(before)[:-1]}, "amountAwarded": {amount}, {json.dumps(after)[1:]}'


_text = encode_basestring_ascii  # a JSON string, as json.dumps writes it (ASCII, with \uXXXX escapes)


class GrantEncoder:
    """Grants as JSON text, character for character what `grant_json` writes, two to three times faster.

    The text is put together from the grant's fields, each string escaped by json's own C function,
    instead of building two dicts per grant and encoding them; the parts that are the same for many
    grants (the funding organisation, a programme, a set of districts) are encoded once.
    """

    def __init__(self, funder: Funder) -> None:
        self._funder = f'"fundingOrganization": [{{"id": {_text(funder.identifier)}, "name": {_text(funder.name)}}}]'
        self._locations: dict[tuple[Location, ...], str] = {}
        self._programmes: dict[tuple[str, str], str] = {}

    def _locations_text(self, locations: tuple[Location, ...]) -> str:
        found = self._locations.get(locations)
        if found is None:
            found = f', "beneficiaryLocation": {json.dumps([_location(location) for location in locations])}'
            if len(self._locations) < 1000:  # a few district sets in practice; bounded regardless
                self._locations[locations] = found
        return found

    def _programme_text(self, code: str, title: str) -> str:
        found = self._programmes.get((code, title))
        if found is None:
            found = f'"grantProgramme": [{{"code": {_text(code)}, "title": {_text(title)}}}]'
            if len(self._programmes) < 1000:
                self._programmes[(code, title)] = found
        return found

    def __call__(self, grant: Grant) -> str:
        recipient = grant.recipient
        org = f'{{"id": {_text(recipient.identifier)}, "name": {_text(recipient.name)}'
        if recipient.charity_number:
            org += f', "charityNumber": {_text(recipient.charity_number)}'
        if recipient.company_number:
            org += f', "companyNumber": {_text(recipient.company_number)}'
        if recipient.town:
            org += f', "addressLocality": {_text(recipient.town)}'
        if recipient.postal_code:
            org += f', "postalCode": {_text(recipient.postal_code)}'
        if grant.starts_on and grant.ends_on:
            planned = f', "plannedDates": [{{"startDate": "{grant.starts_on}", "endDate": "{grant.ends_on}"}}]'
        elif grant.starts_on:
            planned = f', "plannedDates": [{{"startDate": "{grant.starts_on}"}}]'
        elif grant.ends_on:
            planned = f', "plannedDates": [{{"endDate": "{grant.ends_on}"}}]'
        else:
            planned = ""
        locations = self._locations_text(grant.locations) if grant.locations else ""
        return (
            f'{{"id": {_text(grant.identifier)}, "title": {_text(grant.title)}, '
            f'"description": {_text(grant.description)}, "currency": "{CURRENCY}", '
            f'"amountAwarded": {pounds_text(grant.amount_pence)}, "awardDate": "{grant.award_date}"{planned}, '
            f'"recipientOrganization": [{org}}}], {self._funder}{locations}, '
            f"{self._programme_text(grant.programme_code, grant.programme_title)}, "
            f'"fromOpenCall": {_text(grant.from_open_call)}, "dateModified": "{rfc3339(grant.modified)}"'
            + (f', "dataSource": {_text(grant.data_source)}}}' if grant.data_source else "}")
        )


def package_metadata(
    publication: Package,
    *,
    license_url: str = DEFAULT_LICENSE,
    access_url: str | None = None,
    download_url: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The package's own fields (360-giving-package-schema.json): what this file is, who publishes it, its licence."""
    # From the data, so the same data gives the same file: first issued when its first grant was decided,
    # modified when its latest grant last changed (the time of download only when neither is known).
    fallback = now or datetime.now(UTC)
    issued = rfc3339(publication.first_decided or fallback)
    modified = rfc3339(publication.last_modified or fallback)
    metadata: dict[str, Any] = {
        "version": STANDARD_VERSION,
        "title": f"{publication.programme_name}: grants awarded",
        "description": (
            f"Grants awarded by {publication.funder.name} from the {publication.programme_name} "
            f"({publication.programme_code}), in the 360Giving Data Standard. Amounts are each grant's current "
            "amount in pounds; declined and cancelled awards are not included."
        ),
        "identifier": f"{publication.prefix}-{publication.programme_code}",
        "issued": issued,
        "modified": modified,
        "publisher": {"identifier": publication.funder.identifier, "name": publication.funder.name},
        "license": license_url,
    }
    if access_url:
        metadata["accessURL"] = access_url
    if download_url:
        metadata["downloadURL"] = download_url
    return metadata


def json_chunks(
    grants: Iterable[Grant], funder: Funder, metadata: dict[str, Any], page_size: int = PAGE_SIZE
) -> Iterator[str]:
    """The package as JSON text (a grant per line): the opening, then `page_size` grants a chunk, then the
    closing; one chunk per write (or per piece of a streamed response), never the whole file in memory."""
    yield json.dumps(metadata)[:-1] + ', "grants": [\n'
    encode = GrantEncoder(funder)
    batch: list[str] = []
    separator = ""
    for grant in grants:
        batch.append(encode(grant))
        if len(batch) >= page_size:
            yield separator + ",\n".join(batch)
            batch.clear()
            separator = ",\n"
    if batch:
        yield separator + ",\n".join(batch)
    yield "\n]}\n"


def text_writer(fileobj: Any) -> Callable[[str], Any]:
    """Write str to a text stream, UTF-8 bytes to a binary one (the JSON is ASCII either way)."""
    if isinstance(fileobj, io.TextIOBase):
        return fileobj.write
    if isinstance(fileobj, io.RawIOBase | io.BufferedIOBase) or "b" in str(getattr(fileobj, "mode", "")):
        return lambda text: fileobj.write(text.encode("utf-8"))
    return fileobj.write
