"""Engine tweaks per database dialect, and how a PostgreSQL connection that went away is noticed."""

from __future__ import annotations

import select
import time
from contextvars import ContextVar
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.pool import ConnectionPoolEntry, Pool


def init_database(app: Flask) -> None:
    global _PING_AFTER_IDLE
    _PING_AFTER_IDLE = float(app.config.get("DATABASE_PING_AFTER_IDLE_SECONDS", _PING_AFTER_IDLE))
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """SQLite: enforce foreign keys, and let SQLAlchemy (not pysqlite) manage transactions."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


# Set while a transaction that must write begins (grants.transactions.lock_row): SQLite then takes the
# write lock at BEGIN, so a second writer waits for the first to finish instead of reading stale data.
BEGIN_IMMEDIATE: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if BEGIN_IMMEDIATE.get() else "BEGIN")


# -- PostgreSQL connections that went away ------------------------------------------------------------
# No pool pre-ping (a SELECT 1 round trip on every checkout, so on every request). Instead, on checkout:
# a connection whose socket has something to read while it sits idle in the pool (the server's
# "terminating connection" message and the closed socket, after a restart or a terminated backend) or
# that has been idle longer than DATABASE_PING_AFTER_IDLE_SECONDS (a server that vanished without
# closing it) is pinged first; one that does not answer is replaced, with every other connection of
# the pool made before it (SQLAlchemy's pool invalidation). docs/decisions.md 2026-12-04.
_PING_AFTER_IDLE = 30.0
_IDLE_SINCE = "grantflow_idle_since"


def _is_psycopg(dbapi_connection: Any) -> bool:
    return type(dbapi_connection).__module__.startswith("psycopg")


def _has_something_to_read(dbapi_connection: Any) -> bool:
    """Whether the server sent anything to a connection between requests (nothing is expected: no
    LISTEN here), or closed it: without a round trip."""
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    except (OSError, ValueError, AttributeError):  # a closed connection has no socket to ask
        return True


def _answers(dbapi_connection: Any) -> bool:
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
    except Exception:  # noqa: BLE001 - any failure to answer means the connection is of no use
        return False
    return True


@event.listens_for(Pool, "checkin")
def _idle_from_now(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _still_there(dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: Any) -> None:
    if not _is_psycopg(dbapi_connection):
        return
    idle_since = record.info.get(_IDLE_SINCE)
    long_idle = idle_since is not None and time.monotonic() - idle_since > _PING_AFTER_IDLE
    if (long_idle or _has_something_to_read(dbapi_connection)) and not _answers(dbapi_connection):
        raise InvalidatePoolError("the database closed this connection (a restart?): connecting again")
