"""Accounts: sign in, register, reset a forgotten password."""

from __future__ import annotations

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from grants import audit, mail
from grants.auth import sessions
from grants.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from grants.extensions import db
from grants.models import User
from grants.models.base import utcnow


class EmailTaken(Exception):
    pass


class InvalidToken(Exception):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    """The account with this email address (any capitals); None for an address no account can have."""
    if "\x00" in email:
        return None  # PostgreSQL text cannot hold it, so no account has it
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The user if the email and password match an active account; None otherwise."""
    user = find_user(email)
    if user is None:
        burn_time(password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    db.session.commit()
    return user


def create_user(name: str, email: str, password: str) -> User:
    """Add a user to the session (caller commits)."""
    user = User(name=name.strip(), email=normalise_email(email), password_hash=hash_password(password))
    db.session.add(user)
    return user


def register(name: str, email: str, password: str) -> User:
    if find_user(email) is not None:
        raise EmailTaken(email)
    user = create_user(name, email, password)
    db.session.flush()
    audit.record_on_user(user, actor=user, action="register")
    db.session.commit()
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    # Changes when the password changes, so a reset link works once.
    return user.password_hash[-16:]


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way."""
    user = find_user(email)
    if user is None or not user.active:
        return
    token = _serializer().dumps({"uid": user.id, "fp": _fingerprint(user)})
    link = current_app.config["SERVICE_URL"].rstrip("/") + url_for("auth.reset_password", token=token)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    mail.queue_email(
        to=user.email,
        subject="Reset your grantflow password",
        body=(
            f"Dear {user.name},\n\nSomeone asked to reset the password for your grantflow account.\n\n"
            f"To choose a new password, open this link within {minutes} minutes:\n{link}\n\n"
            "If you did not ask for this, you can ignore this email: your password has not changed."
        ),
        key=f"password-reset:{user.id}:{token[-24:]}",
    )
    db.session.commit()


def user_for_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise InvalidToken("This link has expired. Ask for a new one.") from None
    except BadSignature:
        raise InvalidToken("This link is not valid. Ask for a new one.") from None
    user = db.session.get(User, data.get("uid"))
    if user is None or _fingerprint(user) != data.get("fp"):
        raise InvalidToken("This link has already been used. Ask for a new one.")
    return user


def reset_password(token: str, password: str) -> User:
    user = user_for_token(token)
    user.password_hash = hash_password(password)
    audit.record_on_user(user, actor=user, action="reset_password")
    db.session.commit()
    sessions.end_all(user, "password_reset")  # a copied cookie, or an attacker's, ends with the old password
    return user
