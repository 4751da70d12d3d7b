"""Admin pages: granting and removing staff roles, reading workflow definitions and the outbox."""

from __future__ import annotations

import html
import re

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select

from grants import mail
from grants.extensions import db
from grants.models import AuditEvent, OutboxMessage, RoleGrant
from grants.workflow import engine
from tests.factories import PASSWORD, ProgrammeFactory, UserFactory, staff_user
from tests.fixtures import post_form, second_factor, sign_in_as

WORKFLOWS = ("round", "application", "award", "payment", "monitoring_return", "contract", "assessment")


class Browser(FlaskClient):
    """A browser. Each request starts with an empty `flask.g`, as it does in production.

    The rollback fixture keeps an app context pushed for the whole test and Flask reuses it
    for every request, so without this the signed-in user, the CSRF token and the cached role
    grants would leak from one browser to another.
    """

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name, None)
        return super().open(*args, **kwargs)


def browser_for(app, user):
    browser = Browser(app, app.response_class, use_cookies=True)
    response = sign_in_as(browser, user.email, PASSWORD)
    assert response.status_code == 302
    return browser


@pytest.fixture
def admin_browser(app):
    return browser_for(app, staff_user("admin", name="Sam Okafor"))


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Mayor's Safer Communities Fund", code="MSCF")


def grants_of(user) -> list[RoleGrant]:
    return list(db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)))


def audit_events(action: str, user) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.subject_id == user.id))
    )


def field_error(page: str, field_id: str) -> str:
    match = re.search(rf'<p id="{field_id}-error" class="govuk-error-message">(.*?)</p>', page, re.S)
    assert match, f"no error message on field {field_id!r}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def input_value(page: str, field_id: str) -> str | None:
    tag = re.search(rf'<input\b[^>]*\bid="{field_id}"[^>]*>', page, re.S)
    assert tag, f"no input with id {field_id!r}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else None


def selected_option(page: str, select_id: str) -> str | None:
    block = re.search(rf'<select\b[^>]*\bid="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert block, f"no select with id {select_id!r}"
    chosen = re.search(r'<option value="([^"]*)" selected', block.group(1))
    return chosen.group(1) if chosen else None


def grant(browser, email: str, role: str, programme: str):
    return post_form(browser, "/admin/roles", {"email": email, "role": role, "programme": programme})


def table_rows(page: str) -> list[str]:
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(r"<tr\b.*?</tr>", page, re.S)
    ]


def has_row(page: str, text: str) -> bool:
    """True when a table row's text starts with this (cells' text joined by spaces)."""
    return any(row.startswith(text) for row in table_rows(page))


# Granting roles


def test_an_admin_grants_a_role_and_it_appears_on_the_roles_page(admin_browser, programme):
    person = UserFactory(name="Priya Sharma")

    response = grant(admin_browser, person.email, "officer", str(programme.id))

    assert response.status_code == 302
    page = admin_browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Priya Sharma is now grants officer on Mayor&#39;s Safer Communities Fund." in page
    assert has_row(page, f"Priya Sharma {person.email} Grants officer Mayor's Safer Communities Fund")


def test_granting_a_role_is_written_to_the_audit_log(admin_browser, programme):
    person = UserFactory()

    grant(admin_browser, person.email, "officer", str(programme.id))

    [event] = audit_events("grant_role", person)
    assert event.actor.name == "Sam Okafor"
    assert event.subject_reference == person.email
    assert event.data == {"role": "officer", "programme_id": programme.id}


def test_a_role_on_every_programme_is_shown_as_every_programme(admin_browser):
    person = UserFactory(name="Tom Haigh")

    grant(admin_browser, person.email, "finance", "all")

    [role_grant] = grants_of(person)
    assert (role_grant.role, role_grant.programme_id) == ("finance", None)
    page = admin_browser.get("/admin/roles").get_data(as_text=True)
    assert has_row(page, f"Tom Haigh {person.email} Finance Every programme")


def test_a_newly_granted_officer_can_open_the_cases(app, admin_browser, programme):
    person = UserFactory()
    their_browser = browser_for(app, person)
    assert their_browser.get("/cases/").status_code == 403

    grant(admin_browser, person.email, "officer", str(programme.id))

    asked = their_browser.get("/cases/")  # staff now: two-factor sign-in first
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/sign-in/two-factor")
    second_factor(their_browser, asked.headers["Location"], person.email)
    assert their_browser.get("/cases/").status_code == 200


def test_granting_to_an_email_with_no_account_is_refused_on_the_email_field(admin_browser, programme):
    response = grant(admin_browser, "no-such-person@example.org", "officer", str(programme.id))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert field_error(page, "email") == (
        "Error: There is no account with this email address. Ask them to register first."
    )
    assert input_value(page, "email") == "no-such-person@example.org"
    assert selected_option(page, "role") == "officer"
    assert selected_option(page, "programme") == str(programme.id)


def test_granting_the_same_role_twice_is_refused_on_the_role_field(admin_browser, programme):
    person = staff_user("officer", programme=programme, name="Priya Sharma")

    response = grant(admin_browser, person.email, "officer", str(programme.id))

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error(page, "role") == "Error: Priya Sharma already has this role on this programme"
    assert input_value(page, "email") == person.email
    assert len(grants_of(person)) == 1


# Removing roles


def test_removing_a_role_takes_it_off_the_page_and_is_audited(admin_browser, programme):
    person = staff_user("officer", programme=programme, name="Priya Sharma")
    [role_grant] = grants_of(person)

    response = post_form(admin_browser, f"/admin/roles/{role_grant.id}/revoke", {}, form_page="/admin/roles")

    assert response.status_code == 302
    assert grants_of(person) == []
    [event] = audit_events("revoke_role", person)
    assert event.data == {"role": "officer", "programme_id": programme.id}
    page = admin_browser.get("/admin/roles").get_data(as_text=True)
    assert person.email not in page


def test_a_person_whose_role_is_removed_loses_access_to_the_cases(app, admin_browser, programme):
    person = staff_user("officer", programme=programme)
    [role_grant] = grants_of(person)
    their_browser = browser_for(app, person)
    assert their_browser.get("/cases/").status_code == 200

    post_form(admin_browser, f"/admin/roles/{role_grant.id}/revoke", {}, form_page="/admin/roles")

    assert their_browser.get("/cases/").status_code == 403


@pytest.mark.parametrize("path", ["/admin/", "/admin/roles", "/admin/emails", "/admin/workflows"])
def test_an_officer_who_is_not_an_admin_cannot_open_admin_pages(app, path):
    officer = browser_for(app, staff_user("officer"))

    assert officer.get(path).status_code == 403


def test_an_officer_who_is_not_an_admin_cannot_grant_roles_by_posting_the_form(app, programme):
    officer_user = staff_user("officer")
    officer = browser_for(app, officer_user)

    response = post_form(
        officer,
        "/admin/roles",
        {"email": officer_user.email, "role": "admin", "programme": "all"},
        form_page="/sign-out",
    )

    assert response.status_code == 403
    assert [r.role for r in grants_of(officer_user)] == ["officer"]


# Workflows


def test_the_workflows_page_lists_every_workflow_with_its_version(admin_browser):
    page = admin_browser.get("/admin/workflows").get_data(as_text=True)

    for name in WORKFLOWS:
        definition = engine().registry.latest(name)
        assert f'href="/admin/workflows/{name}/{definition.version}"' in page
        assert f"{definition.label} {definition.version} " in " ".join(table_rows(page))


def test_a_workflow_page_shows_its_diagram_and_a_table_of_its_states(admin_browser):
    response = admin_browser.get("/admin/workflows/application/1")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    diagram = re.search(r'<pre class="mermaid">(.*?)</pre>', page, re.S)
    assert diagram and diagram.group(1).lstrip().startswith("stateDiagram-v2")
    states = re.search(r"States and the steps out of each.*?</table>", page, re.S)
    assert states
    for state in engine().registry.get("application", 1).states.values():
        assert re.search(rf'<th scope="row"[^>]*>\s*{re.escape(html.escape(state.label))}', states.group(0)), state


@pytest.mark.parametrize("path", ["/admin/workflows/nope/1", "/admin/workflows/application/99"])
def test_an_unknown_workflow_is_not_found(admin_browser, path):
    assert admin_browser.get(path).status_code == 404


# Emails


def _queue(key: str, **fields) -> OutboxMessage:
    values = {"to": "applicant@example.org", "subject": "Your application", "body": "Hello"}
    values.update(fields)
    assert mail.queue_email(key=key, **values)
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))


def test_the_emails_page_lists_the_outbox(admin_browser):
    first = _queue("test:1", to="one@example.org", subject="MSCF-R3-0001: Submitted")
    second = _queue("test:2", to="two@example.org", subject="Reset your grantflow password")

    page = admin_browser.get("/admin/emails").get_data(as_text=True)

    for message in (first, second):
        assert message.recipient in page
        assert f'href="/admin/emails/{message.id}">{message.subject}</a>' in page


def test_an_email_page_shows_the_message_body(admin_browser):
    message = _queue("test:body", body="Dear Aisha,\n\nYour application MSCF-R3-0042 has been received.")

    response = admin_browser.get(f"/admin/emails/{message.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Dear Aisha,<br><br>Your application MSCF-R3-0042 has been received." in page


def test_an_email_body_is_shown_as_text_not_run_as_html(admin_browser):
    message = _queue("test:html", body="<script>alert('hi')</script>")

    page = admin_browser.get(f"/admin/emails/{message.id}").get_data(as_text=True)

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_an_unknown_email_is_not_found(admin_browser):
    assert admin_browser.get("/admin/emails/999999").status_code == 404


def test_an_admin_loads_a_new_form_version_for_a_round_and_a_broken_file_is_refused_with_the_reason(app):
    import io

    from grants.apply.question_set_admin import SHIPPED
    from grants.models import QuestionSet, Round
    from tests.factories import RoundFactory
    from tests.fixtures import csrf_token

    round_ = RoundFactory(code="MSCF-R5")
    admin = staff_user("admin")
    client = app.test_client()

    sign_in_as(client, admin.email, "correct-horse-battery")
    text = (SHIPPED / "mscf-round-3.v1.toml").read_text().replace('name = "mscf-round-3"', 'name = "mscf-round-5"')

    loaded = client.post(
        "/admin/question-sets",
        data={
            "csrf_token": csrf_token(client, "/admin/question-sets"),
            "round": "MSCF-R5",
            "file": (io.BytesIO(text.encode()), "round5.toml"),
        },
        content_type="multipart/form-data",
    )
    broken = client.post(
        "/admin/question-sets",
        data={
            "csrf_token": csrf_token(client, "/admin/question-sets"),
            "round": "",
            "file": (io.BytesIO(b'name = "x"\nversion = 1\ntitle = "X"\n[[sections]]\nkey = "a"\n'), "broken.toml"),
        },
        content_type="multipart/form-data",
    )

    assert loaded.status_code == 302
    question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.name == "mscf-round-5"))
    assert db.session.get(Round, round_.id).question_set_id == question_set.id
    assert broken.status_code == 200
    assert "broken.toml: section &#39;a&#39;: no questions" in broken.get_data(as_text=True)
