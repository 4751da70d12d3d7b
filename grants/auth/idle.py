"""Staff sessions end after a spell without activity (30 minutes by default).

The time of a staff member's last request is kept in their signed session cookie (no write to the
database per request): the request layer passes that cookie's mapping in as `state`. A request after
the limit ends the session on the server, as signing out does, and sends them to sign in again, back
to the page they asked for. Pages warn a few minutes before (static/app.js): "Stay signed in" keeps
the session without reloading the page, so what they have typed stays where it is; asking how long
is left does not count as activity.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from typing import Any

from flask import current_app

from grants.auth import sessions, two_factor

ACTIVE_AT = "active_at"
# Asking how long is left is not activity (a page's timer asks; it must not keep the session alive).
NOT_ACTIVITY = frozenset({"auth.session_time_left"})


def clock() -> float:
    """Seconds since the epoch (tests move it on)."""
    return time.time()


def applies(user: Any) -> bool:
    return two_factor.staff(user)


def limit_seconds() -> int:
    return int(current_app.config["STAFF_IDLE_SECONDS"])


def warning_seconds() -> int:
    return int(current_app.config["IDLE_WARNING_SECONDS"])


def seconds_left(state: Mapping[str, Any]) -> int:
    """How long this session may stay idle from now (the full limit if no activity is recorded yet)."""
    seen = state.get(ACTIVE_AT)
    if not isinstance(seen, int | float):
        return limit_seconds()
    return max(0, int(seen + limit_seconds() - clock()))


def timed_out(user: Any, state: Mapping[str, Any]) -> bool:
    return applies(user) and ACTIVE_AT in state and seconds_left(state) <= 0


def touch(state: MutableMapping[str, Any]) -> None:
    """Record activity now (each request of a staff member, and signing in)."""
    state[ACTIVE_AT] = int(clock())


def end(state: MutableMapping[str, Any]) -> None:
    """End the idle session on the server (every copy of its cookie), as signing out does."""
    state.pop(ACTIVE_AT, None)
    sessions.end_this("idle")
