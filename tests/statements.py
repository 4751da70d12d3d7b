"""Counting the SQL a request runs, for the 'same number of queries whatever the size' tests."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from flask.testing import FlaskClient
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


def statements_at_page_sizes(
    client: FlaskClient, url: str, sizes: Sequence[int], setting: str = "PAGE_SIZE"
) -> list[int]:
    """The SELECTs one GET of `url` runs with the app's page size (`setting`) at each of `sizes`.

    Each answer must be 200; the setting is put back afterwards. A list page should give the same number each time.
    """
    counts = []
    with pytest.MonkeyPatch.context() as patch:
        for size in sizes:
            patch.setitem(client.application.config, setting, size)
            with counting_selects() as seen:
                response = client.get(url)
            assert response.status_code == 200, (url, size, response.status_code)
            counts.append(len(seen))
    return counts
