"""Secrets at rest: an authenticator key is sealed in the database, in a backup and in the cookie
while it is being set up; a key the service can no longer open fails closed (recovery codes still
work); on PostgreSQL no SQL, the app's own connection included, changes or removes an audit row."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from grants.auth import two_factor
from grants.backup import write_backup
from grants.extensions import db
from grants.models import AuditEvent, User
from grants.models.sealed import UNREADABLE, looks_sealed
from tests.factories import PASSWORD, AuditEventFactory, UserFactory, staff_user
from tests.fixtures import post_form

KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _stored(user: User) -> str:
    db.session.flush()
    return db.session.execute(text("SELECT totp_secret FROM users WHERE id = :id"), {"id": user.id}).scalar_one()


def test_the_database_holds_an_authenticator_key_sealed(app):
    person = UserFactory(totp_secret=KEY)
    stored = _stored(person)
    assert KEY not in stored and looks_sealed(stored)
    db.session.expire(person)
    assert person.totp_secret == KEY
    other = UserFactory(totp_secret=KEY)
    assert _stored(other) != stored  # each sealing is fresh: equal keys are not visible as equal


def test_a_backup_holds_the_key_sealed(app, tmp_path):
    person = UserFactory(email="sealed@example.org", totp_secret=KEY)
    db.session.flush()
    out = io.BytesIO()
    write_backup(out, str(tmp_path))
    with zipfile.ZipFile(out) as archive:
        users = archive.read("tables/users.jsonl").decode()
    assert KEY not in users
    [row] = [json.loads(line) for line in users.splitlines() if "sealed@example.org" in line]
    assert row["totp_secret"] == _stored(person)


def test_a_new_key_seals_new_secrets_and_the_old_ones_still_open(app, monkeypatch):
    before = UserFactory(totp_secret=KEY)
    db.session.flush()
    new_key = Fernet.generate_key()
    monkeypatch.setitem(app.config, "DATA_ENCRYPTION_KEYS", new_key.decode())
    after = UserFactory(totp_secret=KEY)
    assert Fernet(new_key).decrypt(_stored(after).encode()).decode() == KEY
    db.session.expire(before)
    assert before.totp_secret == KEY


def test_a_key_no_configured_key_opens_fails_closed_and_recovery_codes_still_work(app, monkeypatch):
    officer = staff_user("officer", totp_secret=KEY)
    codes = two_factor.new_recovery_codes(officer)
    monkeypatch.setitem(app.config, "SECRET_KEY", "another service's key, not this one's at all 0123456789")
    db.session.expire(officer)
    assert officer.totp_secret == UNREADABLE
    assert two_factor.enrolled(officer)  # still enrolled: nobody may set up a new app in its place
    with pytest.raises(two_factor.WrongCode, match="use a recovery code, or ask an admin"):
        two_factor.check_code(officer, pyotp.TOTP(KEY).now())
    assert two_factor.use_recovery_code(officer, codes[0]) == 9


def test_the_key_being_set_up_is_sealed_in_the_cookie(app, client):
    person = staff_user("finance", totp_secret=None, totp_enrolled_at=None)
    db.session.commit()
    assert post_form(client, "/sign-in", {"email": person.email, "password": PASSWORD}).status_code == 302
    page = client.get("/account/two-factor/set-up").get_data(as_text=True)
    shown = re.search(r'id="setup-key"><code>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session")).value
    held = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert shown not in json.dumps(held) and looks_sealed(held[two_factor.PENDING_KEY])
    again = client.get("/account/two-factor/set-up").get_data(as_text=True)
    assert shown.upper() in again.replace(" ", "")  # the same key until a code confirms it


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET reason = 'nothing happened' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
        "TRUNCATE audit_events CASCADE",
    ],
)
def test_on_postgresql_no_sql_changes_or_removes_an_audit_row(app, is_postgres, statement):
    if not is_postgres:
        pytest.skip("the trigger is PostgreSQL's; the app's own guard is tested on both")
    row = AuditEventFactory(reason="approved at panel")
    db.session.flush()
    with pytest.raises(DBAPIError, match="audit rows are final"), db.session.begin_nested():
        db.session.execute(text(statement), {"id": row.id})
    assert db.session.scalar(select(AuditEvent.reason).where(AuditEvent.id == row.id)) == "approved at panel"
