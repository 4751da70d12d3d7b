"""`grantflow backup -o FILE` and `grantflow restore FILE`: the demo, backed up, restores into a new
empty database (of the same kind as the suite's: SQLite or PostgreSQL) with the same rows in every
table, the same committee and MoJ report figures, the uploaded files, and ids that go on from where
they were; a damaged, foreign or other-schema file, or a database that is not empty, is refused with
nothing changed."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from grants import create_app
from grants.extensions import db
from grants.models import Organisation
from tests.conftest import _postgres_admin_url

REPORTS = [
    ["grantflow", "report", "committee", "--round", "MSCF-R3", "--format", "json"],
    ["grantflow", "report", "moj", "--year", "2023", "--format", "json"],
]


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """A new database of the suite's kind, migrated and empty."""
    if database_url.startswith("postgresql"):
        import psycopg

        name = f"grantflow_restore_{secrets.token_hex(4)}"
        admin = _postgres_admin_url(database_url)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        folder = tempfile.mkdtemp(prefix="grantflow-restore-")
        yield f"sqlite:///{Path(folder) / 'restored.db'}"


@pytest.fixture(autouse=True)
def _sessions_of_each_app(app, monkeypatch):
    """Sessions on the app of the moment (the suite's test session is bound to one connection; here two
    apps, two databases, and the commands commit)."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    yield
    db.session.remove()


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    (folder / "ab").mkdir(parents=True)
    (folder / "ab" / "abcdef.pdf").write_bytes(b"%PDF-1.7 budget\n" * 100)
    (folder / "c0ffee.xlsx").write_bytes(os.urandom(5000))
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


def _target_app(url: str, upload_folder: Path):
    target = create_app("test", SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(upload_folder))
    with target.app_context():
        upgrade()
        db.session.remove()
    return target


def test_a_backup_restores_into_an_empty_database_with_the_same_rows_reports_and_files(
    app, demo_loaded, uploads, empty_database, tmp_path
):
    backup_file = tmp_path / "grantflow.zip"
    with app.app_context():
        made = _run(app, "grantflow", "backup", "-o", str(backup_file), "--format", "json")
        assert made.exit_code == 0, made.output
        before = _counts()
        reports = [_run(app, *args).output for args in REPORTS]
    summary = json.loads(made.output.splitlines()[-1])
    assert summary["rows"] == sum(before.values()) and summary["files"] == 2
    assert before["applications"] > 100 and before["audit_events"] > 0

    restored_uploads = tmp_path / "restored-uploads"
    target = _target_app(empty_database, restored_uploads)
    with target.app_context():
        done = _run(target, "grantflow", "restore", str(backup_file), "--format", "json")
        assert done.exit_code == 0, done.output
        assert _counts() == before
        assert [_run(target, *args).output for args in REPORTS] == reports
        assert json.loads(reports[0].splitlines()[-1])  # the report said something

        # ids go on from where they were: a new row does not collide with a restored one
        highest = db.session.scalar(sa.select(sa.func.max(Organisation.id)))
        db.session.add(Organisation(name="After the restore CIC", org_type="cic"))
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.max(Organisation.id))) == highest + 1
        db.session.remove()
    assert (restored_uploads / "ab" / "abcdef.pdf").read_bytes() == (uploads / "ab" / "abcdef.pdf").read_bytes()
    assert (restored_uploads / "c0ffee.xlsx").read_bytes() == (uploads / "c0ffee.xlsx").read_bytes()


def _tampered(source: Path, target: Path, change) -> Path:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            data = change(item.filename, original.read(item.filename))
            if data is not None:
                copy.writestr(item.filename, data)
    return target


def test_damaged_foreign_and_other_schema_files_are_refused_with_nothing_changed(
    app, demo_loaded, uploads, empty_database, tmp_path
):
    good = tmp_path / "good.zip"
    with app.app_context():
        assert _run(app, "grantflow", "backup", "-o", str(good)).exit_code == 0

    def other_revision(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["revision"] = "0001_initial"
        return json.dumps(manifest)

    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("these are my notes")
    foreign = tmp_path / "foreign.zip"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "someone-else", "tables": {}}))
    half = good.read_bytes()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(half[: len(half) // 2])
    cases = {
        not_zip: "is not a grantflow backup: it is not a zip file",
        foreign: "is not a grantflow backup",
        truncated: "is not a grantflow backup",
        _tampered(good, tmp_path / "edited.zip", lambda n, d: d + b" "
                  if n == "tables/organisations.jsonl" else d): "does not match its checksum",
        _tampered(good, tmp_path / "short.zip", lambda n, d: None if n == "tables/payments.jsonl" else d):
            "are not the ones its manifest lists",
        _tampered(good, tmp_path / "old.zip", other_revision): "is of schema revision '0001_initial'",
    }  # fmt: skip

    restored_uploads = tmp_path / "restored-uploads"
    target = _target_app(empty_database, restored_uploads)
    with target.app_context():
        for path, message in cases.items():
            refused = _run(target, "grantflow", "restore", str(path))
            assert refused.exit_code != 0, path.name
            assert message in refused.output, (path.name, refused.output)
            assert "Nothing was restored." in refused.output
            assert sum(_counts().values()) == 0
        assert not restored_uploads.exists() or not any(restored_uploads.rglob("*"))

        assert _run(target, "grantflow", "restore", str(good)).exit_code == 0
        counts = _counts()
        again = _run(target, "grantflow", "restore", str(good))  # into a database that is not empty
        assert again.exit_code != 0
        assert "The database is not empty" in again.output
        assert _counts() == counts
        db.session.remove()


def test_backup_names_a_missing_folder(app, tmp_path):
    with app.app_context():
        result = _run(app, "grantflow", "backup", "-o", str(tmp_path / "nowhere" / "b.zip"))
    assert result.exit_code != 0
    assert "does not exist. Nothing was written." in result.output
