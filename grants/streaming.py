"""Streamed downloads that never end short without saying so.

A streamed file's status line and headers go out before its rows are read, so a failure part-way
cannot become an error page. Without care the user is left a file that simply stops: a CSV of
the header row, or of half the rows, that looks whole. Here:

- the first chunks (the header and the first batch of rows, so the query itself) are read before
  the response starts: a failure there is an ordinary error page, not an empty file;
- a failure after that ends the file with a line saying it is incomplete, then lets the error go on,
  so the server breaks off the chunked response and the browser marks the download as failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from flask import current_app

INCOMPLETE_CSV = (
    "\r\nINCOMPLETE DOWNLOAD: the server stopped part-way through this file, so rows are missing. "
    "Do not use it: download it again.\r\n"
)
READ_FIRST = 2  # chunks read before the response starts: the header and the first batch of rows


def guarded(chunks: Iterable[str], incomplete: str = INCOMPLETE_CSV) -> Iterator[str]:
    """The chunks, with their start read now and a failure part-way written into the file (`incomplete`)."""
    source = iter(chunks)
    first = list(islice(source, READ_FIRST))  # a failure here is raised in the view: an error page

    def stream() -> Iterator[str]:
        yield from first
        try:
            yield from source
        except Exception:
            current_app.logger.exception("a download failed part-way; its file ends saying so")
            if incomplete:
                yield incomplete
            raise

    return stream()
