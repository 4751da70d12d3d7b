"""Browser tests: the app served from a thread, driven by Debian chromium, axe on every page.

Every page a test loads is recorded by a `load` hook on the page; `Browser.check()` runs axe
on the page now showing and marks it checked. The `site` fixture fails the test at the end if
any page was loaded without being checked, so a journey cannot skip a page by accident.

Axe is JavaScript, and Playwright's evaluate never returns in a context with JavaScript off, so
for `no_js_site` each page's HTML (as served: no script ran) is audited in a second, JS-enabled
page at the same address with the page's scripts removed.

There is no browser download: tests launch Debian's /usr/bin/chromium, and fail if it is missing.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, Route, expect, sync_playwright
from werkzeug.serving import make_server

from tests.demo_data import load as load_demo_data
from tests.fixtures import fresh_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
DEMO_PASSWORD = "grantflow-demo"  # noqa: S105 - the demo accounts' password
TIMEOUT_MS = 10_000

_axe = Axe()
_SCRIPTS = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
_NOSCRIPT_TAGS = re.compile(r"</?noscript\b[^>]*>", re.IGNORECASE)


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    target {node['target']}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def check_a11y(page: Page) -> None:
    """Run axe on the page as it is now and fail on any violation, naming rule, help and nodes."""
    results = _axe.run(page)
    violations = results.response["violations"]
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{_describe(violations)}"


@dataclass
class Browser:
    """A Playwright page with the base URL, that knows which loaded pages axe has checked."""

    page: Page
    base_url: str
    loaded: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    unchecked: int = 0
    auditor: Page | None = None  # set when self.page runs without JavaScript

    def __post_init__(self) -> None:
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("load", self._loaded)

    def _loaded(self, page: Page) -> None:
        self.loaded.append(page.url)
        self.unchecked += 1

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def check(self) -> None:
        """Axe on the page now showing (call after every navigation, once the page is settled)."""
        self.page.wait_for_load_state("load")
        self.unchecked = 0
        self.checked.append(self.page.url)
        if self.auditor is None:
            check_a11y(self.page)
        else:
            self._audit_copy()

    def _audit_copy(self) -> None:
        """Axe cannot run in a page without JavaScript, so audit an exact copy of it, scripts removed,
        at the same address in a page with JavaScript (axe is then the only script that runs)."""
        assert self.auditor is not None
        html = _NOSCRIPT_TAGS.sub("", _SCRIPTS.sub("", self.page.content()))
        url = self.page.url

        def serve(route: Route) -> None:
            if route.request.url == url and route.request.resource_type == "document":
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            else:
                route.continue_()

        self.auditor.route("**/*", serve)
        try:
            self.auditor.goto(url)
            check_a11y(self.auditor)
        finally:
            self.auditor.unroute("**/*", serve)

    def visit(self, path: str, *, settle: str | None = None) -> None:
        """Go to a path, wait for `settle` (a selector) if given, and check the page with axe."""
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 500, f"{path}: {response and response.status}"
        if settle:
            self.page.locator(settle).first.wait_for()
        self.check()

    def follow(self, target: Locator, *, settle: str | None = None) -> None:
        """Click a link or button that loads a new page, then check that page with axe."""
        with self.page.expect_navigation():
            target.click()
        if settle:
            self.page.locator(settle).first.wait_for()
        self.check()

    def heading(self) -> Locator:
        return self.page.locator("h1")

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.visit("/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.follow(self.page.get_by_role("button", name="Sign in"))
        expect(self.page.locator(".govuk-error-summary")).to_have_count(0)
        if self.path.startswith("/sign-in/code"):  # staff: the code their authenticator app shows
            self.page.get_by_label("Code from your authenticator app").fill(fresh_code(email))
            self.follow(self.page.get_by_role("button", name="Continue"))
            expect(self.page.locator(".govuk-error-summary")).to_have_count(0)
        expect(self.page.locator(".govuk-service-navigation a[href='/sign-out']")).to_have_count(1)


@pytest.fixture(scope="session")
def playwright_browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (the browser tests need it)", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def _server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def live_server(_server: str, committed_db) -> str:
    """The running app's base URL; data the test commits is visible to it, and deleted afterwards."""
    return _server


@pytest.fixture
def demo(live_server, committed_db) -> None:
    """The demo data and the six demo accounts, committed so the server sees them."""
    load_demo_data()


def _browser(playwright_browser, live_server: str, **context_options: Any) -> Iterator[Browser]:
    context = playwright_browser.new_context(**context_options)
    audit_context = None
    try:
        site = Browser(context.new_page(), live_server)
        if context_options.get("java_script_enabled") is False:
            audit_options = {k: v for k, v in context_options.items() if k != "java_script_enabled"}
            audit_context = playwright_browser.new_context(**audit_options)
            site.auditor = audit_context.new_page()
            site.auditor.set_default_timeout(TIMEOUT_MS)
        yield site
        assert site.unchecked == 0, (
            f"a page was loaded but not checked with axe (loaded {site.loaded}, checked {site.checked})"
        )
    finally:
        context.close()
        if audit_context is not None:
            audit_context.close()


@pytest.fixture
def site(playwright_browser, live_server) -> Iterator[Browser]:
    yield from _browser(playwright_browser, live_server)


@pytest.fixture
def page(site: Browser) -> Page:
    return site.page


@pytest.fixture
def narrow_site(playwright_browser, live_server) -> Iterator[Browser]:
    """A phone-sized window: 320 CSS pixels wide (WCAG 1.4.10 reflow)."""
    yield from _browser(playwright_browser, live_server, viewport={"width": 320, "height": 640})


@pytest.fixture
def no_js_site(playwright_browser, live_server) -> Iterator[Browser]:
    yield from _browser(playwright_browser, live_server, java_script_enabled=False)


@pytest.fixture
def localhost_site(playwright_browser, live_server) -> Iterator[Browser]:
    """The site at http://localhost:<port>: a passkey's relying party must be a host name, not an address."""
    yield from _browser(playwright_browser, live_server.replace("//127.0.0.1:", "//localhost:"))
