"""Commit or conflict: the one place a write that lost a race becomes the caller's conflict.

A stale version (SQLAlchemy's version_id_col), a duplicate row where the caller says a duplicate
means someone got there first, or SQLite's "database is locked" (the embedded database refuses
the second of two writers outright instead of making it wait) all roll back and raise what the
caller's `conflict` builds: each area shows its own "someone else changed this" page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

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
