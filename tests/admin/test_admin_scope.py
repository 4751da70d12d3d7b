"""An admin of one programme administers that programme only.

An outside test found that an admin on one programme could grant roles on every programme (to
themselves too), issue API tokens on other programmes in other people's names, and read every
user's password-reset link in the outbox. Each hole is tried here, with the admin of every
programme as the control that the same request does work for someone entitled to it.
"""

from __future__ import annotations

from sqlalchemy import select

from grants.auth.services import request_password_reset
from grants.extensions import db
from grants.models import ApiToken, AuditEvent, OutboxMessage, RoleGrant
from tests.admin.helpers import text_of
from tests.factories import ApiTokenFactory, RoundFactory, UserFactory, staff_user
from tests.fixtures import post_form


def _grant(browser, email: str, role: str, programme: str):
    return post_form(browser, "/admin/roles", {"email": email, "role": role, "programme": programme})


def _grants(user) -> list[tuple[str, int | None]]:
    rows = db.session.execute(select(RoleGrant.role, RoleGrant.programme_id).where(RoleGrant.user_id == user.id))
    return sorted((role, programme) for role, programme in rows)


def test_a_programme_admin_grants_roles_on_their_programme_only(mscf_admin, seeded):
    person = UserFactory(email="new.officer@example.org")
    mscf, vru = seeded["MSCF"], seeded["VRU"]

    other = _grant(mscf_admin, person.email, "officer", str(vru.id))
    every = _grant(mscf_admin, person.email, "officer", "all")
    assert other.status_code == every.status_code == 200
    assert "Choose a programme from the list" in text_of(other) or "Not a valid choice" in text_of(other)
    assert _grants(person) == []

    page = text_of(mscf_admin.get("/admin/roles"))
    assert "Every programme" not in page and vru.name not in page
    assert mscf.name in page

    done = _grant(mscf_admin, person.email, "officer", str(mscf.id))
    assert done.status_code == 302
    assert _grants(person) == [("officer", mscf.id)]


def test_nobody_grants_themselves_a_role(mscf_admin, admin, seeded):
    mo = db.session.scalar(select(RoleGrant).where(RoleGrant.role == "admin", RoleGrant.programme_id.is_not(None))).user
    before = _grants(mo)
    refused = _grant(mscf_admin, mo.email, "finance", str(seeded["MSCF"].id))
    assert refused.status_code == 200
    assert "You cannot give yourself a role. Ask another admin to grant it." in text_of(refused)
    assert 'value="mo@example.org"' in refused.get_data(as_text=True)  # what they typed is kept
    assert _grants(mo) == before

    ada = db.session.scalar(select(RoleGrant).where(RoleGrant.role == "admin", RoleGrant.programme_id.is_(None))).user
    assert "You cannot give yourself a role" in text_of(_grant(admin, ada.email, "finance", "all"))
    assert _grant(admin, mo.email, "finance", str(seeded["MSCF"].id)).status_code == 302  # another admin can
    assert ("finance", seeded["MSCF"].id) in _grants(mo)


def test_a_programme_admin_sees_and_removes_only_their_programmes_grants(mscf_admin, admin, seeded):
    vru_officer = staff_user("officer", seeded["VRU"], name="Vera Unseen")
    mscf_officer = staff_user("officer", seeded["MSCF"], name="Mia Seen")
    vru_grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == vru_officer.id))
    mscf_grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == mscf_officer.id))

    listing = text_of(mscf_admin.get("/admin/roles"))
    assert "Mia Seen" in listing and "Vera Unseen" not in listing and "Ada Admin" not in listing

    refused = post_form(mscf_admin, f"/admin/roles/{vru_grant.id}/revoke", {}, form_page="/admin/roles")
    assert refused.status_code == 404
    assert db.session.get(RoleGrant, vru_grant.id) is not None

    done = post_form(mscf_admin, f"/admin/roles/{mscf_grant.id}/revoke", {}, form_page="/admin/roles")
    assert done.status_code == 302
    assert db.session.get(RoleGrant, mscf_grant.id) is None
    assert "Vera Unseen" in text_of(admin.get("/admin/roles"))  # the admin of every programme sees it


def _issue(browser, user, programme: str, role: str = "officer"):
    return post_form(
        browser,
        "/admin/api-tokens",
        {"user": str(user.id), "role": role, "programme": programme, "name": "Nightly import", "days": "90"},
    )


def test_a_programme_admin_issues_tokens_on_their_programme_only(mscf_admin, seeded):
    everywhere = staff_user("officer", None, name="Olu Everywhere")
    refused_other = _issue(mscf_admin, everywhere, str(seeded["VRU"].id))
    refused_every = _issue(mscf_admin, everywhere, "all")
    assert refused_other.status_code == refused_every.status_code == 200
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == everywhere.id)) is None

    page = text_of(mscf_admin.get("/admin/api-tokens"))
    assert "Every programme where they hold the role" not in page and seeded["VRU"].name not in page

    issued = _issue(mscf_admin, everywhere, str(seeded["MSCF"].id))
    assert issued.status_code == 200 and "gf_" in text_of(issued)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == everywhere.id))
    assert token.programme_id == seeded["MSCF"].id


def test_the_person_a_token_is_issued_for_is_told(mscf_admin, seeded):
    person = staff_user("officer", seeded["MSCF"], name="Tola Told", email="tola@example.org")
    _issue(mscf_admin, person, str(seeded["MSCF"].id))
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == person.id))
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "tola@example.org"))
    assert email is not None
    assert email.subject == "An API token was issued in your name: Nightly import"
    assert "Mo Scoped (mo@example.org)" in email.body
    assert token.prefix in email.body and seeded["MSCF"].name in email.body
    assert token.token_hash not in email.body


def test_a_programme_admin_sees_and_revokes_only_their_programmes_tokens(mscf_admin, seeded):
    theirs = ApiTokenFactory(programme=seeded["VRU"], name="VRU feed")
    everywhere = ApiTokenFactory(programme=None, name="Every feed")
    mine = ApiTokenFactory(programme=seeded["MSCF"], name="MSCF feed")

    listing = text_of(mscf_admin.get("/admin/api-tokens"))
    assert "MSCF feed" in listing and "VRU feed" not in listing and "Every feed" not in listing
    for token in (theirs, everywhere):
        response = post_form(mscf_admin, f"/admin/api-tokens/{token.id}/revoke", {}, form_page="/admin/api-tokens")
        assert response.status_code == 404
        db.session.refresh(token)
        assert token.revoked_at is None
    assert (
        post_form(mscf_admin, f"/admin/api-tokens/{mine.id}/revoke", {}, form_page="/admin/api-tokens").status_code
        == 302
    )


def test_a_programme_admin_loads_forms_for_their_rounds_only(mscf_admin, seeded):
    RoundFactory(programme=seeded["VRU"], code="VRU-R9")
    page = text_of(mscf_admin.get("/admin/question-sets"))
    assert "VRU-R9" not in page


def test_the_outbox_is_for_admins_of_every_programme(mscf_admin, admin):
    assert mscf_admin.get("/admin/emails").status_code == 403
    assert 'href="/admin/emails"' not in mscf_admin.get("/admin/").get_data(as_text=True)
    message = OutboxMessage(
        idempotency_key="k1", recipient="x@example.org", subject="Hello", body="Hi", status="pending"
    )
    db.session.add(message)
    db.session.commit()
    assert mscf_admin.get(f"/admin/emails/{message.id}").status_code == 403
    assert admin.get(f"/admin/emails/{message.id}").status_code == 200


def test_no_admin_reads_a_password_reset_or_invitation_link(app, admin):
    person = UserFactory(email="reset.me@example.org")
    with app.test_request_context():
        request_password_reset(person.email)
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == person.email))
    link = next(word for word in message.body.split() if "/password/reset/" in word)

    page = admin.get(f"/admin/emails/{message.id}").get_data(as_text=True)
    assert "/password/reset/" not in page and link.rsplit("/", 1)[-1] not in page
    assert "[link withheld: it signs its recipient in or resets their password, so only they see it]" in page
    assert "Someone asked to reset the password" in page  # the rest of the email is shown

    invitation = OutboxMessage(
        idempotency_key="inv",
        recipient="new@example.org",
        subject="Join Hope Works",
        body="Accept: http://localhost:5000/invitations/abcDEF123-_xyz\nThanks",
        status="pending",
    )
    db.session.add(invitation)
    db.session.commit()
    page = admin.get(f"/admin/emails/{invitation.id}").get_data(as_text=True)
    assert "abcDEF123" not in page and "Thanks" in page


def test_grants_and_tokens_made_by_a_programme_admin_are_audited(mscf_admin, seeded):
    person = UserFactory(email="audited@example.org")
    _grant(mscf_admin, person.email, "officer", str(seeded["MSCF"].id))
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "grant_role")).all()
    assert [row.data["programme_id"] for row in rows] == [seeded["MSCF"].id]
    assert [row.actor_id for row in rows] == [
        db.session.scalar(select(RoleGrant.user_id).where(RoleGrant.role == "admin"))
    ]
