"""The one "not found" every area raises.

A service raises NotFound when the thing asked for does not exist *or* the user may not see it:
the answer is the same 404 page for both, so nothing hints that the thing exists. The app
registers a handler for it (grants._init_errors), so views call services without try/except.
"""

from __future__ import annotations


class NotFound(Exception):
    """No such thing, or not one this user may see (shown as the 404 page, with no hint which)."""
