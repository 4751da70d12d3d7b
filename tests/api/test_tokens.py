"""Issuing and revoking API tokens: Admin > API tokens, and `grantflow users token`."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import ApiToken, AuditEvent
from tests.api.helpers import bearer
from tests.factories import ProgrammeFactory, staff_user
from tests.fixtures import post_form

TOKEN = re.compile(r'id="api-token" type="text" value="(gf_[A-Za-z0-9_-]{43})"')


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def programme():
    return ProgrammeFactory(code="TOKP", name="Token programme")


def issue(runner, *args: str):
    return runner.invoke(args=["grantflow", "users", "token", *args])


def audit_rows(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)) or 0


# -- the command line ------------------------------------------------------------------------------


def test_the_command_prints_a_working_token_as_its_last_line(runner, client, programme):
    officer = staff_user("officer", programme, email="olu@example.org")

    result = issue(runner, "olu@example.org", "--role", "officer", "--programme", "TOKP", "--name", "Reports")

    secret = result.output.strip().splitlines()[-1]
    assert result.exit_code == 0, result.output
    assert secret.startswith("gf_") and len(secret) == 46
    assert client.get("/api/v1/rounds", headers=bearer(secret)).status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == officer.id))
    assert (token.name, token.role, token.programme_id) == ("Reports", "officer", programme.id)


def test_only_the_tokens_hash_and_prefix_are_stored(runner, programme):
    staff_user("finance", None, email="fin@example.org")

    secret = issue(runner, "fin@example.org", "--role", "finance").output.strip().splitlines()[-1]

    token = db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    assert secret not in repr([getattr(token, c.key) for c in ApiToken.__table__.columns])


def test_the_command_sets_the_expiry_in_days(runner):
    staff_user("admin", None, email="ada@example.org")

    result = issue(runner, "ada@example.org", "--role", "admin", "--days", "7")

    token = db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))
    assert result.exit_code == 0
    assert (token.expires_at - token.created_at).days == 7
    assert token.programme_id is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["nobody@example.org", "--role", "officer"],
            "There is no account with the email address 'nobody@example.org'",
        ),
        (["olu@example.org", "--role", "finance"], "does not hold the finance role"),
        (["olu@example.org", "--role", "officer", "--programme", "NOPE"], "There is no programme with the code 'NOPE'"),
    ],
)
def test_the_command_refuses_with_a_message_and_a_non_zero_exit(runner, programme, args, message):
    staff_user("officer", programme, email="olu@example.org")

    result = issue(runner, *args)

    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_the_command_refuses_a_programme_where_the_person_does_not_hold_the_role(runner, programme):
    staff_user("officer", ProgrammeFactory(code="ELSE"), email="olu@example.org")

    result = issue(runner, "olu@example.org", "--role", "officer", "--programme", "TOKP")

    assert result.exit_code != 0
    assert "does not hold the grants officer role on TOKP" in result.output


def test_the_command_refuses_an_assessor_token(runner, programme):
    staff_user("assessor", programme, email="asa@example.org")

    result = issue(runner, "asa@example.org", "--role", "assessor")

    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


# -- Admin > API tokens ----------------------------------------------------------------------------


@pytest.fixture
def admin_browser(client, sign_in):
    sign_in(staff_user("admin", None, name="Ada Admin"))
    return client


def issue_on_the_page(browser, user, role: str = "officer", programme: str = "all", name: str = "Nightly import"):
    return post_form(
        browser,
        "/admin/api-tokens",
        {"user": str(user.id), "name": name, "role": role, "programme": programme, "days": "90"},
    )


def test_the_admin_page_links_to_api_tokens(admin_browser):
    assert 'href="/admin/api-tokens"' in admin_browser.get("/admin/").get_data(as_text=True)


def test_an_admin_issues_a_token_and_sees_it_once(admin_browser, client, programme):
    officer = staff_user("officer", programme, name="Olu Officer")

    page = issue_on_the_page(admin_browser, officer, programme=str(programme.id)).get_data(as_text=True)

    secret = TOKEN.search(page).group(1)
    listing = admin_browser.get("/admin/api-tokens").get_data(as_text=True)
    assert "API token issued" in page and "shown only this once" in page
    assert secret not in listing
    assert secret[:12] in listing and "Nightly import" in listing and "Olu Officer" in listing
    assert client.get("/api/v1/awards", headers=bearer(secret)).status_code == 200
    assert audit_rows("issue_api_token") == 1


def test_issuing_for_a_role_the_person_does_not_hold_is_refused_on_the_role_field(admin_browser, programme):
    officer = staff_user("officer", programme, name="Olu Officer")

    response = issue_on_the_page(admin_browser, officer, role="finance")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Olu Officer does not hold the finance role" in html
    assert 'id="role-error"' in html
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_issuing_without_a_name_is_refused(admin_browser, programme):
    officer = staff_user("officer", programme)

    html = issue_on_the_page(admin_browser, officer, name="").get_data(as_text=True)

    assert "Enter a name for the token" in html
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0


def test_revoking_a_token_stops_it_working_and_is_audited_once(admin_browser, client, programme):
    officer = staff_user("officer", programme)
    secret = TOKEN.search(issue_on_the_page(admin_browser, officer).get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).order_by(ApiToken.id.desc()))

    first = post_form(admin_browser, f"/admin/api-tokens/{token.id}/revoke", {}, form_page="/admin/api-tokens")
    again = post_form(
        admin_browser, f"/admin/api-tokens/{token.id}/revoke", {}, form_page="/admin/api-tokens", follow_redirects=True
    )

    assert first.status_code == 302
    assert "was already revoked" in again.get_data(as_text=True)
    assert audit_rows("revoke_api_token") == 1
    assert client.get("/api/v1/awards", headers=bearer(secret)).status_code == 401
    assert "Revoked" in admin_browser.get("/admin/api-tokens").get_data(as_text=True)


def test_revoking_a_token_that_does_not_exist_is_404(admin_browser):
    response = post_form(admin_browser, "/admin/api-tokens/999999/revoke", {}, form_page="/admin/api-tokens")

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/admin/api-tokens"])
def test_someone_who_is_not_an_admin_cannot_open_the_token_page(client, sign_in, path):
    sign_in(staff_user("officer"))

    assert client.get(path).status_code == 403
