"""Passkeys: anyone with two-factor sign-in on adds one from their account and then uses it instead of
the app's code after the password. An answer works once, only for its own account and this
service's origin; a counter going backwards (a cloned passkey) is refused; adding and removing are
audited; an admin's reset removes them with the app's key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.auth import two_factor
from grants.extensions import db
from grants.models import AuditEvent, Passkey
from tests.auth.helpers import SoftAuthenticator
from tests.factories import PASSWORD, UserFactory, staff_user
from tests.fixtures import csrf_token, post_form, sign_in_as

PASSKEYS = "/account/passkeys"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _options(client, url: str, page: str) -> dict:
    response = client.post(url, headers={"X-CSRFToken": csrf_token(client, page)})
    assert response.status_code == 200 and response.mimetype == "application/json", _text(response)[:300]
    return response.get_json()


def _add(client, authenticator: SoftAuthenticator, name: str = "Work laptop"):
    options = _options(client, "/account/passkeys/options", PASSKEYS)
    return post_form(client, PASSKEYS, {"action": "add", "name": name, "credential": authenticator.create(options)})


def _password(client, user) -> None:
    response = post_form(client, "/sign-in", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "/sign-in/two-factor" in response.headers["Location"]


def _passkey_answer(client, authenticator: SoftAuthenticator) -> str:
    return authenticator.get(_options(client, "/sign-in/passkey/options", "/sign-in/code"))


def _send(client, answer: str):
    return post_form(client, "/sign-in/passkey", {"credential": answer}, form_page="/sign-in/code")


def _actions(user) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_type == "user", AuditEvent.subject_id == user.id)
        )
    )


@pytest.fixture
def officer():
    return staff_user("officer", email="olu@example.org", name="Olu Officer")


def test_a_passkey_added_from_the_account_signs_its_owner_in_instead_of_the_code(app, client, sign_in, officer):
    sign_in(officer)
    account = _text(client.get("/account/two-factor"))
    assert 'href="/account/passkeys"' in account and "You can add a passkey" in account
    assert "You have not added a passkey" in _text(client.get(PASSKEYS))

    laptop = SoftAuthenticator()
    added = _add(client, laptop, "  Work\x00 laptop  ")
    assert added.status_code == 302, _text(added)[:500]
    page = _text(client.get(PASSKEYS))
    assert "Passkey added: Work laptop" in page and '<td class="govuk-table__cell">Work laptop</td>' in page
    assert "add_passkey" in _actions(officer)
    assert "You have added 1 passkey" in _text(client.get("/account/two-factor"))

    other = app.test_client()
    _password(other, officer)
    code_page = _text(other.get("/sign-in/code"))
    assert "Or use a passkey" in code_page and 'data-passkey="sign_in"' in code_page
    done = post_form(
        other, "/sign-in/passkey", {"credential": _passkey_answer(other, laptop)}, form_page="/sign-in/code"
    )
    assert done.status_code == 302 and done.headers["Location"] == "/work/", _text(done)[:500]
    assert other.get("/cases/").status_code == 200
    assert db.session.scalar(select(Passkey.last_used_at).where(Passkey.user_id == officer.id)) is not None


def test_an_answer_works_once_and_only_for_its_own_account(app, client, sign_in, officer):
    sign_in(officer)
    laptop = SoftAuthenticator()
    assert _add(client, laptop).status_code == 302
    stranger = staff_user("finance", email="fay@example.org")
    strangers_key = SoftAuthenticator()
    stranger_client = app.test_client()
    assert sign_in_as(stranger_client, stranger.email, PASSWORD).status_code == 302
    assert _add(stranger_client, strangers_key).status_code == 302

    browser = app.test_client()
    _password(browser, officer)
    answer = _passkey_answer(browser, laptop)
    assert _send(browser, answer).status_code == 302

    replay = app.test_client()
    _password(replay, officer)
    _options(replay, "/sign-in/passkey/options", "/sign-in/code")  # a fresh challenge: the old answer is not for it
    again = _send(replay, answer)
    assert again.status_code == 400 and "The passkey was not accepted" in _text(again)
    assert replay.get("/cases/").status_code == 302  # still not signed in

    without_options = _send(replay, answer)
    assert without_options.status_code == 400 and "The passkey request has expired" in _text(without_options)

    someone_elses = post_form(
        replay, "/sign-in/passkey", {"credential": _passkey_answer(replay, strangers_key)}, form_page="/sign-in/code"
    )
    assert someone_elses.status_code == 400 and "not one added to your account" in _text(someone_elses)


def test_a_cloned_passkey_whose_counter_goes_back_is_refused(app, client, sign_in, officer):
    sign_in(officer)
    laptop = SoftAuthenticator()
    assert _add(client, laptop).status_code == 302
    for _ in range(2):
        browser = app.test_client()
        _password(browser, officer)
        answer = _passkey_answer(browser, laptop)
        assert _send(browser, answer).status_code == 302
    laptop.count = 0  # the clone's counter is behind the one the server saw
    browser = app.test_client()
    _password(browser, officer)
    cloned = _send(browser, _passkey_answer(browser, laptop))
    assert cloned.status_code == 400 and "The passkey was not accepted" in _text(cloned)


def test_a_passkey_made_for_another_site_or_answered_twice_is_not_added(client, sign_in, officer):
    sign_in(officer)
    phishing = SoftAuthenticator(origin="https://grantflow.example.evil")
    refused = _add(client, phishing)
    assert refused.status_code == 400 and "The passkey could not be added" in _text(refused)
    other_site = SoftAuthenticator(rp_id="evil.example")
    assert "The passkey could not be added" in _text(_add(client, other_site))

    laptop = SoftAuthenticator()
    options = _options(client, "/account/passkeys/options", PASSKEYS)
    answer = laptop.create(options)
    assert post_form(client, PASSKEYS, {"action": "add", "credential": answer}).status_code == 302
    twice = post_form(client, PASSKEYS, {"action": "add", "credential": answer, "name": "again"})
    assert twice.status_code == 400 and "The passkey request has expired" in _text(twice)
    assert db.session.scalar(select(Passkey.name).where(Passkey.user_id == officer.id)).startswith("Passkey added on ")


def test_names_are_checked_and_what_was_typed_is_kept(client, sign_in, officer):
    sign_in(officer)
    too_long = _add(client, SoftAuthenticator(), "x" * 101)
    assert too_long.status_code == 400 and "The name must be 100 characters or fewer" in _text(too_long)
    assert 'value="' + "x" * 101 + '"' in _text(too_long)
    assert db.session.scalar(select(Passkey.id).where(Passkey.user_id == officer.id)) is None


def test_removing_a_passkey_is_audited_and_only_your_own(app, client, sign_in, officer):
    sign_in(officer)
    assert _add(client, SoftAuthenticator(), "Phone").status_code == 302
    mine = db.session.scalar(select(Passkey).where(Passkey.user_id == officer.id))
    theirs_owner = staff_user("finance", email="fay@example.org")
    theirs = Passkey(user_id=theirs_owner.id, credential_id="abc", public_key=b"k", sign_count=0, name="Fay's phone")
    db.session.add(theirs)
    db.session.commit()

    for hostile in (str(theirs.id), "9" * 30, "", "-1"):
        response = post_form(client, PASSKEYS, {"action": "remove", "passkey": hostile})
        assert response.status_code == 404, hostile
    assert db.session.get(Passkey, theirs.id) is not None

    removed = post_form(client, PASSKEYS, {"action": "remove", "passkey": str(mine.id)})
    assert removed.status_code == 302
    assert "Passkey removed: Phone" in _text(client.get(PASSKEYS))
    assert "remove_passkey" in _actions(officer)
    assert db.session.scalar(select(Passkey.id).where(Passkey.user_id == officer.id)) is None


def test_an_admins_reset_removes_passkeys_with_the_app(client, sign_in, officer):
    sign_in(officer)
    assert _add(client, SoftAuthenticator()).status_code == 302
    admin = staff_user("admin", email="ada@example.org")
    two_factor.reset(admin, officer, "lost phone and laptop")
    assert db.session.scalar(select(Passkey.id).where(Passkey.user_id == officer.id)) is None


def test_without_two_factor_sign_in_there_are_no_passkeys_to_add(client, sign_in):
    applicant = UserFactory(email="amira@example.org")
    sign_in(applicant)
    assert client.get(PASSKEYS).headers["Location"] == "/account/two-factor"
    token = csrf_token(client, "/sign-out")
    assert client.post("/account/passkeys/options", headers={"X-CSRFToken": token}).status_code == 404
    assert client.post("/account/passkeys/options").status_code == 400  # no CSRF token
