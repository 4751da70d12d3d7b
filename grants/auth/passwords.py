"""Password hashing with Argon2id (argon2-cffi); random tokens (sessions, invitations, API tokens) by SHA-256."""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane): about 25 ms a sign-in here, where the
# library's default (64 MiB, 3 passes, 4 lanes) costs 180 ms of CPU and queues a 2-core server.
_standard = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Tests hash thousands of passwords: cheaper parameters there, never in production.
_fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _hasher() -> PasswordHasher:
    return _fast if current_app.config.get("PASSWORD_HASH_FAST") else _standard


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when a stored hash was made with other parameters than today's."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def burn_time(password: str) -> None:
    """Spend the time a real check would, so a missing account is not told apart by timing."""
    _hasher().hash(password)


def hash_token(token: str) -> str:
    """How a random token is kept: its SHA-256 (a token is long and random, so a slow hash adds nothing)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
