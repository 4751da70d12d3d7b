"""Signed-in sessions kept on the server.

Signing in makes a `UserSession` with a random token; the cookie holds "<user id>:<token>" (as
flask-login's user id), the table only the token's hash. Each request loads the user and checks the
session in one statement. Ending a session (sign-out; "sign out everywhere"; a password reset, which
ends them all) makes every copy of its cookie worthless at once.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from functools import cache

from flask import current_app, g, url_for
from flask_login import login_user, logout_user
from sqlalchemy import Select, bindparam, exists, func, select, update

from grants import access, mail
from grants.auth.passwords import hash_token
from grants.extensions import db
from grants.formatting import LONDON
from grants.models import RoleGrant, User, UserSession
from grants.models.base import utcnow

TOKEN_BYTES = 32
DEVICE_COOKIE = "grantflow_device"
DEVICE_COOKIE_DAYS = 400  # browsers keep a cookie 400 days at most
_DEVICE = re.compile(r"[A-Za-z0-9_-]{43}")


def start(user: User, user_agent: str, device: str | None = None) -> str:
    """Sign the user in on this browser (`user_agent` as it names itself) with a new server-side session.

    `device` is the browser's device cookie (None or anything malformed: a new one is made); the
    device token to keep in that cookie is returned. Their password used on a browser none of their
    sessions has used before is emailed to them, unless this is their first sign-in ever."""
    device = device if device and _DEVICE.fullmatch(device) else secrets.token_urlsafe(TOKEN_BYTES)
    device_hash = hash_token(device)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    seen_before = db.session.execute(
        select(
            func.count(UserSession.id), func.count(UserSession.id).filter(UserSession.device_hash == device_hash)
        ).where(UserSession.user_id == user.id)
    ).one()
    row = UserSession(
        user_id=user.id, token_hash=hash_token(token), user_agent=(user_agent or "")[:200], device_hash=device_hash
    )
    db.session.add(row)
    db.session.flush()
    if seen_before[0] and not seen_before[1]:
        _tell_of_new_device(user, row)
    db.session.commit()
    user.session_key = f"{user.id}:{token}"
    g.user_session_id = row.id
    g.second_factor_done = False  # the password only, so far (grants.auth.two_factor)
    login_user(user)
    return device


def _tell_of_new_device(user: User, row: UserSession) -> None:
    when = row.started_at.astimezone(LONDON).strftime("%-d %B %Y at %H:%M")
    browser = row.user_agent or "a browser that did not name itself"
    service = current_app.config["SERVICE_URL"].rstrip("/")
    mail.queue_email(
        to=user.email,
        subject="Your grantflow password was used on a new device",
        body=(
            f"Dear {user.name},\n\nYour grantflow password was used to sign in on {when} (UK time) from a "
            f"browser you have not signed in from before:\n{browser}\n\n"
            "If this was you, you need do nothing.\n\n"
            "If it was not you, someone knows your password. Reset it now, which signs every device out:\n"
            f"{service}{url_for('auth.forgot_password')}\n\n"
            "Then tell your grantflow administrator."
        ),
        key=f"new-device:{row.id}",
    )


def resume(key: str) -> User | None:
    """The user of a live session named by the cookie's key; None if it ended, is unknown or malformed."""
    user_id, _, token = key.partition(":")
    if not (user_id.isdigit() and len(user_id) < 12 and token and len(token) < 100):
        return None
    found = db.session.execute(_live_session(), {"user_id": int(user_id), "token_hash": hash_token(token)}).first()
    if found is None or not found[0].active:
        return None
    user = found[0]
    user.session_key = key
    g.user_session_id = found[1]
    g.second_factor_done = found[2] is not None
    if not found[3]:
        access.no_staff_grants(user)
    return user


@cache
def _live_session() -> Select[User, int, datetime | None, bool]:
    """The user and their live session, in one statement built once (every signed-in request runs it).
    Whether the user holds any staff role comes with them: most users (applicants) hold none, and
    their pages then never ask for role grants at all (grants.access.staff_grants)."""
    return (
        select(User, UserSession.id, UserSession.second_factor_at, exists().where(RoleGrant.user_id == User.id))
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == bindparam("user_id"),
            UserSession.token_hash == bindparam("token_hash"),
            UserSession.ended_at.is_(None),
        )
    )


def end_this(why: str = "signed_out") -> None:
    """End the session of this request (every copy of its cookie) and sign this browser out."""
    session_id = g.get("user_session_id")
    if session_id is not None:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == session_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow(), ended_why=why)
        )
        db.session.commit()
    logout_user()


def end_everywhere(user: User) -> int:
    """End every session of the user, this one included, and sign this browser out; returns how many."""
    ended = end_all(user, "signed_out_everywhere")
    logout_user()
    return ended


def end_all(user: User, why: str) -> int:
    """End every live session of the user (on every device); returns how many. Commits."""
    ended = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_why=why)
    )
    db.session.commit()
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]


def live_count(user: User) -> int:
    """How many sessions of the user are live (signed in somewhere)."""
    return int(
        db.session.scalar(
            select(func.count(UserSession.id)).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        )
        or 0
    )
