from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token from the form on a page, as a browser would send it back."""
    html = client.get(url).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(client, url: str, data: dict, *, form_page: str | None = None, **kwargs):
    """POST a form the way a browser does: with the token from the page that shows it."""
    token = csrf_token(client, form_page or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


@pytest.fixture(scope="module")
def demo_loaded(app):
    """The whole demo, loaded and committed once for the module that asks (a load takes seconds); removed after."""
    from grants.demo import load_demo
    from grants.extensions import db

    with app.app_context():
        load_demo()
        db.session.remove()
    yield
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@pytest.fixture(autouse=True)
def _isolated(db_session):
    yield db_session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sign_in(client):
    def _sign_in(user, password: str = PASSWORD):
        response = post_form(client, "/sign-in", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _sign_in
