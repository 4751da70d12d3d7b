"""The deadline rush's simulated browser: one person's cookies and requests, each timed and recorded.

httpx, one connection per request, redirects not followed, cookies kept by hand (production's are Secure
and this talks plain HTTP to 127.0.0.1). Every request is a Sample in a Recorder, with an error if the
answer was not the one expected.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import httpx
from support import csrf_token

_VERSION = re.compile(r'name="version_id"[^>]*value="(\d*)"')


@dataclass
class Sample:
    kind: str
    started: float  # perf_counter
    seconds: float
    status: int | None  # None: no response (timeout, connection error)
    error: str | None


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)
        if sample.error:
            key = f"{sample.kind}: {sample.error}"
            self.error_kinds[key] = self.error_kinds.get(key, 0) + 1


def multipart(pairs: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The body a browser sends for <form enctype="multipart/form-data"> with no files chosen."""
    boundary = "----grantflowbench" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in pairs
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class Browser:
    """One person's browser: its own connection pool and cookies, no redirects followed.

    Production marks the session cookie Secure, and this talks plain HTTP to 127.0.0.1 (as a
    TLS-terminating proxy would), so cookies are kept here and sent as a header rather than by
    httpx's jar, which would hold Secure cookies back over http.
    """

    def __init__(self, base: str | list[str], timeout: float, recorder: Recorder | None):
        # No keep-alive: a connection per request, as most reverse proxies talk to gunicorn. (With gthread
        # workers, a reused connection that the server closes after its 2 s keep-alive would otherwise race
        # a request sent after a think time, and httpx does not retry as a browser would.)
        # Several bases: each request goes to the next in turn (round robin), as a load balancer would.
        self.bases = [base] if isinstance(base, str) else list(base)
        self.turn = 0
        self.client = httpx.AsyncClient(
            base_url=self.bases[0],
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self.cookies: dict[str, str] = {}
        self.recorder = recorder

    async def close(self) -> None:
        await self.client.aclose()

    def _keep_cookies(self, response: Any) -> None:
        for header in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"])
                if expired or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.client.cookies.clear()

    async def request(
        self,
        kind: str,
        method: str,
        url: str,
        *,
        form: list[tuple[str, str]] | None = None,
        as_multipart: bool = False,
        expect: int = 200,
        check: Any = None,
    ) -> Any:
        """Send one request and record it; returns the response, or None if there was none."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        content = None
        data: dict[str, list[str]] | None = None
        if form is not None and as_multipart:
            content, headers["Content-Type"] = multipart(form)
        elif form is not None:
            data = {}
            for key, value in form:
                data.setdefault(key, []).append(value)
        if len(self.bases) > 1 and url.startswith("/"):
            url = self.bases[self.turn % len(self.bases)] + url
            self.turn += 1
        clock = time.perf_counter
        t0 = clock()
        response = None
        error: str | None = None
        try:
            response = await self.client.request(method, url, headers=headers, content=content, data=data)
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        seconds = clock() - t0
        if response is not None:
            self._keep_cookies(response)
            if response.status_code != expect:
                error = f"HTTP {response.status_code}"
            elif check is not None:
                error = check(response)
        if self.recorder is not None:
            self.recorder.add(Sample(kind, t0, seconds, None if response is None else response.status_code, error))
        return response if error is None else None


def page_problem(response: Any) -> str | None:
    """Why a page that should show a form does not (None if it does)."""
    text = response.text
    if "govuk-error-summary" in text:
        return "page shows an error summary"
    if csrf_token(text) is None:
        return "no CSRF token on the page"
    return None


def redirect_to(suffix: str) -> Any:
    """A check that the response redirects to a URL ending in `suffix`."""

    def check(response: Any) -> str | None:
        location = response.headers.get("location", "")
        return None if location.endswith(suffix) else f"redirected to {location or 'nowhere'}"

    return check


def form_token(response: Any) -> str:
    """The CSRF token of the form on a page (checked there by page_problem)."""
    return csrf_token(response.text) or ""


def form_version(response: Any) -> str:
    """The version_id of the form on a page ('' if none): a save sends it back, so a stale one is refused."""
    return version_id(response.text)


def version_id(html: str) -> str:
    """The version_id in a page's HTML ('' if none)."""
    match = _VERSION.search(html)
    return match.group(1) if match else ""
