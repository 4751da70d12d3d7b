"""Secrets the service must read back (an authenticator app's key) are kept encrypted at rest.

A copy of the database, a backup file or a stray query result then holds only ciphertext: with the
key alone a thief cannot make sign-in codes. Fernet (AES-128-CBC with an HMAC, from `cryptography`)
seals each value. The key is `DATA_ENCRYPTION_KEYS` when set (comma-separated Fernet keys: the first
seals, every one opens, so a key can be rotated in), else one derived from `SECRET_KEY` by HKDF
for this purpose alone. The derived key always opens too, so moving from it to an explicit key keeps
what was sealed before readable. A backup holds the sealed values; restore it where the same keys
are set, or the people whose keys it holds set up their authenticator again.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String, TypeDecorator

PURPOSE = b"grantflow: secrets at rest"
SEALED_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80); no base32 key does
# What a sealed column reads as when no configured key opens it (the keys changed): never a usable
# secret, so sign-in with the app fails closed with a message, and recovery codes still work.
UNREADABLE = "!unreadable"


class SealBroken(Exception):
    """A sealed value that none of the configured keys opens."""


@lru_cache(maxsize=8)
def _box(secret_key: str, explicit: str) -> MultiFernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret_key.encode())
    keys = [Fernet(key.strip().encode()) for key in explicit.split(",") if key.strip()]
    return MultiFernet([*keys, Fernet(base64.urlsafe_b64encode(derived))])


def _current_box() -> MultiFernet:
    config = current_app.config
    return _box(str(config["SECRET_KEY"]), str(config.get("DATA_ENCRYPTION_KEYS") or ""))


def seal(plain: str) -> str:
    return _current_box().encrypt(plain.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    try:
        return _current_box().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise SealBroken("a sealed secret that none of this service's keys opens") from exc


def looks_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


class SealedString(TypeDecorator[str]):
    """A column whose value Python sees in the clear and the database holds sealed."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        try:
            return unseal(value)
        except SealBroken:
            return UNREADABLE
