"""Links in emails: full addresses from SERVICE_URL, never the request's host."""

from __future__ import annotations

from flask import current_app
from werkzeug.routing import BuildError


def page_address(endpoint: str, values: dict[str, object], fallback: str = "/") -> str:
    """A page's full address from SERVICE_URL (the service's public address, a setting), built
    without a request: the scheduler sends emails too, and a request's Host is the caller's to set."""
    base = str(current_app.config["SERVICE_URL"]).rstrip("/")
    try:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    except BuildError:
        path = fallback
    return f"{base}{path}"
