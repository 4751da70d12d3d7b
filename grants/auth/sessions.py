"""Signed-in sessions kept on the server.

Signing in makes a `UserSession` with a random token; the cookie holds "<user id>:<token>" (as
flask-login's user id), the table only the token's hash. Each request loads the user and checks the
session in one statement. Ending a session (sign-out; "sign out everywhere"; a password reset, which
ends them all) makes every copy of its cookie worthless at once.
"""

from __future__ import annotations

import secrets

from flask import g
from flask_login import login_user, logout_user
from sqlalchemy import func, select, update

from grants.auth.passwords import hash_token
from grants.extensions import db
from grants.models import User, UserSession
from grants.models.base import utcnow

TOKEN_BYTES = 32


def start(user: User, user_agent: str) -> None:
    """Sign the user in on this browser (`user_agent` as it names itself) with a new server-side session."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = UserSession(user_id=user.id, token_hash=hash_token(token), user_agent=(user_agent or "")[:200])
    db.session.add(row)
    db.session.commit()
    user.session_key = f"{user.id}:{token}"
    g.user_session_id = row.id
    login_user(user)


def resume(key: str) -> User | None:
    """The user of a live session named by the cookie's key; None if it ended, is unknown or malformed."""
    user_id, _, token = key.partition(":")
    if not (user_id.isdigit() and len(user_id) < 12 and token and len(token) < 100):
        return None
    found = db.session.execute(
        select(User, UserSession.id)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(user_id), UserSession.token_hash == hash_token(token), UserSession.ended_at.is_(None))
    ).first()
    if found is None or not found[0].active:
        return None
    user = found[0]
    user.session_key = key
    g.user_session_id = found[1]
    return user


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
