"""Admin > Subject access request: an admin of every programme downloads everything held about one
person; an admin of one programme may not (it crosses every programme); an unknown address is named
and kept; the download is audited with who made it."""

from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent
from tests.admin.helpers import inline_error
from tests.factories import UserFactory
from tests.fixtures import post_form


def test_an_admin_downloads_a_persons_records(admin):
    person = UserFactory(email="amira@example.org", name="Amira Shah")
    db.session.commit()
    assert 'href="/admin/subject-access"' in admin.get("/admin/").get_data(as_text=True)

    response = post_form(admin, "/admin/subject-access", {"email": "Amira@example.org"})
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert f"subject-access-{person.id}-" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        held = json.loads(archive.read("person.json"))
    assert held["records"]["users"][0]["email"] == "amira@example.org"

    made = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "subject_access_export"))
    assert made.subject_id == person.id
    assert made.actor.email == "ada@example.org"


def test_an_unknown_address_is_named_and_kept(admin):
    response = post_form(admin, "/admin/subject-access", {"email": "nobody@example.org"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert inline_error(page, "email") == "There is no account with this email address"
    assert 'value="nobody@example.org"' in page


def test_an_admin_of_one_programme_may_not(mscf_admin):
    UserFactory(email="amira@example.org")
    assert mscf_admin.get("/admin/subject-access").status_code == 403
    assert 'href="/admin/subject-access"' not in mscf_admin.get("/admin/").get_data(as_text=True)
