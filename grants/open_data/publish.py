"""Publishing a programme's grants: the grants read by queries.py, handed to the 360Giving writers.

`write_json` (a 360Giving data package) and `write_xlsx` (the 360Giving spreadsheet) write to a
stream, `save` to a file whole or not at all. Nothing here needs a Flask app: the caller passes the
session and the publisher's details, so a benchmark or a script can call it as well as the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from exports import threesixtygiving as json_writer
from exports.threesixtygiving import DEFAULT_LICENSE, package_metadata, text_writer
from exports.threesixtygiving_grants import Grant
from exports.threesixtygiving_xlsx import write_grants_xlsx
from exports.xlsx import write_atomically
from grants.open_data.queries import PAGE_SIZE, AnySession, Publication, iter_grants, open_publication

Format = Literal["json", "xlsx"]


@dataclass(frozen=True)
class Written:
    path: Path
    output_format: str
    count: int
    total_pence: int


def json_chunks(
    session: AnySession, publication: Publication, metadata: dict[str, Any], page_size: int = PAGE_SIZE
) -> Iterator[str]:
    """The package as JSON text, `page_size` grants a chunk, read `page_size` rows at a time."""
    grants = iter_grants(session, publication, page_size)
    return json_writer.json_chunks(grants, publication.funder, metadata, page_size)


def write_json(
    session: AnySession,
    programme_code: str,
    fileobj: IO[str] | IO[bytes],
    *,
    prefix: str,
    funder_id: str,
    funder_name: str,
    data_source: str | None = None,
    license_url: str = DEFAULT_LICENSE,
    access_url: str | None = None,
    download_url: str | None = None,
) -> int:
    """Write the programme's published grants as a 360Giving JSON package to `fileobj`; return how many.

    Published: awards of the programme with a decision date in the states preparing, offered,
    accepted, active, suspended or closed (not declined, not cancelled), in reference order. Grants are
    streamed from one statement and written a page at a time, so memory stays flat however many there are.
    Raises UnknownProgramme or NothingToPublish (before writing anything).
    """
    publication = open_publication(
        session, programme_code, prefix=prefix, funder_id=funder_id, funder_name=funder_name, data_source=data_source
    )
    package = package_metadata(publication, license_url=license_url, access_url=access_url, download_url=download_url)
    write = text_writer(fileobj)
    for chunk in json_chunks(session, publication, package):
        write(chunk)
    return publication.count


def write_xlsx(
    session: AnySession,
    programme_code: str,
    fileobj: IO[bytes] | str | os.PathLike[str],
    *,
    prefix: str,
    funder_id: str,
    funder_name: str,
    data_source: str | None = None,
) -> int:
    """Write the programme's published grants as a 360Giving spreadsheet; return how many (see write_json)."""
    publication = open_publication(
        session, programme_code, prefix=prefix, funder_id=funder_id, funder_name=funder_name, data_source=data_source
    )
    write_grants_xlsx(iter_grants(session, publication), publication.funder, fileobj)
    return publication.count


def save(
    session: AnySession,
    programme_code: str,
    path: str | os.PathLike[str],
    output_format: Format,
    *,
    prefix: str,
    funder_id: str,
    funder_name: str,
    data_source: str | None = None,
    license_url: str = DEFAULT_LICENSE,
    access_url: str | None = None,
    download_url: str | None = None,
    counted: Callable[[Iterator[Grant]], Iterator[Grant]] | None = None,
) -> Written:
    """Write to a temporary file beside `path`, then rename it into place: a failure leaves no file.

    `counted` sees each grant go by (a background job's progress)."""
    target = Path(path)
    publication = open_publication(
        session, programme_code, prefix=prefix, funder_id=funder_id, funder_name=funder_name, data_source=data_source
    )
    grants = iter_grants(session, publication)
    if counted is not None:
        grants = counted(grants)
    if output_format == "json":
        package = package_metadata(
            publication, license_url=license_url, access_url=access_url, download_url=download_url
        )

        def write(temporary: str) -> None:
            with open(temporary, "w", encoding="utf-8") as out:
                for chunk in json_writer.json_chunks(grants, publication.funder, package, PAGE_SIZE):
                    out.write(chunk)

        write_atomically(target, write)
    else:
        write_grants_xlsx(grants, publication.funder, target)
    return Written(target, output_format, publication.count, publication.total_pence)
