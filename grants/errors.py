"""The one "not found" every area raises, and the one shape of "what was typed is wrong".

A service raises NotFound when the thing asked for does not exist *or* the user may not see it:
the answer is the same 404 page for both, so nothing hints that the thing exists. The app
registers a handler for it (grants._init_errors), so views call services without try/except.
"""

from __future__ import annotations


class NotFound(Exception):
    """No such thing, or not one this user may see (shown as the 404 page, with no hint which)."""


class FieldErrors(Exception):
    """What was typed cannot be used: `errors` maps each field to its message, in page order."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))
