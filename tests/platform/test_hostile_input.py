"""Odd input never makes a 500: every id in a path past the database's integer, and every form the
demo's users can reach, posted with hostile values.

The outside test found unhandled errors on NUL bytes, ids beyond the database's integer range, huge
or non-ASCII digits in dates and money, and malformed repeated-field names. Rather than list forms by
hand, the sweep crawls the demo as each demo account (every page reachable by links from their home,
one address per endpoint), collects every POST form it finds, and posts each with every hostile
value in every field (the CSRF token kept, so the view itself is reached). Any answer of 500 or
more fails, named by the form and the value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter

from grants.auth.passwords import hash_password
from grants.demo.accounts import DEMO_PASSWORD
from grants.extensions import db
from grants.models import RoleGrant
from grants.models.people import STAFF_ROLES
from tests.factories import PASSWORD, UserFactory
from tests.fixtures import sign_in_as

PAST_INTEGER = ("2147483648", "9" * 30)

HOSTILE = {
    "huge digits": "9" * 40,
    "non-ASCII digits": "١٢٣٤",
    "NUL byte": "a\x00b",
    "only spaces": "   ",
    "minus one": "-1",
    "exponent": "1e999",
    "superscript": "²",
    "long text": "x" * 20_000,
}

ACCOUNTS = ("applicant", "assessor", "officer", "finance", "decision", "admin", "every.role")
SKIP_ENDPOINTS = {"auth.sign_out", "auth.sign_out_everywhere", "static"}


# -- ids past the database's integer ---------------------------------------------------------------
def _int_routes(app: Flask) -> Iterator[tuple[str, str, set[str]]]:
    for rule in app.url_map.iter_rules():
        ints = {name for name, converter in rule._converters.items() if isinstance(converter, IntegerConverter)}
        if ints:
            yield rule.endpoint, rule.rule, ints


def test_every_id_in_a_path_past_the_database_integer_is_not_found(app, client, sign_in):
    user = UserFactory(email="everyone@example.org", name="Every Role")
    db.session.add_all(RoleGrant(user_id=user.id, role=role) for role in STAFF_ROLES)
    db.session.commit()
    sign_in(user, PASSWORD)
    tried = 0
    for endpoint, rule, ints in _int_routes(app):
        for big in PAST_INTEGER:
            path = rule
            for name in re.findall(r"<([^>]+)>", rule):
                converter, _, arg = name.rpartition(":")
                value = big if arg in ints else {"any": "csv"}.get(converter.split("(")[0], "x")
                if converter.startswith("any("):
                    value = converter[4:].split(",")[0].strip()
                path = path.replace(f"<{name}>", value)
            for method in ("GET", "POST"):
                response = client.open(path, method=method)
                assert response.status_code in (404, 405), (endpoint, method, path, response.status_code)
                tried += 1
    assert tried > 100, tried


# -- every form, hostile values ---------------------------------------------------------------------
class _Page(HTMLParser):
    """The links and POST forms of a page: (action, [(name, value, tag, type)])."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, str, str, str]]]] = []
        self._form: list[tuple[str, str, str, str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "a" and found.get("href"):
            self.links.append(found["href"])
        elif tag == "form" and found.get("method", "get").lower() == "post":
            self._form = []
            self.forms.append((found.get("action", ""), self._form))
        elif self._form is not None and tag in ("input", "textarea", "select") and found.get("name"):
            self._form.append((found["name"], found.get("value", ""), tag, found.get("type", "text").lower()))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def _crawl(app: Flask, client, limit: int = 400) -> dict[str, tuple[str, list[tuple[str, str, str, str]]]]:
    """Every POST form reachable by links from the home page, one per form action's endpoint."""
    adapter = app.url_map.bind("localhost")
    seen_endpoints: set[str] = set()
    seen_urls: set[str] = set()
    queue = ["/"]
    forms: dict[str, tuple[str, list[tuple[str, str, str, str]]]] = {}
    while queue and len(seen_urls) < limit:
        url = queue.pop(0)
        if url in seen_urls:
            continue
        seen_urls.add(url)
        response = client.get(url)
        response.get_data()  # read to the end: a streamed download ends its request there
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        for action, fields in page.forms:
            target = urlsplit(urljoin(url, action or url)).path
            try:
                endpoint, _ = adapter.match(target, method="POST")
            except Exception:  # noqa: BLE001 - not one of ours
                continue
            if endpoint not in SKIP_ENDPOINTS and endpoint not in forms:
                forms[endpoint] = (urljoin(url, action or url), fields)
        for href in page.links:
            parts = urlsplit(urljoin(url, href))
            if parts.netloc not in ("", "localhost") or parts.path.startswith(("/assets", "/api")):
                continue
            try:
                endpoint, _ = adapter.match(parts.path, method="GET")
            except Exception:  # noqa: BLE001 - a file, a 404 or another host
                continue
            if endpoint in SKIP_ENDPOINTS or endpoint in seen_endpoints:
                continue
            seen_endpoints.add(endpoint)
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return forms


def _variants(fields: list[tuple[str, str, str, str]]) -> Iterator[tuple[str, dict[str, list[str]]]]:
    for label, value in HOSTILE.items():
        data: dict[str, list[str]] = {}
        for name, kept, _tag, kind in fields:
            if name == "csrf_token":
                continue
            if kind in ("submit", "button", "hidden"):
                data.setdefault(name, []).append(kept)
            else:
                data.setdefault(name, []).append(value)
        yield label, data
    # Hidden fields (versions, ids) with odd values, and repeated-field names with odd indexes.
    hidden = {
        name: [HOSTILE["huge digits"]] for name, _v, _t, kind in fields if kind == "hidden" and name != "csrf_token"
    }
    if hidden:
        yield "hidden fields of huge digits", {**{n: [v] for n, v, _t, _k in fields if n != "csrf_token"}, **hidden}
    odd_names = {re.sub(r"\d+", "9" * 30, name): ["1"] for name, _v, _t, _k in fields if re.search(r"\d", name)}
    odd_names |= {"items-99999999999999999999-amount": ["1"], "x[]": ["1"], "\x00": ["1"]}
    yield "malformed field names", {**{n: [v] for n, v, _t, _k in fields if n != "csrf_token"}, **odd_names}


@pytest.fixture(scope="module")
def everyone(app, demo_loaded):
    with app.app_context():
        user = UserFactory(
            email="every.role@example.org", name="Every Role", password_hash=hash_password(DEMO_PASSWORD)
        )
        db.session.add_all(RoleGrant(user_id=user.id, role=role) for role in STAFF_ROLES)
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("account", ACCOUNTS)
def test_every_form_a_demo_user_reaches_answers_hostile_input_without_a_500(app, everyone, account):
    client = app.test_client()
    signed = sign_in_as(client, f"{account}@example.org", DEMO_PASSWORD)
    assert signed.status_code == 302, account
    forms = _crawl(app, client)
    assert forms, account
    failures, posted, answers = [], 0, Counter()
    for endpoint, (url, fields) in sorted(forms.items()):
        token = next((value for name, value, _t, _k in fields if name == "csrf_token"), None)
        for label, data in _variants(fields):
            body = {**data, **({"csrf_token": token} if token else {})}
            response = client.post(url, data=body)
            posted += 1
            answers[response.status_code] += 1
            if response.status_code >= 500:
                failures.append(f"{endpoint} {url} {label}: {response.status_code}")
            db.session.rollback()
    assert failures == [], "\n".join(failures)
    print(f"{account}: {len(forms)} forms, {posted} hostile posts, answers {dict(answers)}")  # noqa: T201
    assert answers[400] < posted, "every post was refused before its view: the CSRF token is not being sent"
