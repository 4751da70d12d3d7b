"""A NUL byte (which PostgreSQL text cannot hold) never reaches a query: in the path it is a 404 page; in an
email address at sign-in it finds no account. (Lists answer one in their filters with a page: their tests.)"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, RoundFactory, UserFactory
from tests.fixtures import post_form


@pytest.mark.parametrize("path", ["/rounds/%00", "/rounds/R-1%00", "/open-data/MSCF%00.json", "/invitations/%00"])
def test_a_nul_byte_in_the_path_is_not_found(client, path):
    RoundFactory()

    response = client.get(path)

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/sign-in", "/password/forgot"])
def test_an_email_address_with_a_nul_byte_finds_no_account_and_is_kept_as_typed(client, url):
    user = UserFactory(email="aisha@example.org")

    response = post_form(client, url, {"email": user.email.replace("@", "\x00@"), "password": PASSWORD})

    assert response.status_code == 200
    if url == "/sign-in":
        assert "Enter a correct email address and password" in response.get_data(as_text=True)
