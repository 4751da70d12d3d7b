"""Files change with their section, whole or not at all, and no file is left on disk that no
document names: a stale save stores nothing (and says so), a refused or failing upload keeps the
old document, a replaced or removed document's file is deleted once the change is saved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from grants.apply import sections
from grants.extensions import db
from grants.models import ApplicationSection, AuditEvent, Document
from tests.apply.helpers import upload
from tests.apply.test_apply import applicant, round_, save, start  # noqa: F401 - fixtures
from tests.datasets.applications import PDF
from tests.fixtures import csrf_token

OTHER_PDF = PDF.replace(b"%PDF-1.4", b"%PDF-1.7") if b"%PDF-1.4" in PDF else PDF + b"\n% another version\n"


def _documents(application) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.application_id == application.id)))


def _files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


@pytest.fixture(autouse=True)
def _own_folder(app, tmp_path, monkeypatch):
    """A folder of this test's own: other test processes upload into the shared one meanwhile."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))


@pytest.fixture
def application(client, applicant, round_):  # noqa: F811 - the imported fixtures
    found = start(client, round_, applicant.memberships[0].organisation_id)
    save(client, found, "safeguarding", action="later", files={"safeguarding_policy": upload("first.pdf")})
    return found


def test_replacing_a_document_deletes_the_old_file_once_saved(app, client, application):
    [first] = _documents(application)
    old_file = first.stored_name
    assert old_file in _files(app)

    response = save(client, application, "safeguarding", action="later",
                    files={"safeguarding_policy": upload("second.pdf", OTHER_PDF)})  # fmt: skip

    assert response.status_code == 302
    [second] = _documents(application)
    assert second.original_name == "second.pdf"
    assert old_file not in _files(app) and second.stored_name in _files(app)


def test_removing_a_document_deletes_its_file(app, client, application):
    [first] = _documents(application)

    save(client, application, "safeguarding", action="delete-safeguarding_policy")

    assert _documents(application) == []
    assert first.stored_name not in _files(app)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == application.id)).all()
    assert "remove_document" in actions


def test_a_refused_upload_keeps_the_old_document_and_its_file(app, client, application):
    [first] = _documents(application)
    before = _files(app)

    response = save(client, application, "safeguarding", action="later",
                    files={"safeguarding_policy": upload("virus.pdf", b"MZ\x90\x00 not a pdf")})  # fmt: skip

    assert "must be a PDF" in response.get_data(as_text=True)
    assert [d.id for d in _documents(application)] == [first.id]
    assert _files(app) == before


def test_a_stale_save_stores_no_file_and_says_to_choose_it_again(app, client, application):
    [first] = _documents(application)
    page = client.get(f"/applications/{application.id}/sections/safeguarding").get_data(as_text=True)
    version = page.split('name="version_id" value="', 1)[1].split('"', 1)[0]
    row = db.session.scalar(select(ApplicationSection).where(ApplicationSection.application_id == application.id))
    db.session.execute(  # someone else in the organisation saves the section meanwhile
        ApplicationSection.__table__.update()
        .where(ApplicationSection.id == row.id)
        .values(version_id=ApplicationSection.version_id + 1)
    )
    db.session.commit()
    before = _files(app)

    data = MultiDict({"csrf_token": csrf_token(client, "/sign-out"), "version_id": version, "action": "later"})
    data.add("safeguarding_policy", upload("late.pdf", OTHER_PDF))
    response = client.post(f"/applications/{application.id}/sections/safeguarding", data=data,
                           content_type="multipart/form-data")  # fmt: skip

    text = response.get_data(as_text=True)
    assert "has not been saved" in text and "Choose your files again: they were not saved." in text
    assert [d.id for d in _documents(application)] == [first.id]
    assert _files(app) == before


def test_a_save_that_fails_keeps_the_old_document_and_leaves_no_new_file(app, client, application, monkeypatch):
    [first] = _documents(application)
    before = _files(app)

    def failing(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(sections, "_persist", failing)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = save(client, application, "safeguarding", action="later",
                        files={"safeguarding_policy": upload("second.pdf", OTHER_PDF)})  # fmt: skip
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None

    assert response.status_code == 500
    db.session.expire_all()
    assert [d.id for d in _documents(application)] == [first.id]
    assert _files(app) == before
    assert os.path.exists(os.path.join(app.config["UPLOAD_FOLDER"], first.stored_name))
