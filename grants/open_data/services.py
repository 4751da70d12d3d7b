"""Open data: the programmes' awarded grants, published to the 360Giving Data Standard.

Everything here is public (it is published data): no permission checks, no personal data beyond
what the export itself publishes (see queries.py and publish.py). Publisher details come from
config: THREESIXTYGIVING_PREFIX, FUNDER_ORG_ID, FUNDER_NAME and (optionally) THREESIXTYGIVING_LICENSE.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import func, select

from exports.threesixtygiving import DEFAULT_LICENSE, package_metadata
from exports.threesixtygiving_grants import Grant
from exports.threesixtygiving_xlsx import write_grants_xlsx
from grants.extensions import db
from grants.formatting import money
from grants.models import Award, Programme
from grants.open_data import publish
from grants.open_data.queries import (
    Publication,
    PublicationError,
    iter_grants,
    open_publication,
    published_awards,
)
from grants.workflow_states import states

LICENSE_NAME = "Open Government Licence v3.0"
FORMATS = ("json", "xlsx")


class NotPublished(Exception):
    """The programme does not exist or has nothing published; the message is for people."""


@dataclass(frozen=True)
class PublishedProgramme:
    code: str
    name: str
    grants: int
    total_pence: int
    latest_award: datetime | None

    def filename(self, output_format: str) -> str:
        return download_filename(self.code, output_format)


def publisher() -> dict[str, str]:
    config = current_app.config
    return {
        "prefix": config["THREESIXTYGIVING_PREFIX"],
        "funder_id": config["FUNDER_ORG_ID"],
        "funder_name": config["FUNDER_NAME"],
        "data_source": access_url(),  # each grant's dataSource: the public open data page
    }


def license_url() -> str:
    return str(current_app.config.get("THREESIXTYGIVING_LICENSE") or DEFAULT_LICENSE)


def license_name() -> str:
    return LICENSE_NAME if license_url() == DEFAULT_LICENSE else license_url()


def download_filename(programme_code: str, output_format: str) -> str:
    return f"{current_app.config['THREESIXTYGIVING_PREFIX']}-{programme_code}.{output_format}"


def download_url(programme_code: str, output_format: str) -> str:
    """The file's address from SERVICE_URL (never from the request's Host header, which a caller controls)."""
    return f"{current_app.config['SERVICE_URL'].rstrip('/')}/open-data/{programme_code}.{output_format}"


def access_url() -> str:
    return f"{current_app.config['SERVICE_URL'].rstrip('/')}/open-data/"


def programmes() -> list[PublishedProgramme]:
    """Every programme with its published grants' count, total and latest award date: one statement."""
    rows = db.session.execute(
        select(
            Programme.code,
            Programme.name,
            func.count(Award.id),
            func.coalesce(func.sum(Award.amount_pence), 0),
            func.max(Award.decided_at),
        )
        .outerjoin(Award, published_awards(Programme.id))
        .group_by(Programme.id, Programme.code, Programme.name)
        .order_by(Programme.name)
    ).all()
    return [PublishedProgramme(code, name, int(count), int(total), latest) for code, name, count, total, latest in rows]


def _publication(programme_code: str) -> Publication:
    try:
        return open_publication(db.session, programme_code, **publisher())
    except PublicationError as exc:
        raise NotPublished(str(exc)) from exc


def json_download(programme_code: str) -> Iterator[str]:
    """The JSON package as text chunks; raises NotPublished at once (before the first chunk) if there is none."""
    publication = _publication(programme_code)
    metadata = package_metadata(
        publication,
        license_url=license_url(),
        access_url=access_url(),
        download_url=download_url(publication.programme_code, "json"),
    )
    return publish.json_chunks(db.session, publication, metadata)


def xlsx_download(programme_code: str) -> IO[bytes]:
    """The spreadsheet in an anonymous temporary file, rewound for sending; raises NotPublished."""
    publication = _publication(programme_code)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - the response closes it
    try:
        write_grants_xlsx(iter_grants(db.session, publication), publication.funder, handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def output_format_for(path: Path, given: str | None) -> str:
    """--format if given, else from the file's extension; raises NotPublished with what to do."""
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise NotPublished("Say which format to write: --format json or --format xlsx (or name the file .json or .xlsx).")


def export_to_file(
    programme_code: str,
    path: Path,
    output_format: str,
    counted: Callable[[Iterator[Grant]], Iterator[Grant]] | None = None,
) -> publish.Written:
    """Write the file whole or not at all (temporary file, then rename); raises NotPublished."""
    if not path.parent.is_dir():
        raise NotPublished(f"The folder {str(path.parent)!r} does not exist.")
    if output_format not in FORMATS:
        raise NotPublished(f"Unknown format {output_format!r}: use json or xlsx.")
    try:
        return publish.save(
            db.session,
            programme_code,
            path,
            "json" if output_format == "json" else "xlsx",
            license_url=license_url(),
            access_url=access_url(),
            download_url=download_url(programme_code, output_format),
            counted=counted,
            **publisher(),
        )
    except PublicationError as exc:
        raise NotPublished(str(exc)) from exc


def describe(written: publish.Written) -> str:
    noun = "grant" if written.count == 1 else "grants"
    return f"{written.count} {noun}, {money(written.total_pence)} in total"


def template_context() -> dict[str, Any]:
    return {
        "programmes": programmes(),
        "license_url": license_url(),
        "license_name": license_name(),
        "prefix": current_app.config["THREESIXTYGIVING_PREFIX"],
        "funder_name": current_app.config["FUNDER_NAME"],
        "funder_id": current_app.config["FUNDER_ORG_ID"],
        "published_states": sorted(states("award", "published")),
    }
