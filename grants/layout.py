"""The parts every page shares (templates/base.html) rendered once for each thing they vary by.

The header (the service navigation, the phase banner and the staff search box), the skip link and the
footer are the same HTML for every request that gives their macros the same values: the page's template,
the links of the navigation with the one marked as current, whether the header offers search, and the
address the service is served under. So each is rendered once for each of those, and later pages with
the same values are given the HTML already made. Nothing about a person is in them: the CSRF token and
the scripts' nonce are elsewhere on the page (the idle warning, the first script), and a part that holds
either after all, or the signed-in person's name or email address, is never kept (rendered afresh).
Flashed messages and form errors are in the page's content, which is never kept here.

Off with FORM_CACHES (as the form caches are): tests/apply/test_shared_parts.py compares pages made
both ways for visitors, applicants and staff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

MAX_PARTS = 1024
# Each part rendered so far, by its key: its HTML (a part holding anything personal is never kept).
_PARTS: dict[tuple[Any, ...], Markup] = {}
stats = {"hits": 0, "misses": 0, "fresh": 0}


def clear() -> None:
    _PARTS.clear()


def _frozen(value: Any) -> Any:
    """A hashable copy of the values a part is rendered from (lists of dicts of strings and flags)."""
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def _personal(html: str) -> bool:
    """Whether `html` holds something of this request or person that must never be shown to another."""
    secrets = [getattr(g, "csp_nonce", None), g.get("csrf_token")]
    if current_user.is_authenticated:
        secrets += [getattr(current_user, "email", None), getattr(current_user, "name", None)]
    return any(secret and secret in html for secret in secrets)


@pass_context
def shared_part(context: Context, name: str, render: Callable[[], str], *varies_by: Any) -> Markup:
    """The HTML `render()` makes (a block's super, or a macro: Markup, which escape keeps as it is),
    from the cache when this template has made it already with the same `varies_by`."""
    if not current_app.config.get("FORM_CACHES", True):
        return escape(render())
    # The address the service is served under, from the page's own context (Flask puts the request there).
    script_root = getattr(context.get("request"), "script_root", "")
    key = (name, context.name, script_root, current_app.config["SERVICE_NAME"], _frozen(varies_by))
    found = _PARTS.get(key)  # one look (another thread may empty the cache between two)
    if found is not None:
        stats["hits"] += 1
        if len(_PARTS) >= MAX_PARTS // 2:  # filling up: keep what is used at the end, where eviction comes last
            _PARTS[key] = _PARTS.pop(key, found)
        return found
    html = escape(render())
    if _personal(html):
        stats["fresh"] += 1  # not kept: the next request renders it afresh
        return html
    stats["misses"] += 1
    while len(_PARTS) >= MAX_PARTS:  # full: the part unused longest goes (a part found moves to the end)
        try:
            _PARTS.pop(next(iter(_PARTS)))
        except (StopIteration, KeyError, RuntimeError):  # another thread emptied or changed it meanwhile
            break
    _PARTS[key] = html
    return html
