"""The whole demo, committed, for the tests that read it: loaded for real (`grants.demo.load_demo`) the
first time a test process asks, and copied back from that load's rows every later time.

A load runs the demo's workflows (thousands of transitions, audit rows and emails) and takes tens of
seconds; copying its rows back takes about a second. The copy is the same rows with the same ids, so a
test cannot tell the two apart; tests of loading itself (the CLI, loading twice) still load for real.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, select, text

from grants.extensions import db

_rows: list[tuple[Table, list[dict[str, Any]]]] | None = None


def _read_all() -> list[tuple[Table, list[dict[str, Any]]]]:
    taken = []
    for table in db.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        taken.append((table, [dict(row._mapping) for row in db.session.execute(query)]))
    return taken


def _reset_sequences() -> None:
    """PostgreSQL's id sequences to just past the copied ids, so the next row a test adds gets a new one."""
    for table in db.metadata.sorted_tables:
        if [column.name for column in table.primary_key.columns] == ["id"]:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def load() -> None:
    """Commit the demo into the (empty) test database; call inside an app context."""
    global _rows
    if _rows is None:
        from grants.demo import load_demo

        load_demo()
        db.session.remove()
        _rows = _read_all()
        db.session.remove()
        return
    for table, rows in _rows:
        if rows:
            db.session.execute(table.insert(), rows)
    if db.engine.dialect.name == "postgresql":
        _reset_sequences()
    db.session.commit()
    db.session.remove()
