"""Things built once and kept in this process: SQL statements and HTML fragments whose building is much of
a page's work, each under a key of everything it is made from, in a bounded store of the app's own (the
oldest goes first when it is full). Only what is built is kept, never what a statement reads: counts,
rows and conflicts are read afresh each time. Off with FORM_CACHES (tests compare pages made both ways).

`access_key` is the key of what a person may see: their id, their staff grants and today in London (the
overdue queues compare with it), so a role given or taken away, or a new day, is a new key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import current_app, has_app_context

from grants import access
from grants.formatting import london_today

T = TypeVar("T")
_LOCK = threading.Lock()
_MISSING = object()


def caches_on() -> bool:
    return has_app_context() and bool(current_app.config.get("FORM_CACHES", True))


def access_key(user: Any) -> tuple[Any, ...] | None:
    """The person, their staff grants and today; None for someone without an id (nothing is kept for them)."""
    user_id = getattr(user, "id", None)
    if not isinstance(user_id, int):
        return None
    grants = sorted(
        (-1 if programme is None else programme, tuple(sorted(roles)))
        for programme, roles in access.staff_grants(user).items()
    )
    return (user_id, tuple(grants), london_today())


def kept(store: str, limit: int, key: Hashable | None, build: Callable[[], T]) -> T:
    """What `build()` makes, from the app's store `store` (at most `limit` entries) when it was made for
    `key` already. A key of None, or FORM_CACHES=False, builds it every time."""
    if key is None or not caches_on():
        return build()
    cache: dict[Hashable, Any] = current_app.extensions.setdefault(store, {})
    with _LOCK:
        found = cache.get(key, _MISSING)
    if found is not _MISSING:
        return found  # type: ignore[no-any-return]
    value = build()
    with _LOCK:
        while len(cache) >= limit:
            cache.pop(next(iter(cache)))  # the oldest first
        cache[key] = value
    return value
