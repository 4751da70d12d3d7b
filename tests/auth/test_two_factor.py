"""Two-factor sign-in: staff give a code from an authenticator app after their password before any
staff page; they set the app up at their first sign-in; recovery codes stand in once each; an admin
resets a lost one (audited); anyone else may turn it on; the demo's staff have a known key."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from grants.auth import two_factor
from grants.demo.accounts import DEMO_TOTP_SECRET
from grants.extensions import db
from grants.models import AuditEvent, RecoveryCode, RoleGrant, User, UserSession
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, member_of, staff_user
from tests.fixtures import app_code, fresh_code, post_form, sign_in_as

KEY = re.compile(r'id="setup-key"><code>([A-Z2-7 ]+)</code>')


def _password(client, user):
    response = post_form(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_staff_give_the_code_before_any_staff_page(client):
    officer = staff_user("officer")
    first = _password(client, officer)
    assert first.headers["Location"].startswith("/sign-in/two-factor")

    for page in ("/cases/", "/awards/", "/organisations/"):
        held = client.get(page)
        assert held.status_code == 302 and held.headers["Location"].startswith("/sign-in/two-factor"), page
    assert client.get("/sign-in/two-factor").headers["Location"].startswith("/sign-in/code")
    code_page = client.get("/sign-in/code")
    assert "Enter the code from your authenticator app" in _text(code_page)

    done = post_form(client, "/sign-in/code", {"code": fresh_code(officer.email)})
    assert done.status_code == 302 and done.headers["Location"] == "/work/"
    assert client.get("/cases/").status_code == 200
    session = db.session.scalar(select(UserSession).where(UserSession.user_id == officer.id))
    assert session.second_factor_at is not None


def test_a_wrong_or_used_code_is_refused_with_a_clear_message(client):
    officer = staff_user("officer")
    _password(client, officer)

    for typed, message in (
        ("12345", "Enter the 6-digit code from your authenticator app"),
        ("١٢٣٤٥٦", "Enter the 6-digit code from your authenticator app"),
        ("000000" if app_code(officer.totp_secret) != "000000" else "111111", "The code is not right"),
    ):
        response = post_form(client, "/sign-in/code", {"code": typed})
        assert response.status_code == 200 and message in _text(response), typed
        assert f'value="{typed}"' in _text(response)  # kept as typed

    code = fresh_code(officer.email)
    assert post_form(client, "/sign-in/code", {"code": f" {code[:3]} {code[3:]} "}).status_code == 302

    other = client.application.test_client()
    _password(other, officer)
    again = post_form(other, "/sign-in/code", {"code": code})  # the same code, on another browser
    assert "That code has already been used" in _text(again)
    assert other.get("/cases/").status_code == 302


def test_a_recovery_code_works_once(client):
    officer = staff_user("officer")
    codes = two_factor.new_recovery_codes(db.session.get(User, officer.id))
    assert len(codes) == 10 and len(set(codes)) == 10

    _password(client, officer)
    used = post_form(client, "/sign-in/recovery-code", {"code": codes[0].upper()})
    assert used.status_code == 302
    assert "You have 9 left" in _text(client.get(used.headers["Location"], follow_redirects=True))
    assert client.get("/cases/").status_code == 200

    other = client.application.test_client()
    _password(other, officer)
    refused = post_form(other, "/sign-in/recovery-code", {"code": codes[0]})
    assert "That is not one of your recovery codes, or it has been used" in _text(refused)
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == officer.id)).all()
    assert not any(code.replace("-", "") in stored for code in codes)  # only their hashes are kept


def test_staff_set_up_the_app_at_their_first_sign_in(client):
    person = UserFactory()
    db.session.add(RoleGrant(user_id=person.id, role="finance"))
    db.session.commit()
    _password(client, person)
    setup = client.get(client.get("/sign-in/two-factor").headers["Location"])
    page = _text(setup)
    assert setup.status_code == 200 and "Set up two-factor sign-in" in page
    assert "<svg" in page  # the QR code
    key = KEY.search(page).group(1).replace(" ", "")

    wrong = post_form(client, "/account/two-factor/set-up", {"code": "000000" if app_code(key) != "000000" else "1"})
    assert "check the app shows grantflow" in _text(wrong) or "6-digit" in _text(wrong)
    assert KEY.search(_text(wrong)).group(1).replace(" ", "") == key  # the same key until it is confirmed

    saved = post_form(client, "/account/two-factor/set-up", {"code": pyotp.TOTP(key).now()})
    codes = re.findall(r"<li><code>([0-9a-f]{5}-[0-9a-f]{5})</code></li>", _text(saved))
    assert "save your recovery codes" in _text(saved) and len(codes) == 10
    db.session.refresh(person)
    assert person.totp_secret == key and person.totp_enrolled_at is not None
    assert client.get("/payments/due").status_code == 200
    assert (
        "enrol_two_factor"
        in db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_type == "user", AuditEvent.subject_id == person.id)
        ).all()
    )


def test_applicants_sign_in_with_a_password_and_may_turn_two_factor_on_and_off(client):
    applicant = member_of(OrganisationFactory())
    assert _password(client, applicant).headers["Location"] == "/applications"
    account = _text(client.get("/account/two-factor"))
    assert "Two-factor sign-in is <strong>off</strong>" in account

    setup = _text(client.get("/account/two-factor/set-up"))
    key = KEY.search(setup).group(1).replace(" ", "")
    post_form(client, "/account/two-factor/set-up", {"code": pyotp.TOTP(key).now()})

    later = client.application.test_client()
    assert _password(later, applicant).headers["Location"].startswith("/sign-in/two-factor")
    assert later.get("/applications").status_code == 302

    off = post_form(client, "/account/two-factor", {"action": "turn_off"})
    assert off.status_code == 302
    db.session.refresh(applicant)
    assert applicant.totp_secret is None


def test_staff_cannot_turn_it_off(client):
    officer = staff_user("officer")
    sign_in_as(client, officer.email, PASSWORD)
    page = _text(client.get("/account/two-factor"))
    assert "Turn off two-factor sign-in" not in page and "Staff cannot turn it off" in page
    post_form(client, "/account/two-factor", {"action": "turn_off"})
    db.session.refresh(officer)
    assert officer.totp_secret is not None


def test_an_admin_resets_a_lost_second_factor_with_a_reason_and_it_is_audited(app, client):
    admin = staff_user("admin")
    officer = staff_user("officer")
    theirs = app.test_client()
    sign_in_as(theirs, officer.email, PASSWORD)
    sign_in_as(client, admin.email, PASSWORD)

    blank = post_form(client, "/admin/two-factor", {"email": officer.email, "reason": "   "})
    assert "Enter why their two-factor sign-in is being reset" in _text(blank)
    done = post_form(client, "/admin/two-factor", {"email": officer.email, "reason": "Lost their phone"})
    assert done.status_code == 302

    db.session.refresh(officer)
    assert officer.totp_secret is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reset_two_factor"))
    assert (event.actor_id, event.subject_id, event.data["reason"]) == (admin.id, officer.id, "Lost their phone")
    assert theirs.get("/cases/").status_code == 302  # their sessions ended
    again = app.test_client()
    assert post_form(again, "/sign-in", {"email": officer.email, "password": PASSWORD}).status_code == 302
    assert again.get("/sign-in/two-factor").headers["Location"].startswith("/account/two-factor/set-up")


def test_an_admin_of_one_programme_resets_only_their_programmes_people(app, client):
    from tests.factories import ProgrammeFactory

    mine, theirs = ProgrammeFactory(), ProgrammeFactory()
    admin = staff_user("admin", mine)
    stranger = staff_user("officer", theirs)
    sign_in_as(client, admin.email, PASSWORD)
    refused = post_form(client, "/admin/two-factor", {"email": stranger.email, "reason": "Lost phone"})
    assert "There is no account with this email address on your programmes" in _text(refused)
    db.session.refresh(stranger)
    assert stranger.totp_secret is not None


def test_a_password_reset_does_not_skip_the_second_factor(app, client):
    officer = staff_user("officer")
    from grants.auth.services import _fingerprint, _serializer, reset_password

    with app.test_request_context():
        token = _serializer().dumps({"uid": officer.id, "fp": _fingerprint(officer)})
        reset_password(token, "a-brand-new-password")
    assert (
        post_form(client, "/sign-in", {"email": officer.email, "password": "a-brand-new-password"})
        .headers["Location"]
        .startswith("/sign-in/two-factor")
    )
    assert client.get("/cases/").status_code == 302


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_the_cli_prints_a_demo_accounts_code_and_refuses_others(runner):
    demo = staff_user("officer", email="officer@example.org", totp_secret=DEMO_TOTP_SECRET)
    result = runner.invoke(args=["grantflow", "users", "totp", demo.email])
    assert result.exit_code == 0
    printed = result.output.strip()
    assert re.fullmatch(r"\d{6}", printed) and two_factor._matching_step(DEMO_TOTP_SECRET, printed) is not None
    other = staff_user("officer")
    refused = runner.invoke(args=["grantflow", "users", "totp", other.email])
    assert refused.exit_code != 0 and "not a demo account" in refused.output
