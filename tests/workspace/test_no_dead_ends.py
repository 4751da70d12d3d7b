"""No dead ends: every page (a GET route) is linked from somewhere a person can click (a template's
`url_for`, a menu entry, a work queue, a search result), unless it is an entry point listed here
with the reason nothing links to it.

A crawl of the demo as every account was tried first: it needs minutes to meet each page in the
states that show its links (a variation's page is linked only from an award with a variation), so the
check reads what links to what instead: every place the code names an endpoint it links to.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Reached from outside the pages: emailed links, other programs, the browser itself, or a redirect
# after the step before (a page that only a form's answer leads to).
ENTRY_POINTS = {
    "static": "the browser's assets",
    "api.*": "the JSON API, for programs (its document is linked from the API tokens page)",
    "auth.reset_password": "the emailed password-reset link",
    "auth.second_factor": "where the password step redirects",
    "auth.two_factor_code": "where the password step redirects",
    "auth.two_factor_setup": "where the password step redirects, at a first sign-in",
    "auth.session_time_left": "asked by the page's idle timer (JSON)",
    "organisations.invitation": "the emailed invitation link",
    "public.healthz": "the load balancer's health check",
    "observability.readyz": "the load balancer's or orchestrator's readiness check",
    "observability.metrics_text": "scraped by Prometheus with its token",
    "apply.confirmation": "where sending an application redirects",
}

_NAMED = re.compile(r"""url_for\(\s*['"]([a-z_]+\.[a-z_]+)['"]|['"]([a-z_]+\.[a-z_]+)['"]""")


def _linked() -> set[str]:
    """Every endpoint name the templates and the app's code mention."""
    found: set[str] = set()
    for folder, pattern in ((ROOT / "templates", "*.html"), (ROOT / "grants", "*.py")):
        for path in folder.rglob(pattern):
            text = path.read_text(encoding="utf-8")
            for match in _NAMED.finditer(text):
                before = text[max(0, match.start() - 12) : match.start()]
                if "redirect(" not in before:  # a redirect is not a link: only the step before leads there
                    found.add(match.group(1) or match.group(2))
    return found


def _pages(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())}


def _entry(endpoint: str) -> bool:
    return endpoint in ENTRY_POINTS or endpoint.split(".")[0] + ".*" in ENTRY_POINTS


def test_every_page_is_linked_from_somewhere(app):
    unlinked = sorted(page for page in _pages(app) - _linked() if not _entry(page))
    assert unlinked == [], "pages nothing links to:\n" + "\n".join(unlinked)


def test_the_entry_points_are_real_routes(app):
    named = {page for page in ENTRY_POINTS if not page.endswith(".*")}
    assert named <= _pages(app)
