"""Every page's header, skip link and footer are made once for each navigation (grants/layout.py), and a
page is the same page whatever that cache holds: visitors', applicants', officers' and admins' pages,
with a message flashed and without, rendered with the caches off, on and cold, then on and warm, must be
the same HTML, byte for byte; and nothing of one person or request (their name, the form's CSRF token, the
scripts' nonce, a flashed message) is kept for the next."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from flask import g
from markupsafe import escape

from grants import layout
from grants.apply import services as apply_services
from grants.extensions import db
from grants.models import Application
from tests.apply.helpers import open_round
from tests.factories import PASSWORD, OrganisationFactory, member_of, staff_user
from tests.fixtures import csrf_token, sign_in_as

# What differs between two requests of one page by design: the CSRF token (signed with the time), the
# scripts' nonce (new for each response), the seconds left before a staff session times out.
_VARIES = [
    re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+"'),
    re.compile(r'( data-csrf-token=")[^"]+"'),
    re.compile(r'( nonce=")[^"]+"'),
    re.compile(r'( data-seconds-left=")\d+"'),
]
_NONCE = re.compile(r'<script nonce="([^"]+)"')


@contextmanager
def caches(app, on: bool):
    before = app.config.get("FORM_CACHES", True)
    app.config["FORM_CACHES"] = on
    try:
        yield
    finally:
        app.config["FORM_CACHES"] = before


def _page(client, url: str, flash: str | None = None) -> str:
    if flash:
        with client.session_transaction() as session:
            session["_flashes"] = [("message", flash)]
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.get_data(as_text=True)
    # The page's scripts carry this response's own nonce, never one kept from another response.
    nonces = set(_NONCE.findall(html))
    assert nonces == {re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)}
    if flash:
        assert str(escape(flash)) in html  # shown, escaped, on this page only
    return html


def _same_page(html: str) -> str:
    for pattern in _VARIES:
        html = pattern.sub(r'\1X"', html)
    return html


def _every_way(app, show: Callable[[], str]) -> str:
    """The page `show()` answers with the caches off, then on and cold, then on and warm: all the same."""
    with caches(app, on=False):
        off = show()
    apply_services.clear_form_caches()
    with caches(app, on=True):
        cold = show()
        before = dict(layout.stats)
        warm = show()
    assert _same_page(cold) == _same_page(off)
    assert _same_page(warm) == _same_page(off)
    # The warm page's header, skip link and footer (and the sign-in page's empty fields) came from the cache.
    assert layout.stats["hits"] - before["hits"] >= 3
    assert layout.stats["misses"] == before["misses"]
    return off


def _kept_nothing_personal(*people) -> None:
    for html in layout._PARTS.values():
        for secret in ("csrf", "nonce", "data-seconds-left", "notification-banner", "Saved for the test"):
            assert secret not in html
        for person in people:
            assert person.email not in html
            assert person.name not in html


@pytest.fixture
def applicant(client, sign_in):
    round_ = open_round()
    organisation = OrganisationFactory(name="Bramley Community Kitchen", org_type="community_group")
    user = member_of(organisation, email="aisha@example.org", name="Aisha Khan")
    sign_in(user)
    token = csrf_token(client, "/sign-out")
    response = client.post(
        f"/rounds/{round_.code}/start", data={"csrf_token": token, "organisation_id": organisation.id}
    )
    assert response.status_code == 302
    application = db.session.get(Application, int(response.headers["Location"].rsplit("/", 1)[1]))
    return user, application


@pytest.mark.parametrize("url", ["/", "/sign-in", "/rounds", "/accessibility"])
def test_a_visitors_pages_are_the_same_from_the_cache(app, client, url):
    html = _every_way(app, lambda: _page(client, url))
    assert "Skip to main content" in html
    assert "Sign in" in html
    assert "Sign out" not in html
    _kept_nothing_personal()


def test_the_sign_in_page_shows_what_was_typed_and_then_empty_fields_again(app, client):
    _page(client, "/sign-in")  # the empty fields in the cache
    token = csrf_token(client, "/sign-in")

    refused = client.post(
        "/sign-in", data={"csrf_token": token, "email": "o'brien@example.org", "password": "wrong"}
    ).get_data(as_text=True)

    assert "Enter a correct email address and password" in refused
    assert 'value="o&#39;brien@example.org"' in refused
    again = _page(client, "/sign-in")
    assert "o&#39;brien" not in again
    assert "Enter a correct email address and password" not in again
    with caches(app, on=False):
        assert _same_page(_page(client, "/sign-in")) == _same_page(again)
    _kept_nothing_personal()


def test_a_visitors_page_with_a_message_is_the_same_from_the_cache(app, client):
    html = _every_way(app, lambda: _page(client, "/", flash="Saved for the test & <checked>"))
    assert "Saved for the test &amp; &lt;checked&gt;" in html
    _kept_nothing_personal()


def test_an_applicants_pages_are_the_same_from_the_cache(app, client, applicant):
    user, application = applicant
    for url, flash in (
        ("/applications", None),
        (f"/applications/{application.id}", "Saved for the test"),
        (f"/applications/{application.id}/sections/project", None),
        (f"/applications/{application.id}/sections/project", "Saved for the test"),
        (f"/applications/{application.id}/check", None),
    ):
        html = _every_way(app, lambda url=url, flash=flash: _page(client, url, flash))
        assert "Your applications" in html
        assert "Sign out" in html
        assert 'aria-current="true"' in html  # the navigation marks where they are
    _kept_nothing_personal(user)


@pytest.mark.parametrize(
    ("role", "urls", "link"),
    [
        ("officer", ["/work/", "/cases/", "/awards/"], "/cases/"),
        ("admin", ["/work/", "/admin/"], "/admin/"),
    ],
)
def test_staff_pages_are_the_same_from_the_cache(app, client, sign_in, role, urls, link):
    user = staff_user(role, email=f"{role}@example.org", name=f"Sam {role.title()}")
    sign_in(user)
    for url in urls:
        for flash in (None, "Saved for the test"):
            html = _every_way(app, lambda url=url, flash=flash: _page(client, url, flash))
            assert f'class="govuk-service-navigation__link" href="{link}"' in html
            assert "Your applications" not in html
    _kept_nothing_personal(user)


def test_people_with_different_roles_get_their_own_navigation_from_a_warm_cache(app, client, applicant):
    applicant_user, _ = applicant
    officer = staff_user("officer", email="officer@example.org", name="Olu Officer")
    officer_client = app.test_client()
    assert sign_in_as(officer_client, officer.email, PASSWORD).status_code == 302
    visitor = app.test_client()

    for _ in range(2):  # the second time round, every header from the cache
        for who, signed_in in ((client, True), (officer_client, True), (visitor, False)):
            html = _page(who, "/rounds")
            assert ("Sign out" in html) is signed_in
        assert "Your applications" in _page(client, "/rounds")
        officers = _page(officer_client, "/rounds")
        assert 'href="/cases/"' in officers
        assert "Your applications" not in officers
        assert "Find a reference or organisation" in officers
        assert "Find a reference or organisation" not in _page(client, "/rounds")
        assert 'href="/sign-in"' in _page(visitor, "/rounds")
    _kept_nothing_personal(applicant_user, officer)


def test_a_part_holding_the_nonce_or_the_persons_name_is_never_kept(app):
    apply_services.clear_form_caches()
    template = app.jinja_env.from_string('{{ shared_part("test part", render) }}')
    with app.test_request_context("/"):
        g.csp_nonce = "first-nonce"
        assert template.render(render=lambda: g.csp_nonce) == "first-nonce"
        g.csp_nonce = "second-nonce"
        assert template.render(render=lambda: g.csp_nonce) == "second-nonce"
        assert layout._PARTS == {}  # nothing kept
        assert template.render(render=lambda: "the same for all") == "the same for all"
        assert template.render(render=lambda: "made afresh") == "the same for all"  # kept, and served


def test_a_full_cache_lets_go_of_the_part_unused_longest_and_keeps_the_one_every_page_uses(app, monkeypatch):
    monkeypatch.setattr(layout, "MAX_PARTS", 6)
    layout.clear()
    made: list[str] = []
    template = app.jinja_env.from_string('{{ shared_part("part", render, which) }}')

    def page(which: str) -> None:
        def render() -> str:
            made.append(which)
            return f"<p>{which}</p>"

        template.render(render=render, which=which)

    with app.test_request_context("/"):
        page("header")
        for n in range(20):  # many one-off parts (a filter form with each date someone typed) ...
            page(f"dates {n}")
            page("header")  # ... between pages that all use the header
        page("dates 0")
    assert made.count("header") == 1  # made once, found ever after
    assert made.count("dates 0") == 2  # long since let go, so made again
    assert len(layout._PARTS) <= 6
