"""Signing in and out, registering, resetting a forgotten password, and the headers every page sends."""

from __future__ import annotations

import html
import re

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from grants.auth.passwords import verify_password
from grants.extensions import db
from grants.models import OutboxMessage, User
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, member_of, staff_user
from tests.fixtures import csrf_token, post_form, second_factor

NEW_PASSWORD = "a-brand-new-passphrase"  # noqa: S105
GENERIC_SIGN_IN_ERROR = "Enter a correct email address and password"


class Browser(FlaskClient):
    """A browser. Each request starts with an empty `flask.g`, as it does in production.

    The rollback fixture keeps an app context pushed for the whole test and Flask reuses it
    for every request, so without this the signed-in user (flask_login caches it in g), the
    CSRF token and cached role grants would leak from one request, or one browser, to the next.
    """

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return Browser(app, app.response_class, use_cookies=True)


@pytest.fixture
def new_browser(app):
    return lambda: Browser(app, app.response_class, use_cookies=True)


def input_value(page: str, field_id: str) -> str | None:
    """The value attribute of the input with this id (None when it has none)."""
    tag = re.search(rf'<input\b[^>]*\bid="{field_id}"[^>]*>', page, re.S)
    assert tag, f"no input with id {field_id!r}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p id="{field_id}-error" class="govuk-error-message">(.*?)</p>', page, re.S)
    assert match, f"no error message on field {field_id!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def is_signed_in(browser) -> bool:
    """/sign-out (GET) is for signed-in people only: 200 when signed in, a redirect to sign in otherwise."""
    response = browser.get("/sign-out")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def users_with_email(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(func.lower(User.email) == email.lower()))


def outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def register_data(**changes) -> dict:
    data = {
        "name": "Aisha Rahman",
        "email": "aisha.rahman@example.org",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def sign_in_with(browser, email: str, password: str, url: str = "/sign-in"):
    """Sign in at `url`, then give the second factor where one is asked for (staff): the response is
    where the browser goes once signed in, or the page with the error."""
    response = post_form(browser, url, {"email": email, "password": password})
    if response.status_code == 302 and response.headers["Location"].startswith("/sign-in/two-factor"):
        return second_factor(browser, response.headers["Location"], email)
    return response


def _token(browser) -> str:
    return csrf_token(browser, "/sign-in")


def ask_for_reset_link(browser, email: str) -> str:
    """Ask for a reset link and return the path in the email that was queued."""
    response = post_form(browser, "/password/forgot", {"email": email})
    assert response.status_code == 200
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, "no reset email queued"
    match = re.search(r"(/password/reset/[A-Za-z0-9_.\-]+)", message.body)
    assert match, message.body
    return match.group(1)


# Signing in


def test_signing_in_with_the_right_password_takes_you_to_the_start_page_signed_in(client):
    user = UserFactory()  # in no organisation, and no member of staff

    response = sign_in_with(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_signed_in(client)


def test_an_applicant_signing_in_lands_on_their_applications(client):
    user = member_of(OrganisationFactory())

    response = sign_in_with(client, user.email, PASSWORD)

    assert response.headers["Location"] == "/applications"
    assert "Your applications" in client.get("/applications").get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "home"),
    [("officer", "/work/"), ("assessor", "/work/"), ("finance", "/work/"), ("admin", "/work/")],
)
def test_staff_signing_in_land_on_their_work(client, role, home):
    user = staff_user(role)

    response = sign_in_with(client, user.email, PASSWORD)

    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200


def test_an_applicant_signing_in_from_a_link_still_goes_to_that_link(client):
    user = member_of(OrganisationFactory())

    response = sign_in_with(client, user.email, PASSWORD, url="/sign-in?next=/organisations/")

    assert response.headers["Location"] == "/organisations/"


def test_a_signed_in_only_page_sends_a_visitor_to_sign_in(client):
    response = client.get("/sign-out")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param("known", "not-the-password", id="wrong password"),
        pytest.param("nobody-here@example.org", PASSWORD, id="unknown email"),
    ],
)
def test_a_wrong_password_and_an_unknown_email_get_the_same_message_keeping_the_email(client, email, password):
    user = UserFactory()
    typed = user.email if email == "known" else email

    response = sign_in_with(client, typed, password)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(page, "email") == f"Error: {GENERIC_SIGN_IN_ERROR}"
    assert input_value(page, "email") == typed
    assert not is_signed_in(client)


def test_the_sixth_sign_in_attempt_within_a_minute_is_refused_as_too_many(client):
    user = UserFactory()
    for _ in range(5):
        assert sign_in_with(client, user.email, "not-the-password").status_code == 200

    response = sign_in_with(client, user.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    assert not is_signed_in(client)


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(client):
    client.get("/register")  # the browser has a session with a token; a forged form does not carry it

    response = client.post("/register", data=register_data())

    assert response.status_code == 400
    assert users_with_email("aisha.rahman@example.org") == 0
    assert not is_signed_in(client)


# Registering


def test_registering_creates_an_account_and_signs_you_in(client):
    response = post_form(client, "/register", register_data(email="Aisha.Rahman@Example.org"))

    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "aisha.rahman@example.org"))
    assert user is not None
    assert user.name == "Aisha Rahman"
    assert verify_password(user.password_hash, NEW_PASSWORD)
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"password": "elevenchars", "confirm": "elevenchars"},
            "password",
            "Password must be 12 characters or more",
            id="short password",
        ),
        pytest.param({"confirm": "something-else-entirely"}, "confirm", "The passwords do not match", id="mismatch"),
        pytest.param(
            {"email": "not-an-email-address"},
            "email",
            "Enter an email address in the correct format, like name@example.com",
            id="bad email",
        ),
        pytest.param({"name": ""}, "name", "Enter your full name", id="missing name"),
    ],
)
def test_registering_with_bad_input_shows_the_problem_linked_to_the_field(client, changes, field, message):
    response = post_form(client, "/register", register_data(**changes))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'<a href="#{field}">{html.escape(message)}</a>' in page
    assert field_error(page, field) == f"Error: {message}"
    assert not is_signed_in(client)


def test_registering_with_errors_keeps_the_name_and_email_but_never_echoes_the_password(client):
    typed_password = "short-pw-1"  # noqa: S105

    response = post_form(
        client,
        "/register",
        register_data(
            name="Gareth O'Neill", email="gareth@example.org", password=typed_password, confirm=typed_password
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert input_value(page, "name") == "Gareth O'Neill"
    assert input_value(page, "email") == "gareth@example.org"
    assert input_value(page, "password") in (None, "")
    assert input_value(page, "confirm") in (None, "")
    assert typed_password not in page


def test_registering_an_email_that_has_an_account_points_to_sign_in_or_reset(client):
    existing = UserFactory(email="taken@example.org")

    response = post_form(client, "/register", register_data(email="TAKEN@example.org"))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(page, "email") == (
        "Error: An account with this email address already exists. Sign in, or reset your password."
    )
    assert users_with_email(existing.email) == 1
    assert not is_signed_in(client)


# Forgotten password


@pytest.mark.parametrize("account_exists", [True, False], ids=["existing account", "no account"])
def test_asking_for_a_reset_link_says_check_your_email_whether_or_not_the_account_exists(client, account_exists):
    email = UserFactory().email if account_exists else "nobody-here@example.org"

    response = post_form(client, "/password/forgot", {"email": email})

    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)


def test_asking_for_a_reset_link_emails_a_link_to_an_existing_account(client, app):
    user = UserFactory()
    before = outbox_count()

    post_form(client, "/password/forgot", {"email": user.email})

    assert outbox_count() == before + 1
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message.recipient == user.email
    assert re.search(re.escape(app.config["SERVICE_URL"]) + r"/password/reset/[A-Za-z0-9_.\-]+", message.body)


def test_asking_for_a_reset_link_for_an_unknown_email_sends_nothing(client):
    before = outbox_count()

    post_form(client, "/password/forgot", {"email": "nobody-here@example.org"})

    assert outbox_count() == before


def test_the_reset_link_sets_a_new_password_and_the_old_one_stops_working(client, new_browser):
    user = UserFactory()
    link = ask_for_reset_link(client, user.email)

    response = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in"
    assert sign_in_with(new_browser(), user.email, NEW_PASSWORD).status_code == 302
    assert sign_in_with(new_browser(), user.email, PASSWORD).status_code == 200


def test_a_reset_link_works_only_once(client):
    user = UserFactory()
    link = ask_for_reset_link(client, user.email)
    assert post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302

    response = client.get(link)

    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)


def test_a_tampered_reset_link_is_refused(client):
    user = UserFactory()
    link = ask_for_reset_link(client, user.email)
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")

    response = client.get(tampered)

    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_an_expired_reset_link_is_refused(client, app, monkeypatch):
    user = UserFactory()
    link = ask_for_reset_link(client, user.email)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)

    response = client.get(link)

    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


# Signing out and where sign-in leads


def test_signing_out_signs_you_out(client):
    officer = staff_user("officer")
    sign_in_with(client, officer.email, PASSWORD)
    assert client.get("/cases/").status_code == 200

    response = post_form(client, "/sign-out", {})

    assert response.status_code == 302
    cases = client.get("/cases/")
    assert cases.status_code == 302
    assert cases.headers["Location"].startswith("/sign-in")


def test_signing_in_returns_you_to_the_page_you_asked_for(client):
    user = UserFactory()

    response = sign_in_with(client, user.email, PASSWORD, url="/sign-in?next=/cases/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/"])
def test_signing_in_never_sends_you_to_another_site(client, target):
    user = UserFactory()

    response = client.post(
        "/sign-in",
        query_string={"next": target},
        data={"csrf_token": _token(client), "email": user.email, "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_signing_in_with_a_tab_in_the_next_link_does_not_send_you_to_another_site(client):
    user = UserFactory()

    response = client.post(
        "/sign-in",
        query_string={"next": "/\t/evil.example"},
        data={"csrf_token": _token(client), "email": user.email, "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_signing_in_with_a_newline_in_the_next_link_still_signs_you_in(client):
    user = UserFactory()

    response = client.post(
        "/sign-in",
        query_string={"next": "/\n/evil.example"},
        data={"csrf_token": _token(client), "email": user.email, "password": PASSWORD},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# Cookies and headers


def test_the_session_cookie_is_http_only_and_same_site_lax(client):
    user = UserFactory()

    response = sign_in_with(client, user.email, PASSWORD)

    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, response.headers
    attributes = {part.strip().lower() for part in cookies[0].split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in attributes


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for directive in response.headers["Content-Security-Policy"].split(";"):
        name, *values = directive.split()
        directives[name] = values
    return directives


def test_pages_forbid_inline_scripts_without_a_nonce_and_framing(client):
    response = client.get("/sign-in")

    csp = _csp(response)
    assert "'unsafe-inline'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers.get("Referrer-Policy")


@pytest.mark.parametrize("path", ["/", "/sign-in", "/register", "/password/forgot", "/accessibility", "/no-such-page"])
def test_every_inline_script_carries_the_nonce_the_policy_names(client, path):
    response = client.get(path)

    nonces = [v[len("'nonce-") : -1] for v in _csp(response)["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    page = response.get_data(as_text=True)
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", page) if "src=" not in tag]
    assert inline, "expected GOV.UK Frontend's inline script"
    assert all(f'nonce="{nonces[0]}"' in tag for tag in inline), inline


def test_the_nonce_is_new_on_every_page(client):
    first = _csp(client.get("/sign-in"))["script-src"]
    second = _csp(client.get("/sign-in"))["script-src"]

    assert first != second


def test_registering_from_a_link_that_needed_an_account_goes_back_to_that_link(client):
    url = "/register?next=/organisations/"

    response = post_form(
        client,
        url,
        {
            "name": "Sam Patel",
            "email": "sam.patel@example.org",
            "password": "a long enough password",
            "confirm": "a long enough password",
        },
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/organisations/"


# Sessions kept on the server: ending one ends every copy of its cookie


def _signed_in_browser(new_browser, user):
    browser = new_browser()
    assert sign_in_with(browser, user.email, PASSWORD).status_code == 302
    return browser


def _copy_of(browser, new_browser):
    """Another browser holding a copy of this one's session cookie (as a thief would)."""
    copy = new_browser()
    cookie = browser.get_cookie("session")
    assert cookie is not None
    copy.set_cookie("session", cookie.value, domain=cookie.domain)
    return copy


def test_a_copied_session_cookie_stops_working_when_its_owner_signs_out(new_browser):
    user = UserFactory()
    browser = _signed_in_browser(new_browser, user)
    stolen = _copy_of(browser, new_browser)
    assert is_signed_in(stolen)

    post_form(browser, "/sign-out", {})

    assert not is_signed_in(browser) and not is_signed_in(stolen)


def test_signing_out_on_one_browser_leaves_the_others_signed_in(new_browser):
    user = UserFactory()
    laptop, phone = _signed_in_browser(new_browser, user), _signed_in_browser(new_browser, user)

    post_form(laptop, "/sign-out", {})

    assert not is_signed_in(laptop) and is_signed_in(phone)


def test_sign_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(new_browser):
    user, colleague = UserFactory(), UserFactory()
    laptop, phone = _signed_in_browser(new_browser, user), _signed_in_browser(new_browser, user)
    stolen = _copy_of(phone, new_browser)
    theirs = _signed_in_browser(new_browser, colleague)
    page = laptop.get("/sign-out").get_data(as_text=True)
    assert "You are also signed in on 1 other browser or device." in page

    response = post_form(laptop, "/sign-out/everywhere", {}, form_page="/sign-out")

    assert response.status_code == 302
    assert [is_signed_in(b) for b in (laptop, phone, stolen, theirs)] == [False, False, False, True]


def test_a_password_reset_ends_every_session_including_a_copied_cookie(new_browser, client):
    user = UserFactory()
    browser = _signed_in_browser(new_browser, user)
    stolen = _copy_of(browser, new_browser)
    link = ask_for_reset_link(client, user.email)

    assert post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302

    assert not is_signed_in(browser) and not is_signed_in(stolen)
    assert is_signed_in(_signed_in_browser_with(new_browser, user, NEW_PASSWORD))


def _signed_in_browser_with(new_browser, user, password):
    browser = new_browser()
    assert sign_in_with(browser, user.email, password).status_code == 302
    return browser


def test_a_session_cookie_naming_only_a_user_id_signs_no_one_in(app, new_browser):
    user = UserFactory()
    forged = new_browser()
    with forged.session_transaction() as session:
        session["_user_id"] = str(user.id)  # a cookie signed with the key, in the old shape
        session["_fresh"] = True

    assert not is_signed_in(forged)


def test_the_session_table_keeps_only_a_hash_of_the_token(new_browser):
    from grants.models import UserSession

    user = UserFactory()
    browser = _signed_in_browser(new_browser, user)
    with browser.session_transaction() as session:
        key = session["_user_id"]

    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    token = key.split(":", 1)[1]
    assert token not in row.token_hash and len(token) >= 40 and row.ended_at is None
