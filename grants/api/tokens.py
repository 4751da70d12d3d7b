"""API bearer tokens: issued by an admin (or `grantflow users token`), checked on every API request.

A token is "gf_" and 43 random URL-safe characters; only its SHA-256 is stored, with its first
characters (the prefix) to tell tokens apart. A token acts for its user in ONE staff role,
on one programme or on every programme where the user holds that role. What it may see is
worked out afresh on each request: its role intersected with the user's current role
grants, narrowed to its programme. Remove the user's role and the token stops working;
deactivate the user and it stops working; revoke it and it stops working.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import joinedload

from grants import access, audit
from grants.auth.passwords import hash_token
from grants.auth.services import find_user
from grants.extensions import db
from grants.formatting import whole_number
from grants.mail import queue_email
from grants.models import ApiToken, Programme, RoleGrant, User
from grants.models.base import utcnow
from grants.models.people import ROLE_LABELS
from grants.pagination import Page, paginate

TOKEN_ROLES = ("officer", "finance", "decision_maker", "admin")
TOKEN_PREFIX = "gf_"  # noqa: S105 - a label, not a secret
PREFIX_LENGTH = 12
EXPIRY_DAYS = (30, 90, 180, 365)
DEFAULT_DAYS = 90
MAX_DAYS = 365
RECORD_USE_EVERY = timedelta(minutes=1)
EVERY_PROGRAMME = "all"


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


# -- issuing and revoking -------------------------------------------------------------------------


class TokenProblem(Exception):
    """A token that cannot be issued; `field` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # shown once, never stored


def _holds(user: User, role: str, programme_id: int | None) -> bool:
    """Whether the user holds the role on this programme (None: on at least one programme)."""
    query = select(RoleGrant.id).where(RoleGrant.user_id == user.id, RoleGrant.role == role)
    if programme_id is not None:
        query = query.where(or_(RoleGrant.programme_id.is_(None), RoleGrant.programme_id == programme_id))
    return db.session.execute(query.limit(1)).first() is not None


def issue_token(
    *,
    user: User,
    role: str,
    programme: Programme | None,
    name: str,
    days: int,
    issued_by: User | None,
    now: datetime | None = None,
) -> Issued:
    """Make a token; the caller shows `secret` once. Raises TokenProblem naming the field at fault."""
    now = now or utcnow()
    name = name.strip()
    if not name:
        raise TokenProblem("name", "Enter a name for the token, saying what it is for")
    if len(name) > 100:
        raise TokenProblem("name", "The name must be 100 characters or fewer")
    if not user.active:
        raise TokenProblem("user", f"{user.name}'s account is deactivated")
    if role not in TOKEN_ROLES:
        raise TokenProblem("role", "API tokens are for these roles only: " + ", ".join(TOKEN_ROLES))
    if not _holds(user, role, programme.id if programme else None):
        where = f" on {programme.code}" if programme else ""
        raise TokenProblem(
            "role",
            f"{user.name} does not hold the {ROLE_LABELS[role].lower()} role{where}. "
            "Grant the role first (Admin > Staff roles).",
        )
    if not 1 <= days <= MAX_DAYS:
        raise TokenProblem("days", f"A token lasts from 1 to {MAX_DAYS} days")
    secret = new_secret()
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_LENGTH],
        role=role,
        programme_id=programme.id if programme else None,
        created_at=now,
        created_by_id=issued_by.id if issued_by else None,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(token)
    db.session.flush()
    audit.record_on_user(
        user,
        actor=issued_by,
        action="issue_api_token",
        data={
            "token_id": token.id,
            "prefix": token.prefix,
            "name": name,
            "role": role,
            "programme": programme.code if programme else None,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
        at=now,
    )
    if issued_by is not None and issued_by.id != user.id:
        _tell_holder(user, issued_by, token)
    db.session.commit()
    return Issued(token=token, secret=secret)


def _tell_holder(user: User, issued_by: User, token: ApiToken) -> None:
    """A token issued in someone's name acts as them: they are told, so one they did not ask for is seen."""
    where = f"on {token.programme.name}" if token.programme else "on every programme where you hold the role"
    queue_email(
        to=user.email,
        subject=f"An API token was issued in your name: {token.name}",
        body=(
            f"Dear {user.name},\n\n{issued_by.name} ({issued_by.email}) issued an API token in your name, "
            f"acting as {ROLE_LABELS[token.role].lower()} {where}.\n\n"
            f"Token: {token.prefix}… ({token.name})\nExpires: {token.expires_at:%d %B %Y}\n\n"
            "Other systems use it to read the service's data as you. If you did not expect it, ask an admin "
            "to revoke it (Admin > API tokens) and tell your information security team."
        ),
        key=f"api-token-issued:{token.id}",
    )


def issue_for_email(
    email: str, role: str, programme_code: str | None, name: str | None, days: int, issued_by: User | None = None
) -> Issued:
    """`grantflow users token EMAIL --role ROLE [--programme CODE]`: TokenProblem says what is wrong."""
    user = find_user(email)
    if user is None:
        raise TokenProblem("user", f"There is no account with the email address {email!r}")
    programme = None
    if programme_code:
        programme = db.session.scalar(select(Programme).where(Programme.code == programme_code))
        if programme is None:
            raise TokenProblem("programme", f"There is no programme with the code {programme_code!r}")
    return issue_token(
        user=user,
        role=role,
        programme=programme,
        name=name or "Issued on the command line",
        days=days,
        issued_by=issued_by,
    )


def issue_from_form(admin: User, user_id: str, role: str, programme: str, name: str, days: str) -> Issued:
    """The admin page's form: user and programme arrive as ids from select boxes.

    An admin issues tokens on the programmes they administer; a token for every programme only an
    admin of every programme issues."""
    user_number = whole_number(user_id)
    user = db.session.get(User, user_number) if user_number is not None else None
    if user is None:
        raise TokenProblem("user", "Choose a person from the list")
    found = None
    if programme != EVERY_PROGRAMME:
        number = whole_number(programme)
        found = db.session.get(Programme, number) if number is not None else None
        if found is None or not access.administers(admin, found.id):
            raise TokenProblem("programme", "Choose a programme from the list")
    elif not access.administers(admin, None):
        raise TokenProblem(
            "programme",
            "Choose one of your programmes: only an admin of every programme issues one for all of them",
        )
    lasts = whole_number(days)
    if lasts is None:
        raise TokenProblem("days", "Choose how long the token lasts")
    return issue_token(user=user, role=role, programme=found, name=name, days=lasts, issued_by=admin)


def revoke_token(admin: User, token_id: int, now: datetime | None = None) -> tuple[ApiToken | None, bool]:
    """Revoke a token: (the token or None if there is none, whether this call revoked it).

    A conditional UPDATE, so two admins revoking at once make one change and one audit row.
    """
    now = now or utcnow()
    token = db.session.get(ApiToken, token_id)
    if token is None or not access.administers(admin, token.programme_id):
        return None, False
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    changed = cast(CursorResult[Any], result).rowcount
    if changed:
        audit.record_on_user(
            token.user,
            actor=admin,
            action="revoke_api_token",
            data={"token_id": token.id, "prefix": token.prefix, "name": token.name, "role": token.role},
            at=now,
        )
    db.session.commit()
    db.session.refresh(token)
    return token, bool(changed)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def token_status(token: ApiToken, now: datetime | None = None) -> str:
    now = now or utcnow()
    if token.revoked_at is not None:
        return "Revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "Expired"
    return "Active"


def list_tokens(admin: User, page: int, per_page: int) -> Page[Any]:
    """The tokens on the programmes this admin administers (every token, for an admin of every programme)."""
    query = (
        select(ApiToken).options(joinedload(ApiToken.user), joinedload(ApiToken.programme)).order_by(ApiToken.id.desc())
    )
    mine = access.administered(admin)
    if mine is not None:
        query = query.where(ApiToken.programme_id.in_(mine))
    return paginate(query, page, per_page)


def user_choices(admin: User) -> list[tuple[str, str]]:
    """Active people holding a staff role a token can carry, on a programme this admin administers."""
    grants = select(RoleGrant.user_id).where(RoleGrant.role.in_(TOKEN_ROLES))
    mine = access.administered(admin)
    if mine is not None:
        grants = grants.where(or_(RoleGrant.programme_id.is_(None), RoleGrant.programme_id.in_(mine)))
    users = db.session.scalars(
        select(User).where(User.active.is_(True), User.id.in_(grants)).order_by(User.name, User.email)
    ).all()
    return [("", "Choose a person")] + [(str(u.id), f"{u.name} ({u.email})") for u in users]


def programme_choices(admin: User) -> list[tuple[str, str]]:
    query = select(Programme).order_by(Programme.code)
    mine = access.administered(admin)
    if mine is not None:
        query = query.where(Programme.id.in_(mine))
    every = [(EVERY_PROGRAMME, "Every programme where they hold the role")] if mine is None else []
    return every + [(str(p.id), f"{p.name} ({p.code})") for p in db.session.scalars(query)]


# -- checking a request's token --------------------------------------------------------------------


class Unauthorised(Exception):
    """401: no token, or one that is not (or no longer) valid. `error` is RFC 6750's code, if any."""

    def __init__(self, error: str | None, message: str):
        self.error = error
        super().__init__(message)


class Forbidden(Exception):
    """403: a valid token that may not use this endpoint, or whose user lost the token's role."""


@dataclass(frozen=True)
class Scope:
    """What one request's token may see: its role, on these programmes (None: every programme)."""

    token_id: int
    user_id: int
    role: str
    programme_ids: frozenset[int] | None

    def allows(self, programme_id: int) -> bool:
        return self.programme_ids is None or programme_id in self.programme_ids


def _secret_from(header: str | None) -> str:
    if not header:
        raise Unauthorised(None, "Send an API token in the Authorization header: 'Bearer <token>'.")
    scheme, _, secret = header.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or " " in secret:
        raise Unauthorised("invalid_request", "The Authorization header must be 'Bearer <token>'.")
    return secret


def authenticate(header: str | None, allowed_roles: frozenset[str], now: datetime | None = None) -> Scope:
    """The Scope of the request's bearer token; raises Unauthorised (401) or Forbidden (403).

    Two SELECTs (the token with its user, the user's grants of the token's role), and at most
    once a minute per token an UPDATE of last_used_at (committed at once).
    """
    now = now or utcnow()
    secret = _secret_from(header)
    row = db.session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id).where(ApiToken.token_hash == hash_token(secret))
    ).first()
    if row is None:
        raise Unauthorised("invalid_token", "The token is not recognised.")
    token, user = row
    if token.revoked_at is not None:
        raise Unauthorised("invalid_token", "The token has been revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthorised("invalid_token", "The token has expired. Ask an administrator for a new one.")
    if not user.active:
        raise Unauthorised("invalid_token", "The account this token belongs to is deactivated.")
    scope = _scope(token)
    _record_use(token, now)
    if scope.programme_ids is not None and not scope.programme_ids:
        where = " on the token's programme" if token.programme_id is not None else ""
        raise Forbidden(f"The token's user no longer holds the {token.role} role{where}.")
    if scope.role not in allowed_roles:
        raise Forbidden(
            f"A token with the {scope.role} role cannot use this endpoint; it needs one of: "
            + ", ".join(sorted(allowed_roles))
            + "."
        )
    return scope


def _scope(token: ApiToken) -> Scope:
    held = set(
        db.session.scalars(
            select(RoleGrant.programme_id).where(RoleGrant.user_id == token.user_id, RoleGrant.role == token.role)
        )
    )
    everywhere = None in held
    programme_ids: frozenset[int] | None
    if token.programme_id is not None:
        programme_ids = frozenset({token.programme_id}) if everywhere or token.programme_id in held else frozenset()
    else:
        programme_ids = None if everywhere else frozenset(p for p in held if p is not None)
    return Scope(token_id=token.id, user_id=token.user_id, role=token.role, programme_ids=programme_ids)


def _record_use(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < RECORD_USE_EVERY:
        return
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - RECORD_USE_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
