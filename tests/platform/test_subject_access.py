"""`grantflow users subject-access EMAIL -o FILE`: everything held about one person, as a zip.

Their account, memberships, the application they started, the sections they saved, the emails sent
to them, their sign-ins and the audit rows of what they did are in `person.json`; the files they
uploaded are in `files/`; secrets (password hash, authenticator key, token and code hashes) are
withheld; nothing about another person is in it; making the export is audited.
"""

from __future__ import annotations

import json
import zipfile

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent
from grants.subject_access import WITHHELD
from tests.factories import (
    ApplicationFactory,
    AuditEventFactory,
    DocumentFactory,
    MembershipFactory,
    OrganisationFactory,
    OutboxMessageFactory,
    RecoveryCodeFactory,
    UserFactory,
    UserSessionFactory,
)


def test_a_persons_export_holds_their_records_and_files_and_no_one_elses(app, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(uploads))
    amira = UserFactory(email="amira@example.org", name="Amira Shah", totp_secret="JBSWY3DPEHPK3PXP")
    other = UserFactory(email="other@example.org", name="Someone Else")
    club = OrganisationFactory(name="Hope Street Boxing CIC")
    MembershipFactory(user=amira, organisation=club)
    MembershipFactory(user=other, organisation=OrganisationFactory(name="Other Trust"))
    bid = ApplicationFactory(organisation=club, created_by_id=amira.id, project_title="Gloves Not Knives")
    ApplicationFactory(created_by_id=other.id, project_title="Not Amira's project")
    document = DocumentFactory(application=bid, uploaded_by_id=amira.id, original_name="safe guarding.pdf")
    (uploads / document.stored_name).write_bytes(b"%PDF-1.7 Amira's policy")
    DocumentFactory(uploaded_by_id=other.id, original_name="someone-else.pdf")
    OutboxMessageFactory(recipient="AMIRA@example.org", subject="Your application MSCF-R4-0002")
    OutboxMessageFactory(recipient="other@example.org", subject="Not for Amira")
    UserSessionFactory(user_id=amira.id, user_agent="Firefox on Linux")
    RecoveryCodeFactory(user_id=amira.id)
    AuditEventFactory(subject=bid, actor_id=amira.id, action="submit")
    AuditEventFactory(subject=bid, actor_id=other.id, action="screen")
    db.session.commit()

    output = tmp_path / "amira.zip"
    result = app.test_cli_runner().invoke(
        args=["grantflow", "users", "subject-access", "Amira@Example.org", "-o", str(output), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.splitlines()[-1])
    assert summary["files"] == 1

    with zipfile.ZipFile(output) as archive:
        held = json.loads(archive.read("person.json"))
        [file_name] = [name for name in archive.namelist() if name.startswith("files/")]
        assert archive.read(file_name) == b"%PDF-1.7 Amira's policy"
        assert file_name.endswith("safe_guarding.pdf")
    records = held["records"]
    assert held["person"] == {"name": "Amira Shah", "email": "amira@example.org"}
    [account] = records["users"]
    assert account["email"] == "amira@example.org"
    assert account["password_hash"] == WITHHELD and account["totp_secret"] == WITHHELD
    assert [row["organisation_id"] for row in records["memberships"]] == [club.id]
    assert [row["project_title"] for row in records["applications"]] == ["Gloves Not Knives"]
    assert [row["subject"] for row in records["outbox_messages"]] == ["Your application MSCF-R4-0002"]
    assert [row["user_agent"] for row in records["user_sessions"]] == ["Firefox on Linux"]
    assert records["user_sessions"][0]["token_hash"] == WITHHELD
    assert records["recovery_codes"][0]["code_hash"] == WITHHELD
    assert [row["action"] for row in records["audit_events"]] == ["submit"]
    assert [row["original_name"] for row in records["documents"]] == ["safe guarding.pdf"]
    text = json.dumps(held)
    assert "Someone Else" not in text and "other@example.org" not in text and "Not for Amira" not in text
    assert "JBSWY3DPEHPK3PXP" not in text

    made = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "subject_access_export"))
    assert made.subject_reference == "amira@example.org"


def test_an_unknown_person_is_named_and_nothing_is_written(app, tmp_path):
    output = tmp_path / "nobody.zip"
    result = app.test_cli_runner().invoke(args=["grantflow", "users", "subject-access", "nobody@example.org",
                                                "-o", str(output)])  # fmt: skip
    assert result.exit_code != 0
    assert "There is no account with the email address 'nobody@example.org'. Nothing was written." in result.output
    assert not output.exists()
