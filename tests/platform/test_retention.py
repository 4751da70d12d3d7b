"""The retention schedule: two years after a round closed, the applications it did not fund lose their
answers and files; what the reports count stays, so the committee report does not change; funded
bids, and bids of rounds closed less than two years ago, are untouched; a dry run lists what would
go and changes nothing; each removal is audited; a second pass does nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Application, ApplicationSection, AuditEvent, Document
from tests.factories import ApplicationFactory, ApplicationSectionFactory, DocumentFactory, RoundFactory

TODAY = "2026-12-04"


@pytest.fixture
def rounds(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    folder.mkdir()
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    old = RoundFactory(code="MSCF-R1", state="decided", closes_at=datetime(2024, 12, 1, 12, tzinfo=UTC))
    recent = RoundFactory(programme=old.programme, code="MSCF-R2", state="decided",
                          closes_at=datetime(2024, 12, 5, 12, tzinfo=UTC))  # fmt: skip
    bids = {
        "unsuccessful": ApplicationFactory(round=old, state="unsuccessful", public_reference="MSCF-R1-0001"),
        "withdrawn": ApplicationFactory(round=old, state="withdrawn", public_reference="MSCF-R1-0002"),
        "draft": ApplicationFactory(round=old, state="draft"),
        "funded": ApplicationFactory(round=old, state="approved", public_reference="MSCF-R1-0003"),
        "recent": ApplicationFactory(round=recent, state="unsuccessful", public_reference="MSCF-R2-0001"),
    }
    for name, bid in bids.items():
        ApplicationSectionFactory(application=bid, section_key="contact",
                                  answers={"values": {"contact_name": f"Person of {name}"}})  # fmt: skip
        document = DocumentFactory(application=bid, original_name=f"{name}.pdf")
        (folder / document.stored_name).write_bytes(b"%PDF " + name.encode())
    db.session.commit()
    return {"folder": folder, **bids}


def _run(app, *args: str) -> dict:
    result = app.test_cli_runner().invoke(args=["grantflow", "retention", *args, "--today", TODAY, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.splitlines()[-1])


def _answers(bid) -> dict:
    return db.session.scalar(select(ApplicationSection.answers).where(ApplicationSection.application_id == bid.id))


def _files(bid) -> list[str]:
    return list(db.session.scalars(select(Document.stored_name).where(Document.application_id == bid.id)))


def test_the_dry_run_lists_what_would_go_and_changes_nothing(app, rounds):
    report = _run(app, "report")
    assert report["applications"] == 3 and report["files"] == 3
    assert set(report["references"]) == {"MSCF-R1-0001", "MSCF-R1-0002", f"Draft {rounds['draft'].id}"}
    assert _answers(rounds["unsuccessful"]) == {"values": {"contact_name": "Person of unsuccessful"}}
    assert len(list(rounds["folder"].iterdir())) == 5


def test_a_pass_removes_answers_and_files_of_bids_not_funded_two_years_on(app, rounds):
    before = app.test_cli_runner().invoke(args=["grantflow", "report", "committee", "--round", "MSCF-R1",
                                                "--format", "json"]).output  # fmt: skip
    assert json.loads(before.splitlines()[-1])["round"] == "MSCF-R1"
    done = _run(app, "apply")
    assert done["applications"] == 3

    for name in ("unsuccessful", "withdrawn", "draft"):
        bid = db.session.get(Application, rounds[name].id)
        db.session.refresh(bid)
        assert bid.anonymised_at is not None
        assert _answers(bid) == {}
        assert _files(bid) == []
        assert bid.amount_requested_pence == 500_000 and bid.state == rounds[name].state  # the record stays
    for name in ("funded", "recent"):
        assert _answers(rounds[name]) == {"values": {"contact_name": f"Person of {name}"}}
        assert len(_files(rounds[name])) == 1
    assert sorted(path.read_bytes() for path in rounds["folder"].iterdir()) == [b"%PDF funded", b"%PDF recent"]

    after = app.test_cli_runner().invoke(args=["grantflow", "report", "committee", "--round", "MSCF-R1",
                                               "--format", "json"]).output  # fmt: skip
    assert after == before

    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "anonymise")).all()
    assert {row.subject_id for row in audited} == {rounds[n].id for n in ("unsuccessful", "withdrawn", "draft")}
    assert all("two years after its round closed" in row.reason for row in audited)

    assert _run(app, "apply")["applications"] == 0  # nothing left to do
    assert _run(app, "report")["applications"] == 0
