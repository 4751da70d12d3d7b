"""Posting forms as a browser does (with the CSRF token of the page that shows the form), for every area's tests."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token from the form on a page, as a browser would send it back."""
    html = client.get(url).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url: str, data: dict, *, form_page: str | None = None, **kwargs):
    """POST a form the way a browser does: with the token from the page that shows it."""
    token = csrf_token(client, form_page or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


# -- signing in, with the second factor ------------------------------------------------------------------
_SETUP_KEY = re.compile(r'id="setup-key"><code>([A-Z2-7 ]+)</code>')
_ONWARDS = re.compile(r'href="([^"]+)"[^>]*>I have saved my recovery codes')


def sign_in_as(client, email: str, password: str):
    """Sign in as a person does: the password, then (staff, and anyone who turned it on) the code their
    authenticator app shows, or, for staff who have not set one up yet, setting it up. Answers as the
    password's own response would: a redirect onwards, or the sign-in page with its error."""
    response = post_form(client, "/sign-in", {"email": email, "password": password})
    if response.status_code != 302 or "/sign-in/two-factor" not in response.headers["Location"]:
        return response
    return second_factor(client, response.headers["Location"], email)


def second_factor(client, location: str, email: str):
    """Give the second factor from where the sign-in sent the browser (`/sign-in/two-factor?...`)."""
    from flask import Response

    target = client.get(location).headers["Location"]
    if "/set-up" in target:
        key = _SETUP_KEY.search(client.get(target).get_data(as_text=True)).group(1).replace(" ", "")
        saved = post_form(client, target, {"code": app_code(key)})
        assert saved.status_code == 200, saved.get_data(as_text=True)[:500]
        return Response(status=302, headers={"Location": _ONWARDS.search(saved.get_data(as_text=True)).group(1)})
    return post_form(client, target, {"code": fresh_code(email)})


def app_code(key: str) -> str:
    import pyotp

    return pyotp.TOTP(key).now()


def fresh_code(email: str) -> str:
    """The code the person's app shows now. A code works once per 30-second step, and tests sign the
    same person in several times a second (as no person does), so each sign-in starts a fresh step."""
    from sqlalchemy import select, update

    from grants.extensions import db
    from grants.models import User

    # End the test's own transaction first: on SQLite a read begun before the server's last write
    # cannot become a write ("database is locked"), and on both it would read an old snapshot.
    db.session.commit()
    secret = db.session.scalar(select(User.totp_secret).where(User.email == email.strip().lower()))
    db.session.execute(update(User).where(User.email == email.strip().lower()).values(totp_last_step=None))
    db.session.commit()  # and no transaction left open: a test's open read would pin an old snapshot
    return app_code(secret)


def allow_audit_purge() -> None:
    """Let this transaction remove audit rows: on PostgreSQL a trigger refuses it otherwise (migration
    0013). Only tests empty their database; the app has no such path."""
    from sqlalchemy import text

    from grants.extensions import db

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL grantflow.audit_purge = 'on'"))
