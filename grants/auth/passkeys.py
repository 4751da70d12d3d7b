"""Passkeys: a WebAuthn credential (a phone, a laptop's fingerprint reader, a security key) that stands
in for the authenticator app's code after the password.

Anyone with two-factor sign-in on may add passkeys from their account; at sign-in the code page then
offers "Use a passkey". The ceremony is py_webauthn's: the server makes the options with a fresh
challenge, kept on the server-side session and taken by the first answer; the browser asks the authenticator; the server
checks the answer against the challenge, this service's origin and relying-party id, and (at sign-in)
the public key stored when the passkey was added. Nothing secret is stored: a stolen table lets nobody
sign in. A signature counter that goes backwards (a cloned authenticator) is refused. Adding and
removing a passkey is audited; an admin's reset of someone's second factor removes their passkeys too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit

import webauthn
from flask import current_app, g
from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from grants import audit
from grants.extensions import db
from grants.formatting import LONDON
from grants.models import Passkey, User, UserSession
from grants.models.base import utcnow

NAME_LENGTH = 100
MOST_PER_PERSON = 10


class PasskeyRefused(Exception):
    """The passkey's answer was not accepted; the message says what to do."""


# -- where this service is ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Site:
    """Where the browser is: the origin it reports (scheme, host and port) and the relying party,
    this service's host name (a passkey made here works only here)."""

    origin: str
    rp_id: str

    @classmethod
    def at(cls, host_url: str) -> Site:
        return cls(origin=host_url.rstrip("/"), rp_id=urlsplit(host_url).hostname or "localhost")


def _issue(purpose: str, challenge: bytes) -> None:
    """Keep the ceremony's challenge on this sign-in's server-side session (one at a time)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == g.get("user_session_id"))
        .values(passkey_challenge=f"{purpose}:{bytes_to_base64url(challenge)}")
    )
    db.session.commit()


def _take(purpose: str) -> bytes:
    """Take the challenge issued for `purpose`: a conditional update clears it, so an answer (or a
    copy of it sent at the same moment) works once."""
    expired = PasskeyRefused("The passkey request has expired: try again")
    session_id = g.get("user_session_id")
    held = db.session.scalar(select(UserSession.passkey_challenge).where(UserSession.id == session_id))
    if held is None:
        raise expired
    taken = db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.passkey_challenge == held)
        .values(passkey_challenge=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    kind, _, value = held.partition(":")
    if not cast(CursorResult[Any], taken).rowcount or kind != purpose:
        raise expired
    return base64url_to_bytes(value)


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id)) for passkey in of(user)]


# -- the person's passkeys -------------------------------------------------------------------------------
def of(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)))


def has_any(user: User) -> bool:
    return db.session.scalar(select(Passkey.id).where(Passkey.user_id == user.id).limit(1)) is not None


def default_name(now: datetime | None = None) -> str:
    return f"Passkey added on {(now or utcnow()).astimezone(LONDON):%-d %B %Y}"


def _clean_name(typed: str) -> str:
    name = " ".join("".join(ch for ch in typed if ch.isprintable()).split())
    if len(name) > NAME_LENGTH:
        raise PasskeyRefused(f"The name must be {NAME_LENGTH} characters or fewer")
    return name or default_name()


# -- adding one --------------------------------------------------------------------------------------------
def registration_options(user: User, site: Site) -> str:
    """The options (JSON) for the browser to make a passkey for this person here."""
    options = webauthn.generate_registration_options(
        rp_id=site.rp_id,
        rp_name=current_app.config["SERVICE_NAME"],
        user_id=f"grantflow-user-{user.id}".encode(),
        user_name=user.email,
        user_display_name=user.name,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
    )
    _issue("add", options.challenge)
    return webauthn.options_to_json(options)


def add(user: User, site: Site, answer: str, typed_name: str) -> Passkey:
    """Keep the passkey the browser made, once its answer checks out; audited."""
    name = _clean_name(typed_name)
    challenge = _take("add")
    if len(of(user)) >= MOST_PER_PERSON:
        raise PasskeyRefused(f"You have {MOST_PER_PERSON} passkeys: remove one before adding another")
    try:
        made = webauthn.verify_registration_response(
            credential=answer, expected_challenge=challenge, expected_rp_id=site.rp_id, expected_origin=site.origin
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise PasskeyRefused("The passkey could not be added: try again, or use another passkey") from exc
    passkey = Passkey(
        user_id=user.id,
        credential_id=bytes_to_base64url(made.credential_id),
        public_key=made.credential_public_key,
        sign_count=made.sign_count,
        name=name,
    )
    db.session.add(passkey)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise PasskeyRefused("That passkey has already been added") from exc
    audit.record_on_user(user, actor=user, action="add_passkey", data={"name": name})
    db.session.commit()
    return passkey


def remove(user: User, passkey_id: int) -> str | None:
    """Remove one of this person's passkeys (None if it is not theirs); audited."""
    passkey = db.session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id))
    if passkey is None:
        return None
    name = passkey.name
    db.session.delete(passkey)
    audit.record_on_user(user, actor=user, action="remove_passkey", data={"name": name})
    db.session.commit()
    return name


# -- signing in with one -------------------------------------------------------------------------------------
def authentication_options(user: User, site: Site) -> str:
    """The options (JSON) for the browser to sign this person in with one of their passkeys."""
    options = webauthn.generate_authentication_options(
        rp_id=site.rp_id, allow_credentials=_descriptors(user), user_verification=UserVerificationRequirement.PREFERRED
    )
    _issue("sign_in", options.challenge)
    return webauthn.options_to_json(options)


def _credential_id(answer: str) -> str:
    try:
        parsed = json.loads(answer)
    except ValueError as exc:
        raise PasskeyRefused("The passkey's answer could not be read: try again") from exc
    found = parsed.get("id") if isinstance(parsed, dict) else None
    if not isinstance(found, str) or not found or len(found) > 1400:
        raise PasskeyRefused("The passkey's answer could not be read: try again")
    return found


def check(user: User, site: Site, answer: str) -> None:
    """Accept the passkey's answer in place of the app's code (PasskeyRefused otherwise)."""
    challenge = _take("sign_in")
    passkey = db.session.scalar(
        select(Passkey).where(Passkey.user_id == user.id, Passkey.credential_id == _credential_id(answer))
    )
    if passkey is None:
        raise PasskeyRefused("That passkey is not one added to your account: use another, or your app's code")
    try:
        checked = webauthn.verify_authentication_response(
            credential=answer,
            expected_challenge=challenge,
            expected_rp_id=site.rp_id,
            expected_origin=site.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise PasskeyRefused("The passkey was not accepted: try again, or use your app's code") from exc
    # The counter moves on only if nobody else moved it meanwhile (two answers at once: one wins).
    moved = db.session.execute(
        update(Passkey)
        .where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count)
        .values(sign_count=checked.new_sign_count, last_used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not cast(CursorResult[Any], moved).rowcount:
        db.session.rollback()
        raise PasskeyRefused("The passkey was not accepted: try again, or use your app's code")
    db.session.commit()
