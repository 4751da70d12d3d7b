"""A subject-access export: everything the service holds about one person, as a zip.

`person.json` holds their account and every row that names them: found from the schema, not from a
list kept by hand, so a new table with a link to `users` is included the day it is added (every
column with a foreign key to `users.id`, and the columns that hold email addresses). Secrets (hashes
of passwords, tokens and codes, authenticator keys) are withheld and say so. The files they uploaded
are under `files/`. Making an export is itself audited.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

import sqlalchemy as sa

from grants import audit
from grants.apply import uploads
from grants.backup import encode_value
from grants.extensions import db
from grants.formatting import london_today
from grants.models import Document, User

WITHHELD = "(withheld: a secret, not information about you)"
_SECRET = re.compile(r"(_hash|secret|^totp_last_step)$")
_EMAIL_COLUMNS = {
    ("outbox_messages", "recipient"),
    ("invitations", "email"),
    ("organisations", "safeguarding_lead_email"),
}
_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Export:
    tables: dict[str, int]
    files: int

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _row(table: sa.Table, row: Any) -> dict[str, Any]:
    return {
        column.name: WITHHELD if _SECRET.search(column.name) and value is not None else encode_value(value)
        for column, value in zip(table.columns, row, strict=True)
    }


def _conditions(table: sa.Table, user: User) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    for column in table.columns:
        if any(fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys):
            found.append(column == user.id)
        elif (table.name, column.name) in _EMAIL_COLUMNS:
            found.append(sa.func.lower(column) == user.email.lower())
    return found


def records_of(user: User) -> dict[str, list[dict[str, Any]]]:
    """Every row naming the person, by table (their account under "users")."""
    records: dict[str, list[dict[str, Any]]] = {}
    for table in db.metadata.sorted_tables:
        conditions = [table.c.id == user.id] if table.name == "users" else _conditions(table, user)
        if not conditions:
            continue
        order = list(table.primary_key.columns)
        rows = db.session.execute(sa.select(table).where(sa.or_(*conditions)).order_by(*order)).all()
        if rows:
            records[table.name] = [_row(table, row) for row in rows]
    return records


def write_export(user: User, target: IO[bytes], upload_folder: str, actor: Any = None) -> Export:
    """Write the person's records and uploaded files to `target` (a zip); audit that it was made."""
    records = records_of(user)
    documents: list[Document] = list(db.session.scalars(select_documents(user)))
    files = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "person.json",
            json.dumps(
                {
                    "exported_at": datetime.now(UTC).isoformat(),
                    "person": {"name": user.name, "email": user.email},
                    "about": "Every record grantflow holds that names this person, by table; uploaded files in files/.",
                    "records": records,
                },
                indent=1,
                ensure_ascii=False,
                sort_keys=True,
            ),
        )
        for document in documents:
            try:
                path = uploads.path_of(upload_folder, document.stored_name)
            except uploads.UploadError:
                continue
            if path.is_file():
                archive.write(path, f"files/{document.id}-{_FILE_NAME.sub('_', document.original_name)[:100]}")
                files += 1
    audit.record_on_user(user, actor=actor, action="subject_access_export", data={"tables": len(records)})
    db.session.commit()
    return Export(tables={name: len(rows) for name, rows in records.items()}, files=files)


def select_documents(user: User) -> sa.Select[Any]:
    return sa.select(Document).where(Document.uploaded_by_id == user.id).order_by(Document.id)


def today_text() -> str:
    return london_today().isoformat()
