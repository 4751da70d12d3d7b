"""The security sweep over the URL map (nothing hand-listed): every POST without its CSRF token is
refused (400) whoever sends it, and every response of every GET, whatever its status, carries the
security headers and is never a 500; for a visitor and for a person holding every staff role."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from grants.extensions import db
from grants.models import RoleGrant
from grants.models.people import STAFF_ROLES
from tests.factories import PASSWORD, UserFactory

HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def _paths(app: Flask, method: str) -> Iterator[tuple[str, str]]:
    """(endpoint, a path of it) for every route answering `method`, its variables filled in."""
    for rule in app.url_map.iter_rules():
        if method not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        path = rule.rule
        for name in re.findall(r"<([^>]+)>", rule.rule):
            converter = name.rpartition(":")[0]
            value = "1" if converter in ("int", "id") else "x"
            if converter.startswith("any("):
                value = converter[4:].split(",")[0].strip(" )'\"")
            path = path.replace(f"<{name}>", value)
        yield rule.endpoint, path


@pytest.fixture
def as_everyone(app, client, sign_in):
    person = UserFactory(email="every.role@example.org")
    db.session.add_all(RoleGrant(user_id=person.id, role=role) for role in STAFF_ROLES)
    db.session.commit()
    sign_in(person, PASSWORD)
    return client


def _without_token(client, app) -> int:
    tried = 0
    for endpoint, path in _paths(app, "POST"):
        if endpoint.startswith("api."):
            continue  # the API takes bearer tokens, not cookies: nothing for a forged form to ride on
        response = client.post(path, data={"email": "someone@example.org"})
        assert response.status_code == 400, (endpoint, path, response.status_code)
        tried += 1
    return tried


def test_every_post_without_its_csrf_token_is_refused_for_a_visitor(app, client):
    assert _without_token(client, app) > 80


def test_every_post_without_its_csrf_token_is_refused_for_staff(app, as_everyone):
    assert _without_token(as_everyone, app) > 80
    assert as_everyone.get("/sign-out").status_code == 200  # still signed in: the sweep ran as staff


def _every_get(client, app) -> int:
    tried = 0
    for endpoint, path in _paths(app, "GET"):
        response = client.get(path)
        assert response.status_code < 500, (endpoint, path, response.status_code)
        for header, part in HEADERS.items():
            assert part in response.headers.get(header, ""), (endpoint, path, response.status_code, header)
        tried += 1
    return tried


def test_every_response_carries_the_security_headers_for_a_visitor(app, client):
    assert _every_get(client, app) > 140


def test_every_response_carries_the_security_headers_for_staff(app, as_everyone):
    assert _every_get(as_everyone, app) > 140
