"""A programme's emails page lists the message templates its officers saved for emailing a selection of
cases; an officer or admin of the programme renames, rewords or deletes one, safely against a colleague
doing the same, and every change is audited. The programme's email wording never meets them."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, EmailTemplate
from tests.factories import EmailTemplateFactory, ProgrammeFactory, staff_user
from tests.fixtures import csrf_token

SUBJECT = "Your return for ((reference)) is due"
BODY = "Dear ((organisation)),\n\nPlease send it: ((link))"


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Mid-Shire Community Fund", code="MSCF")


@pytest.fixture
def officer(programme, sign_in):
    user = staff_user("officer", programme, name="Priya Sharma")
    sign_in(user)
    return user


def _saved(programme, name="Round 4 reminder", subject=SUBJECT, body=BODY) -> EmailTemplate:
    return EmailTemplateFactory(programme_id=programme.id, key=f"batch:{name}", subject=subject, body=body)


def _url(programme, template, tail=""):
    return f"/work/emails/{programme.id}/messages/{template.id}{tail}"


def _save(client, programme, template, name="Round 4 reminder", subject=SUBJECT, body=BODY, version=None):
    version = str(template.version_id) if version is None else version
    data = {"name": name, "subject": subject, "body": body, "version_id": version, "save": "y"}
    url = _url(programme, template)
    return client.post(url, data={"csrf_token": csrf_token(client, "/sign-out"), **data})


def _delete(client, programme, template, version=None):
    version = str(template.version_id) if version is None else version
    token = csrf_token(client, "/sign-out")
    return client.post(_url(programme, template, "/delete"), data={"csrf_token": token, "version_id": version})


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_programmes_emails_page_lists_its_message_templates_apart_from_its_wording(client, officer, programme):
    template = _saved(programme, "Round 4 reminder")
    _saved(ProgrammeFactory(), "Another programme's reminder")

    page = _text(client.get(f"/work/emails/{programme.id}/"))

    messages = page[page.index('id="messages"') :]
    assert "Round 4 reminder" in messages and SUBJECT in messages
    assert f'href="{_url(programme, template)}"' in messages
    assert f'href="{_url(programme, template, "/delete")}"' in messages
    assert "Another programme's reminder" not in page
    wording = page[: page.index('id="message-templates"')]
    assert "Round 4 reminder" not in wording and "This programme's own" not in wording  # no wording row for it


def test_a_programme_with_none_says_how_to_save_one(client, officer, programme):
    page = _text(client.get(f"/work/emails/{programme.id}/"))

    assert "Mid-Shire Community Fund has no message templates yet." in page
    assert "write the email there, check it, then save it as a template" in page


def test_the_wording_editor_does_not_open_a_message_template(client, officer, programme):
    _saved(programme, "reminder")

    assert client.get(f"/work/emails/{programme.id}/batch:reminder").status_code == 404


def test_an_officer_renames_and_rewords_a_template_and_it_is_audited(client, officer, programme):
    template = _saved(programme)

    response = _save(client, programme, template, name="Round 5  reminder", body="Dear ((organisation)), thanks.")

    assert response.status_code == 302
    db.session.refresh(template)
    assert (template.key, template.subject, template.body) == (
        "batch:Round 5 reminder", SUBJECT, "Dear ((organisation)), thanks.",
    )  # fmt: skip
    assert template.updated_by_id == officer.id
    [event] = _events("change_message_template")
    assert (event.actor_id, event.subject_type, event.subject_id) == (officer.id, "programme", programme.id)
    assert event.data["from_name"] == "Round 4 reminder" and event.data["name"] == "Round 5 reminder"
    assert event.data["to_body"] == "Dear ((organisation)), thanks." and "from_subject" not in event.data
    assert "Saved the template “Round 5 reminder”." in _text(client.get(f"/work/emails/{programme.id}/"))


def test_saving_without_a_change_changes_and_audits_nothing(client, officer, programme):
    template = _saved(programme)
    version = template.version_id

    response = _save(client, programme, template)

    assert response.status_code == 302
    db.session.refresh(template)
    assert template.version_id == version and _events("change_message_template") == []


def test_the_edit_page_shows_the_template_and_its_placeholders(client, officer, programme):
    page = _text(client.get(_url(programme, _saved(programme))))

    assert 'value="Round 4 reminder"' in page and f'value="{SUBJECT}"' in page
    assert "Please send it: ((link))</textarea>" in page
    assert "((organisation)) the organisation's name" in page


@pytest.mark.parametrize(
    ("name", "subject", "body", "message"),
    [
        ("Reminder", "About ((referance))", BODY, "((referance)) is not a placeholder this email knows"),
        ("Reminder", SUBJECT, "Dear ((amount))", "((amount)) is not a placeholder this email knows"),
        ("Reminder", SUBJECT, "Dear ((Organisation Name))", "((Organisation Name)) is not written as a placeholder"),
        ("", SUBJECT, BODY, "Enter a name for the template"),
        ("   ", SUBJECT, BODY, "The template's name must not be only spaces"),
        ("Reminder", "", BODY, "Enter the email's subject"),
        ("Reminder", SUBJECT, " \n ", "Message must not be only spaces"),
        ("Remin\x00der", SUBJECT, BODY, "The template's name must not contain a NUL character"),
        ("Reminder", SUBJECT, "NUL\x00", "Message must not contain a NUL character"),
        ("x" * 101, SUBJECT, BODY, "The template's name must be 100 characters or fewer (it has 101)"),
        ("Reminder", "x" * 201, BODY, "Subject must be 200 characters or fewer (it has 201)"),
        ("Reminder", SUBJECT, "x" * 5001, "Message must be 5,000 characters or fewer (it has 5,001)"),
        (
            "ROUND 5 reminder",
            SUBJECT,
            BODY,
            "Mid-Shire Community Fund already has a template called “ROUND 5 reminder”",
        ),
    ],
)
def test_a_change_that_cannot_be_kept_is_refused_with_a_specific_message_keeping_what_was_typed(
    client, officer, programme, name, subject, body, message
):
    template = _saved(programme)
    _saved(programme, "Round 5 reminder")

    response = _save(client, programme, template, name=name, subject=subject, body=body)

    page = _text(response)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    if "\x00" not in name + subject + body and len(body) < 100:
        assert f'value="{name}"' in page and f"{body}</textarea>" in page
    db.session.refresh(template)
    assert (template.key, template.subject, template.body) == ("batch:Round 4 reminder", SUBJECT, BODY)


def test_a_save_from_a_stale_page_is_refused_showing_what_someone_else_saved(client, officer, programme):
    template = _saved(programme)
    stale = str(template.version_id)
    template.subject = "Someone else's ((reference))"
    db.session.commit()

    response = _save(client, programme, template, subject="Mine ((reference))", version=stale)

    page = _text(response)
    assert response.status_code == 409
    assert "Someone else changed this template while you were editing" in page
    assert "Someone else's ((reference))" in page and 'value="Mine ((reference))"' in page
    db.session.refresh(template)
    assert template.subject == "Someone else's ((reference))"
    assert _events("change_message_template") == []

    again = _save(client, programme, template, subject="Mine ((reference))")  # knowingly, from the 409 page
    assert again.status_code == 302
    db.session.refresh(template)
    assert template.subject == "Mine ((reference))"


def test_deleting_asks_first_then_deletes_and_audits(client, officer, programme):
    template = _saved(programme)
    template_id = template.id

    question = client.get(_url(programme, template, "/delete"))
    assert question.status_code == 200
    assert "Delete the template “Round 4 reminder”?" in _text(question)
    assert db.session.get(EmailTemplate, template_id) is not None  # asking deletes nothing

    response = _delete(client, programme, template)

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(EmailTemplate, template_id) is None
    [event] = _events("delete_message_template")
    assert (event.actor_id, event.subject_id, event.data["name"]) == (officer.id, programme.id, "Round 4 reminder")
    assert event.data["subject"] == SUBJECT
    assert "Deleted the template “Round 4 reminder”." in _text(client.get(f"/work/emails/{programme.id}/"))


def test_a_template_changed_since_the_question_is_not_deleted(client, officer, programme):
    template = _saved(programme)
    stale = str(template.version_id)
    template.body = "Changed meanwhile ((link))"
    db.session.commit()

    response = _delete(client, programme, template, version=stale)

    assert response.status_code == 409
    assert "Changed meanwhile ((link))" in _text(response)
    db.session.expire_all()
    assert db.session.get(EmailTemplate, template.id) is not None
    assert _events("delete_message_template") == []


def test_another_programmes_template_is_not_found_whichever_address_it_is_asked_at(client, officer, programme):
    other = ProgrammeFactory()
    theirs = _saved(other, "Theirs")
    wording = EmailTemplateFactory(programme_id=programme.id, key="application.approve.organisation")

    for url in (
        _url(programme, theirs), _url(other, theirs), _url(programme, theirs, "/delete"), _url(programme, wording),
        _url(programme, wording, "/delete"), f"/work/emails/{programme.id}/messages/999999",
    ):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert _save(client, programme, theirs, subject="Mine").status_code == 404
    assert _delete(client, programme, theirs).status_code == 404
    db.session.expire_all()
    assert db.session.get(EmailTemplate, theirs.id).subject == SUBJECT


def test_finance_staff_of_the_programme_cannot_see_its_templates(client, programme, sign_in):
    template = _saved(programme)
    sign_in(staff_user("finance", programme))

    assert client.get(_url(programme, template)).status_code == 403


def test_an_admin_of_the_programme_manages_its_templates(client, programme, sign_in):
    template = _saved(programme)
    sign_in(staff_user("admin", programme))

    assert client.get(_url(programme, template)).status_code == 200
    assert _delete(client, programme, template).status_code == 302
