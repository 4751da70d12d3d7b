"""Staff are signed out after 30 minutes without a request; applicants are not.

A request after the limit ends the session on the server (a copy of the cookie is dead too) and
sends them to sign in again, told why, and back to the page they asked for (or, for a form they
sent, the page the form was on). Asking how long is left does not count as activity; "Stay signed
in" does.
"""

from __future__ import annotations

from sqlalchemy import select

from grants.auth import idle
from grants.extensions import db
from grants.models import UserSession
from tests.auth.test_auth import sign_in_with
from tests.factories import PASSWORD, UserFactory, staff_user
from tests.fixtures import csrf_token

LIMIT = 30 * 60


class Clock:
    def __init__(self, monkeypatch) -> None:
        import time

        self.now = float(int(time.time()))
        monkeypatch.setattr(idle, "clock", lambda: self.now)

    def wait(self, seconds: float) -> None:
        self.now += seconds


def _officer_signed_in(app, client):
    officer = staff_user("officer", None)
    assert sign_in_with(client, officer.email, PASSWORD).status_code == 302
    return officer


def test_an_officer_idle_for_30_minutes_is_signed_out_and_brought_back(app, client, monkeypatch):
    clock = Clock(monkeypatch)
    officer = _officer_signed_in(app, client)
    assert client.get("/cases/").status_code == 200

    clock.wait(LIMIT - 60)
    assert client.get("/cases/").status_code == 200  # activity: the clock starts again
    clock.wait(LIMIT - 60)
    assert client.get("/cases/").status_code == 200

    copied = client.get_cookie("session").value
    clock.wait(LIMIT + 1)
    response = client.get("/cases/?page=2")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/cases/?page%3D2")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out because you had done nothing for 30 minutes" in page

    row = db.session.scalar(select(UserSession).where(UserSession.user_id == officer.id))
    db.session.refresh(row)
    assert row.ended_why == "idle"
    other = app.test_client()
    other.set_cookie("session", copied)
    assert other.get("/cases/").status_code == 302  # the server-side session is over


def test_a_form_sent_after_the_limit_comes_back_to_its_page(app, client, monkeypatch):
    clock = Clock(monkeypatch)
    _officer_signed_in(app, client)
    token = csrf_token(client, "/sign-out")
    clock.wait(LIMIT + 1)
    response = client.post(
        "/sign-out/everywhere", data={"csrf_token": token}, headers={"Referer": "http://localhost/cases/"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/cases/"


def test_asking_the_time_left_is_not_activity_and_staying_signed_in_is(app, client, monkeypatch):
    clock = Clock(monkeypatch)
    _officer_signed_in(app, client)
    clock.wait(LIMIT - 100)
    assert client.get("/session/time-left").get_json() == {"seconds_left": 100}
    clock.wait(40)
    assert client.get("/session/time-left").get_json() == {"seconds_left": 60}  # the ask did not reset it

    stay = client.post("/session/keep-alive", headers={"X-CSRFToken": csrf_token(client, "/sign-out")})
    assert stay.status_code == 200
    assert stay.get_json() == {"seconds_left": LIMIT}
    clock.wait(LIMIT - 10)
    assert client.get("/cases/").status_code == 200


def test_staying_signed_in_needs_the_csrf_token(app, client, monkeypatch):
    Clock(monkeypatch)
    _officer_signed_in(app, client)
    assert client.post("/session/keep-alive").status_code == 400


def test_applicants_are_not_timed_out(app, client, monkeypatch):
    clock = Clock(monkeypatch)
    person = UserFactory()
    assert sign_in_with(client, person.email, PASSWORD).status_code == 302
    assert client.get("/session/time-left").get_json() == {"seconds_left": None}
    clock.wait(LIMIT * 10)
    assert client.get("/sign-out").status_code == 200  # still signed in


def test_signing_in_again_starts_a_fresh_clock_and_a_page_left_open_can_still_send(app, client, monkeypatch):
    clock = Clock(monkeypatch)
    officer = _officer_signed_in(app, client)
    left_open = csrf_token(client, "/sign-out")  # the form on a page left open in one tab
    clock.wait(LIMIT + 1)
    assert client.get("/cases/").status_code == 302
    assert sign_in_with(client, officer.email, PASSWORD).status_code == 302  # in another tab
    assert client.get("/cases/").status_code == 200
    sent = client.post("/sign-out/everywhere", data={"csrf_token": left_open})
    assert sent.status_code == 302 and sent.headers["Location"] == "/"  # accepted, not a 400
