"""Two-factor sign-in: after the password, a code from an authenticator app (TOTP, RFC 6238).

Required of everyone who holds a staff role (they hold bank details, scores and victims' data);
anyone else may turn it on. At enrolment the app scans a QR code of the shared secret, and the
person is given ten one-time recovery codes, each standing in for the app once. A code works once
(the last accepted 30-second step is kept) and codes of the step before and after are accepted, for
clocks a little out. An admin can reset someone's second factor when they lose their phone; that is
audited and ends every session of theirs. Whether this session has had its second factor is kept on
the server-side session (grants.auth.sessions), never in the cookie alone.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, cast

import pyotp
import segno
from flask import current_app, g
from sqlalchemy import CursorResult, delete, func, or_, select, update

from grants import access, audit
from grants.auth import sessions
from grants.auth.passwords import hash_token
from grants.extensions import db
from grants.models import Passkey, RecoveryCode, User, UserSession
from grants.models.base import utcnow
from grants.models.sealed import UNREADABLE, SealBroken, seal, unseal

STEP_SECONDS = 30
DIGITS = 6
RECOVERY_CODES = 10
PENDING_KEY = "pending_totp_secret"  # the flask session holds a secret being enrolled (sealed), until confirmed


class WrongCode(Exception):
    """The code typed is not right; the message says what to do."""


def required(user: Any) -> bool:
    """Whether this person must give a second factor: staff always; anyone else once they turned it on."""
    return user.totp_enrolled_at is not None or staff(user)


def staff(user: Any) -> bool:
    return bool(access.staff_roles(user))


def enrolled(user: Any) -> bool:
    return user.totp_enrolled_at is not None and bool(user.totp_secret)


def done() -> bool:
    """Whether this request's session has had its second factor."""
    return bool(g.get("second_factor_done"))


def mark_done(user: User) -> None:
    """Record on this session that the second factor was given."""
    session_id = g.get("user_session_id")
    if session_id is not None:
        db.session.execute(update(UserSession).where(UserSession.id == session_id).values(second_factor_at=utcnow()))
    g.second_factor_done = True
    db.session.commit()


# -- codes from the app ----------------------------------------------------------------------------
def _digits(typed: str) -> str | None:
    """What was typed, without spaces or dashes, if it is six ASCII digits."""
    text = "".join(ch for ch in typed if ch not in " -\u00a0\t")
    return text if len(text) == DIGITS and text.isascii() and text.isdigit() else None


def _step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    totp = _totp(secret)
    current = _step(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def current_code(secret: str, now: float | None = None) -> str:
    """The code the app shows now (the CLI prints it for demo accounts)."""
    return _totp(secret).at(_step(now) * STEP_SECONDS)


def _step_of(secret: str | None, typed: str, not_right: str, now: float | None) -> int:
    """The 30-second step whose code was typed (WrongCode, saying what to do, if none)."""
    code = _digits(typed)
    if code is None:
        raise WrongCode("Enter the 6-digit code from your authenticator app")
    if secret == UNREADABLE:
        raise WrongCode(
            "Your authenticator key cannot be read by this service: use a recovery code, "
            "or ask an admin to reset your two-factor sign-in"
        )
    step = _matching_step(secret, code, now) if secret else None
    if step is None:
        raise WrongCode(not_right)
    return step


def check_code(user: User, typed: str, now: float | None = None) -> None:
    """Accept the app's code once (WrongCode otherwise): a conditional update claims its step, so the
    same code sent twice, even at the same moment, works once."""
    step = _step_of(
        user.totp_secret, typed, "The code is not right: enter the code your authenticator app shows now", now
    )
    claimed = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult[Any], claimed).rowcount:
        db.session.rollback()
        raise WrongCode("That code has already been used: wait for your app to show a new one")
    db.session.commit()


# -- enrolment ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str
    qr_svg: str

    @property
    def key_in_groups(self) -> str:
        """The secret to type into an app by hand, in groups of four."""
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))


def enrolment(user: User, secret: str) -> Enrolment:
    uri = _totp(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["SERVICE_NAME"])
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, title="QR code for adding grantflow to an app")
    return Enrolment(secret=secret, uri=uri, qr_svg=svg)


def new_secret() -> str:
    return pyotp.random_base32(length=32)


def pending_secret(store: MutableMapping[str, Any]) -> str:
    """The secret being set up, kept in the (signed, readable) cookie session sealed, until a code
    confirms it; a new one when there is none or it cannot be opened."""
    sealed = store.get(PENDING_KEY)
    if isinstance(sealed, str):
        try:
            return unseal(sealed)
        except SealBroken:
            pass
    secret = new_secret()
    store[PENDING_KEY] = seal(secret)
    return secret


def enrol(user: User, secret: str, typed: str, now: float | None = None) -> list[str]:
    """Turn two-factor sign-in on with this secret once the app's code proves it was set up; returns
    the new recovery codes (shown once). WrongCode if the code does not match."""
    step = _step_of(
        secret, typed, "The code is not right: check the app shows grantflow and enter the code it shows now", now
    )
    user.totp_secret = secret
    user.totp_enrolled_at = utcnow()
    user.totp_last_step = step
    codes = _replace_recovery_codes(user)
    audit.record_on_user(user, actor=user, action="enrol_two_factor", data={})
    db.session.commit()
    return codes


# -- recovery codes ------------------------------------------------------------------------------------
def _normal(typed: str) -> str:
    return "".join(ch for ch in typed.lower() if ch.isascii() and ch.isalnum())


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_token(code)) for code in codes)
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def new_recovery_codes(user: User) -> list[str]:
    """A new set of recovery codes (the old ones stop working); shown once."""
    codes = _replace_recovery_codes(user)
    audit.record_on_user(user, actor=user, action="new_recovery_codes", data={})
    db.session.commit()
    return codes


def recovery_codes_left(user: User) -> int:
    return int(
        db.session.scalar(
            select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def use_recovery_code(user: User, typed: str) -> int:
    """Spend one recovery code in place of the app; returns how many are left. WrongCode if it is not one."""
    code = _normal(typed)
    if len(code) != 10:
        raise WrongCode("Enter one of your recovery codes, like 4f2a9-c81d0")
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult[Any], used).rowcount:
        db.session.rollback()
        raise WrongCode("That is not one of your recovery codes, or it has been used")
    audit.record_on_user(user, actor=user, action="use_recovery_code", data={})
    db.session.commit()
    return recovery_codes_left(user)


# -- turning it off -------------------------------------------------------------------------------------
def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enrolled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))


def turn_off(user: User) -> None:
    """Someone without a staff role turns two-factor sign-in off for themselves."""
    if access.staff_roles(user):
        raise WrongCode("Staff must use two-factor sign-in: it cannot be turned off")
    _clear(user)
    audit.record_on_user(user, actor=user, action="turn_off_two_factor", data={})
    db.session.commit()


def may_reset(admin: User, user: User) -> bool:
    """An admin of every programme resets anyone's; an admin of some, people holding a role on one of them."""
    mine = access.administered(admin)
    if mine is None:
        return True
    return any(grant.programme_id in mine for grant in user.role_grants)


def reset(admin: User, user: User, reason: str) -> None:
    """Clear someone's second factor (a lost phone): they set it up again at their next sign-in. Audited
    with the reason; every session of theirs ends."""
    _clear(user)
    audit.record_on_user(user, actor=admin, action="reset_two_factor", data={"reason": reason})
    db.session.commit()
    sessions.end_all(user, "two_factor_reset")
