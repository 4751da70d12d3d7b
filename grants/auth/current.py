"""The signed-in user, typed: what views hand to services that act for a user."""

from __future__ import annotations

from flask_login import current_user

from grants.auth import sessions
from grants.models import User


def signed_in_user() -> User:
    """The signed-in User (for views behind @signed_in or @staff, which refuse anyone else)."""
    user = current_user._get_current_object()  # the User itself, not flask-login's proxy
    if not isinstance(user, User):
        raise RuntimeError("signed_in_user() needs a signed-in user: mark the view @signed_in or @staff")
    return user


def load_user(user_id: str) -> User | None:
    """flask-login's user loader: the user of the cookie's session, if the session and the user are live."""
    return sessions.resume(user_id)
