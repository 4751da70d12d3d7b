"""Backing up the whole service to one file and restoring it into an empty database.

The file is a zip: `manifest.json` (the format, the schema's Alembic revision, when, each table's
row count and every member's SHA-256), one JSON-lines member per table (`tables/<name>.jsonl`), and
the uploaded files (`uploads/...`). It is the same for SQLite and PostgreSQL, so a backup of one
restores into the other. Writing streams a table a batch at a time (memory stays flat).

Restoring checks everything before it touches the database: that the file is a grantflow backup of
this schema's revision, that every member is there with its checksum, that each row's columns are
the table's; then that the database is empty. Rows go in in one transaction (any failure: nothing);
PostgreSQL's id sequences are moved past the restored ids; uploaded files are written after.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

import sqlalchemy as sa
from alembic.migration import MigrationContext

from grants.extensions import db
from grants.models.sealed import SealedString

FORMAT = "grantflow-backup"
FORMAT_VERSION = 1
BATCH = 1_000
MANIFEST = "manifest.json"


class BackupRefused(Exception):
    """The file cannot be restored here; nothing was changed. The message says why."""


@dataclass(frozen=True)
class Summary:
    tables: dict[str, int]
    files: int
    revision: str

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _tables() -> list[sa.Table]:
    return list(db.metadata.sorted_tables)


def _as_stored(table: sa.Table) -> sa.TableClause:
    """The table as the database holds it: sealed secrets stay sealed in a backup (grants.models.sealed)."""
    return sa.table(
        table.name,
        *(
            sa.column(column.name, sa.String() if isinstance(column.type, SealedString) else column.type)
            for column in table.columns
        ),
    )


def _revision(connection: sa.Connection) -> str:
    return MigrationContext.configure(connection).get_current_revision() or ""


def _kind(column: sa.Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.DateTime):
        return "datetime"
    if isinstance(kind, sa.Date):
        return "date"
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return "decimal"
    if isinstance(kind, sa.LargeBinary):
        return "bytes"
    return "plain"


def encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(kind: str, value: Any) -> Any:
    if value is None or kind == "plain":
        return value
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "decimal":
        return Decimal(value)
    return base64.b64decode(value)


# -- writing -------------------------------------------------------------------------------------------
def _table_lines(table: sa.Table) -> Iterator[bytes]:
    names = [column.name for column in table.columns]
    order = list(table.primary_key.columns) or list(table.columns)
    stored = _as_stored(table)
    result = db.session.execute(
        sa.select(*stored.columns).order_by(*(stored.c[c.name] for c in order)).execution_options(yield_per=BATCH)
    )
    for partition in result.partitions():
        yield b"".join(
            json.dumps(dict(zip(names, (encode_value(v) for v in row), strict=True)), ensure_ascii=False).encode()
            + b"\n"
            for row in partition
        )


def _upload_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(path for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def write_backup(target: IO[bytes], upload_folder: str) -> Summary:
    """Write the whole database and the uploaded files to `target` (a binary file open for writing)."""
    counts: dict[str, int] = {}
    sums: dict[str, str] = {}
    revision = _revision(db.session.connection())
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for table in _tables():
            name = f"tables/{table.name}.jsonl"
            digest, rows = hashlib.sha256(), 0
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in _table_lines(table):
                    member.write(chunk)
                    digest.update(chunk)
                    rows += chunk.count(b"\n")
            counts[table.name], sums[name] = rows, digest.hexdigest()
        folder = Path(upload_folder)
        files = 0
        for path in _upload_files(folder):
            name = "uploads/" + path.relative_to(folder).as_posix()
            digest = hashlib.sha256()
            with path.open("rb") as source, archive.open(name, "w", force_zip64=True) as member:
                while chunk := source.read(1 << 16):
                    member.write(chunk)
                    digest.update(chunk)
            sums[name] = digest.hexdigest()
            files += 1
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "revision": revision,
            "created_at": datetime.now(UTC).isoformat(),
            "database": db.session.get_bind().dialect.name,
            "tables": counts,
            "files": files,
            "sha256": sums,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
    db.session.rollback()
    return Summary(tables=counts, files=files, revision=revision)


# -- restoring -----------------------------------------------------------------------------------------
def _open(path: Path) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BackupRefused(f"{path.name} is not a grantflow backup: it is not a zip file") from exc
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        archive.close()
        raise BackupRefused(f"{path.name} is not a grantflow backup: it has no readable manifest") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        archive.close()
        raise BackupRefused(f"{path.name} is not a grantflow backup")
    return archive, manifest


def _check_members(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    sums = manifest.get("sha256")
    if not isinstance(sums, dict):
        raise BackupRefused("The backup's manifest lists no checksums")
    names = set(archive.namelist()) - {MANIFEST}
    if names != set(sums):
        raise BackupRefused("The backup's files are not the ones its manifest lists: it is incomplete or altered")
    for name, expected in sums.items():
        if not _safe_member(name):
            raise BackupRefused(f"The backup holds a file with an unsafe name: {name!r}")
        digest = hashlib.sha256()
        try:
            with archive.open(name) as member:
                while chunk := member.read(1 << 16):
                    digest.update(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise BackupRefused(f"The backup is damaged: {name} cannot be read") from exc
        if digest.hexdigest() != expected:
            raise BackupRefused(f"The backup is damaged: {name} does not match its checksum")


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and "\\" not in name
        and "\x00" not in name
        and (path.parts[:1] == ("uploads",) and len(path.parts) > 1 or name.startswith("tables/"))
    )


def _check_schema(manifest: dict[str, Any], connection: sa.Connection) -> None:
    here = _revision(connection)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupRefused(
            f"The backup's format version {manifest.get('format_version')!r} is not one this version reads"
        )
    if manifest.get("revision") != here:
        raise BackupRefused(
            f"The backup is of schema revision {manifest.get('revision')!r} and this database is at {here!r}: "
            "restore it with the grantflow version that made it, or migrate the database to match"
        )
    known = {table.name for table in _tables()}
    listed = set(manifest.get("tables") or {})
    if listed != known:
        raise BackupRefused("The backup's tables are not this version's tables")


def _check_empty(connection: sa.Connection) -> None:
    for table in _tables():
        if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is not None:
            raise BackupRefused(
                f"The database is not empty (table {table.name} has rows): restore only into a new, migrated database"
            )


def _rows(archive: zipfile.ZipFile, table: sa.Table) -> Iterator[list[dict[str, Any]]]:
    kinds = {column.name: _kind(column) for column in table.columns}
    batch: list[dict[str, Any]] = []
    with archive.open(f"tables/{table.name}.jsonl") as member:
        for number, line in enumerate(member, start=1):
            try:
                raw = json.loads(line)
            except ValueError as exc:
                raise BackupRefused(f"Row {number} of table {table.name} is not readable") from exc
            if not isinstance(raw, dict) or set(raw) != set(kinds):
                raise BackupRefused(f"Row {number} of table {table.name} does not have this table's columns")
            try:
                batch.append({name: _decode(kinds[name], value) for name, value in raw.items()})
            except (ValueError, TypeError) as exc:
                raise BackupRefused(f"Row {number} of table {table.name} holds a value of the wrong type") from exc
            if len(batch) >= BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _move_sequences_on(connection: sa.Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in _tables():
        if "id" not in table.columns or not isinstance(table.c.id.type, sa.Integer):
            continue
        sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
        if sequence:
            highest = connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
            connection.execute(sa.text("SELECT setval(:s, :next, false)"), {"s": sequence, "next": highest + 1})


def restore_backup(path: Path, upload_folder: str) -> Summary:
    """Restore a backup file into this empty, migrated database and its upload folder.

    BackupRefused (with the database and the folder untouched) for a file that is not a grantflow
    backup, is damaged, is of another schema revision, or a database that is not empty."""
    archive, manifest = _open(path)
    with archive:
        _check_members(archive, manifest)
        db.session.rollback()
        connection = db.session.connection()
        _check_schema(manifest, connection)
        _check_empty(connection)
        counts: dict[str, int] = {}
        try:
            for table in _tables():
                counts[table.name] = 0
                for batch in _rows(archive, table):
                    connection.execute(_as_stored(table).insert(), batch)
                    counts[table.name] += len(batch)
                if counts[table.name] != manifest["tables"].get(table.name):
                    raise BackupRefused(f"Table {table.name} holds a different number of rows than its manifest says")
            _move_sequences_on(connection)
        except BaseException:
            db.session.rollback()
            raise
        files = _restore_uploads(archive, Path(upload_folder))
        db.session.commit()
    return Summary(tables=counts, files=files, revision=str(manifest["revision"]))


def _restore_uploads(archive: zipfile.ZipFile, folder: Path) -> int:
    """Unpack the uploaded files beside the folder first, then move each into place (none overwritten)."""
    members = [name for name in archive.namelist() if name.startswith("uploads/")]
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=folder.parent))
    try:
        for name in members:
            relative = PurePosixPath(name).relative_to("uploads")
            target = staging.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(name) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
        for name in members:
            relative = PurePosixPath(name).relative_to("uploads")
            final = folder.joinpath(*relative.parts)
            if final.exists():
                continue  # the same stored name is the same file (names are random)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging.joinpath(*relative.parts), final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(members)
