"""A person's password used on a browser they have not signed in from before is emailed to them.

The browser keeps a long-lived device cookie; each session records its hash. The first sign-in of
an account (just registered) sends nothing; the same browser again sends nothing; another browser,
or a browser whose cookie was cleared or forged, sends one email naming when and the browser. A
wrong password sends nothing. The email holds no secret link.
"""

from __future__ import annotations

from sqlalchemy import select

from grants.auth.sessions import DEVICE_COOKIE
from grants.extensions import db
from grants.models import OutboxMessage, UserSession
from tests.auth.test_auth import sign_in_with
from tests.factories import PASSWORD, UserFactory, staff_user
from tests.fixtures import post_form

LAPTOP = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"


def _alerts(email: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == email, OutboxMessage.subject.contains("new device"))
            .order_by(OutboxMessage.id)
        )
    )


def _browser(app, user_agent: str):
    browser = app.test_client()
    browser.environ_base["HTTP_USER_AGENT"] = user_agent
    return browser


def _sign_out(browser) -> None:
    assert post_form(browser, "/sign-out", {}).status_code == 302


def test_a_new_browser_is_emailed_and_a_known_one_is_not(app):
    person = UserFactory(email="sam@example.org", name="Sam Lee")
    laptop = _browser(app, LAPTOP)
    assert sign_in_with(laptop, person.email, PASSWORD).status_code == 302
    assert _alerts(person.email) == []  # their first sign-in ever: nothing to compare with
    assert laptop.get_cookie(DEVICE_COOKIE) is not None

    _sign_out(laptop)
    assert sign_in_with(laptop, person.email, PASSWORD).status_code == 302
    assert _alerts(person.email) == []  # the same browser

    phone = _browser(app, PHONE)
    assert sign_in_with(phone, person.email, PASSWORD).status_code == 302
    [alert] = _alerts(person.email)
    assert alert.subject == "Your grantflow password was used on a new device"
    assert "Dear Sam Lee" in alert.body
    assert PHONE in alert.body
    assert "(UK time)" in alert.body
    assert "/password/forgot" in alert.body and "/password/reset/" not in alert.body

    assert sign_in_with(phone, person.email, PASSWORD).status_code == 302
    assert len(_alerts(person.email)) == 1  # the phone is known now


def test_a_cleared_or_forged_device_cookie_is_a_new_device(app):
    person = UserFactory()
    laptop = _browser(app, LAPTOP)
    assert sign_in_with(laptop, person.email, PASSWORD).status_code == 302
    laptop.delete_cookie(DEVICE_COOKIE)
    assert sign_in_with(laptop, person.email, PASSWORD).status_code == 302
    assert len(_alerts(person.email)) == 1

    forged = _browser(app, LAPTOP)
    forged.set_cookie(DEVICE_COOKIE, "x" * 43 + "\x00")
    assert sign_in_with(forged, person.email, PASSWORD).status_code == 302
    assert len(_alerts(person.email)) == 2
    assert forged.get_cookie(DEVICE_COOKIE).value != "x" * 43 + "\x00"  # a new, real one given


def test_another_persons_device_is_new_to_them(app):
    """A shared office computer: each person's first sign-in there is new to that person only."""
    first, second = UserFactory(), UserFactory()
    for person in (first, second):
        assert sign_in_with(_browser(app, LAPTOP), person.email, PASSWORD).status_code == 302
    shared = _browser(app, PHONE)
    assert sign_in_with(shared, first.email, PASSWORD).status_code == 302
    _sign_out(shared)
    assert sign_in_with(shared, second.email, PASSWORD).status_code == 302
    assert len(_alerts(first.email)) == len(_alerts(second.email)) == 1


def test_a_wrong_password_sends_nothing(app):
    person = UserFactory()
    assert sign_in_with(_browser(app, LAPTOP), person.email, PASSWORD).status_code == 302
    assert sign_in_with(_browser(app, PHONE), person.email, "not-the-password").status_code == 200
    assert _alerts(person.email) == []


def test_staff_are_told_at_the_password_before_their_code(app):
    """The password alone is the news: someone knows it, whether or not they have the phone."""
    officer = staff_user("officer", None)
    assert sign_in_with(_browser(app, LAPTOP), officer.email, PASSWORD).status_code == 302
    stranger = _browser(app, PHONE)
    response = post_form(stranger, "/sign-in", {"email": officer.email, "password": PASSWORD})
    assert "/sign-in/two-factor" in response.headers["Location"]
    assert len(_alerts(officer.email)) == 1
    sessions = db.session.scalars(select(UserSession).where(UserSession.user_id == officer.id)).all()
    assert len({row.device_hash for row in sessions}) == 2
