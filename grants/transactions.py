"""Commit or conflict: the one place a write that lost a race becomes the caller's conflict.

A stale version (SQLAlchemy's version_id_col), a duplicate row where the caller says a duplicate
means someone got there first, or SQLite's "database is locked" (the embedded database refuses
the second of two writers outright instead of making it wait) all roll back and raise what the
caller's `conflict` builds: each area shows its own "someone else changed this" page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from grants.database import BEGIN_IMMEDIATE
from grants.extensions import db


@contextmanager
def conflicts_as(conflict: Callable[[], Exception], *, duplicates: bool = False) -> Iterator[None]:
    """Run a block of writes; roll back on any failure, raising `conflict()` for a lost race."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        raise conflict() from None
    except IntegrityError:
        db.session.rollback()
        if duplicates:
            raise conflict() from None
        raise
    except OperationalError as exc:
        db.session.rollback()
        if "database is locked" in str(exc):
            raise conflict() from None
        raise
    except BaseException:
        db.session.rollback()
        raise


def commit_or_conflict(
    conflict: Callable[[], Exception], *, flush_only: bool = False, duplicates: bool = False
) -> None:
    """Commit (or only flush) the session; a lost race raises `conflict()` after a rollback."""
    with conflicts_as(conflict, duplicates=duplicates):
        if flush_only:
            db.session.flush()
        else:
            db.session.commit()


def lock_row(model: Any, row_id: int) -> None:
    """Hold this row's lock until the transaction ends, so check-then-insert steps that take it run one
    at a time: the second waits, then sees what the first wrote.

    PostgreSQL: SELECT ... FOR UPDATE. SQLite has no row locks: the reading transaction so far is
    ended (nothing may be pending in it) and one begins holding the database's write lock."""
    if db.session.get_bind().dialect.name == "sqlite":
        _begin_writing()
    db.session.execute(select(model.id).where(model.id == row_id).with_for_update())


def _begin_writing() -> None:
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("lock_row must come before any change in the transaction")
    db.session.rollback()  # only reads so far: nothing is lost
    token = BEGIN_IMMEDIATE.set(True)
    try:
        db.session.connection()  # begins the transaction: BEGIN IMMEDIATE (grants.database)
    finally:
        BEGIN_IMMEDIATE.reset(token)


def lost_race(exc: Exception) -> bool:
    """Whether a failed write lost a race: a duplicate row, or SQLite refusing the second writer."""
    return isinstance(exc, IntegrityError) or (isinstance(exc, OperationalError) and "database is locked" in str(exc))
