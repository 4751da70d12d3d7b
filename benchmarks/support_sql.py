"""Counting the SQL statements an engine sends, and naming them by verb and tables."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


class StatementLog:
    """Every statement the engine sends (an SQLAlchemy `before_cursor_execute` listener), in order."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def kinds(self, since: int = 0) -> list[str]:
        """The statements sent since the `since`-th one, named (statement_kind)."""
        return [statement_kind(sql) for sql in self.statements[since:]]


@contextmanager
def counting_statements(engine: Any) -> Iterator[StatementLog]:
    """Log every statement `engine` sends inside the block."""
    log = StatementLog()
    event.listen(engine, "before_cursor_execute", log)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", log)


def statement_kind(sql: str) -> str:
    """'SELECT payments JOIN awards', 'UPDATE payments', 'INSERT audit_events': verb and tables."""
    text = " ".join(sql.split())
    verb = text.split(" ", 1)[0].upper()
    if verb == "SELECT":
        match = re.search(r"\bFROM\s+\"?(\w+)", text, re.IGNORECASE)
        joins = re.findall(r"\bJOIN\s+\"?(\w+)", text, re.IGNORECASE)
        return "SELECT " + " JOIN ".join([match.group(1) if match else "?", *joins])
    match = re.search(r"^(?:UPDATE|INSERT INTO|DELETE FROM)\s+\"?(\w+)", text, re.IGNORECASE)
    return f"{verb} {match.group(1) if match else '?'}"
