"""NUL bytes in the address never reach a view: PostgreSQL text cannot hold one, and no address of this
service has one. A path with one names nothing (404); a query string with one is refused (400). Forms
check their own fields and say what to remove (see grants.admin, grants.returns)."""

from __future__ import annotations

from flask import abort, request


def refuse_nul_in_address() -> None:
    """before_request: a NUL byte in the path is not found; in the query string, a bad request."""
    if "\x00" in request.path:
        abort(404)
    if b"%00" in request.query_string.lower() or b"\x00" in request.query_string:
        abort(400)
