"""What /readyz and /metrics report: the database, Redis, the outbox and the scheduler's heartbeat."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from limits.storage import Storage, storage_from_string
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from grants.extensions import db
from grants.models import OutboxMessage, SchedulerHeartbeat
from grants.models.base import utcnow
from grants.models.operations import SCHEDULER
from grants.models.outbox import FAILED, PENDING, SENDING

OK = "ok"
REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://", "redis+sentinel://", "redis+cluster://")
REDIS_TIMEOUT_SECONDS = 1
_storages: dict[str, Storage] = {}


# -- the scheduler's heartbeat ----------------------------------------------------------------------
def record_heartbeat(name: str = SCHEDULER) -> datetime:
    """The scheduler is alive: its row says so, with when, where and which process."""
    now = utcnow()
    beat = db.session.get(SchedulerHeartbeat, name)
    if beat is None:
        beat = SchedulerHeartbeat(name=name)
        db.session.add(beat)
    beat.beat_at, beat.host, beat.pid = now, socket.gethostname()[:255], os.getpid()
    db.session.commit()
    return now


def last_heartbeat(name: str = SCHEDULER) -> datetime | None:
    return db.session.scalar(select(SchedulerHeartbeat.beat_at).where(SchedulerHeartbeat.name == name))


# -- the outbox --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutboxFigures:
    unsent: int
    oldest_unsent_seconds: float
    failed: int


def outbox_figures() -> OutboxFigures:
    """Unsent (pending or being sent) and failed emails, and how long the oldest unsent one has waited:
    one grouped statement."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at))
        .where(OutboxMessage.status.in_((PENDING, SENDING, FAILED)))
        .group_by(OutboxMessage.status)
    ).all()
    counts = {status: count for status, count, _oldest in rows}
    oldest = [first for status, _count, first in rows if status != FAILED and first is not None]
    waited = (utcnow() - min(oldest)).total_seconds() if oldest else 0.0
    return OutboxFigures(counts.get(PENDING, 0) + counts.get(SENDING, 0), max(waited, 0.0), counts.get(FAILED, 0))


# -- readiness ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]  # check -> "ok", "not configured", "not expected" or what is wrong
    failing: list[str]

    @property
    def ready(self) -> bool:
        return not self.failing


def readiness(config: Any) -> Readiness:
    """The database answers, Redis answers where one is configured, and the scheduler's heartbeat is
    fresh where a scheduler is expected (SCHEDULER_EXPECTED, SCHEDULER_HEARTBEAT_MAX_AGE)."""
    checks: dict[str, str] = {}
    database = _database_ok()
    checks["database"] = OK if database else "unreachable"
    checks["redis"] = _redis(config.get("RATELIMIT_STORAGE_URI", ""))
    checks["scheduler"] = _scheduler(config, database)
    failing = [name for name, outcome in checks.items() if outcome not in (OK, "not configured", "not expected")]
    return Readiness(checks, failing)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return False
    return True


def _redis(uri: str) -> str:
    if not uri.startswith(REDIS_SCHEMES):
        return "not configured"
    storage = _storages.get(uri)
    if storage is None:  # the rate limits' own storage, built as Flask-Limiter builds it, kept per address
        options = {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS}
        built = storage_from_string(uri, **options)
        if not isinstance(built, Storage):  # an async:// storage: not what Flask-Limiter uses here
            return "not configured"
        storage = _storages[uri] = built
    try:
        return OK if storage.check() else "unreachable"
    except Exception:  # noqa: BLE001 - whatever the client raises, Redis is not answering
        return "unreachable"


def _scheduler(config: Any, database: bool) -> str:
    if not config.get("SCHEDULER_EXPECTED"):
        return "not expected"
    if not database:
        return "unknown: the database is unreachable"
    try:
        beat = last_heartbeat()
    except SQLAlchemyError:
        db.session.rollback()
        return "unknown: the heartbeat could not be read"
    if beat is None:
        return "no heartbeat yet"
    age = int((utcnow() - beat).total_seconds())
    if age > int(config.get("SCHEDULER_HEARTBEAT_MAX_AGE", 300)):
        return f"stale: last heartbeat {age} seconds ago"
    return OK
