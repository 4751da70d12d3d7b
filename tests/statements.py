"""Counting the SQL a request runs, for the 'same number of queries whatever the size' tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from grants.extensions import db


@contextmanager
def counting_selects() -> Iterator[list[str]]:
    """Collects every SELECT sent to the database inside the block."""
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
