"""An officer emailing a selection starts from a template (one their programme saved, or a standard one)
instead of typing the message again, and saves a checked email as a template for their programme."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from grants.cases import batch_email, batch_templates
from grants.extensions import db
from grants.models import AuditEvent, EmailTemplate, OutboxMessage, RoleGrant
from tests.factories import (
    ApplicationFactory,
    EmailTemplateFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    member_of,
    staff_user,
)
from tests.fixtures import csrf_token

_BATCH = re.compile(r'name="batch" type="hidden" value="([^"]+)"')
SUBJECT = "Your return for ((reference)) is due"
BODY = "Dear ((organisation)),\n\nPlease send the return for ((title)): ((link))"


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Mid-Shire Community Fund", code="MSCF")


@pytest.fixture
def officer(programme, sign_in):
    user = staff_user("officer", programme, name="Priya Sharma")
    sign_in(user)
    return user


def _bid(programme, name="Riverside Community Trust", title="Youth boxing club"):
    application = ApplicationFactory(
        round=RoundFactory(programme=programme), state="submitted", project_title=title,
        organisation=OrganisationFactory(name=name),
    )  # fmt: skip
    member_of(application.organisation)
    return application


def _saved(programme, name="Round 4 reminder", subject=SUBJECT, body=BODY) -> EmailTemplate:
    return EmailTemplateFactory(programme_id=programme.id, key=f"batch:{name}", subject=subject, body=body)


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client, "/sign-out"), **data})


def _write(client, cases) -> str:
    response = _post(client, "/cases/application/batch", {"action": "email", "case": [str(c.id) for c in cases]})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _step(client, cases, step: str, **data):
    return _post(client, "/cases/application/batch/email", {"case": [str(c.id) for c in cases], "step": step, **data})


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _field(page: str, name: str) -> str:
    """What a text box or text area of the write page holds."""
    area = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.DOTALL)
    if area:
        return html.unescape(area.group(1))
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return html.unescape(match.group(1)) if match else ""


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _templates() -> list[EmailTemplate]:
    return list(db.session.scalars(select(EmailTemplate).order_by(EmailTemplate.id)))


# -- starting from a template --------------------------------------------------------------------------------


def test_the_write_page_offers_the_programmes_templates_and_the_standard_ones_but_not_another_programmes(
    client, officer, programme
):
    _saved(programme, "Round 4 reminder")
    _saved(ProgrammeFactory(name="Other Fund"), "Their secret reminder")

    page = _text_of_write(client, [_bid(programme)])

    assert "Round 4 reminder (Mid-Shire Community Fund)" in page
    assert "Reminder: your monitoring return is due (standard)" in page
    assert "We need more information about your application (standard)" in page
    assert "Update on the round (standard)" in page
    assert "Their secret reminder" not in page


def _text_of_write(client, cases) -> str:
    return html.unescape(_write(client, cases))


def test_picking_a_saved_template_fills_the_subject_and_message_keeping_the_selection_and_batch(
    client, officer, programme
):
    first, second = _bid(programme), _bid(programme, name="Calder Youth")
    template = _saved(programme)
    batch = _BATCH.search(_write(client, [first, second])).group(1)

    response = _step(client, [first, second], "template", template=str(template.id), batch=batch)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _field(page, "subject") == SUBJECT
    assert _field(page, "body") == BODY
    assert "Started from the template “Round 4 reminder”" in _text(response)
    assert page.count(f'name="case" value="{first.id}"') >= 2 and f'name="case" value="{second.id}"' in page
    assert _BATCH.search(page).group(1) == batch
    assert _outbox() == []


def test_sending_an_email_started_from_a_template_fills_its_placeholders_for_each_case(client, officer, programme):
    first, second = _bid(programme), _bid(programme, name="Calder Youth", title="Night football")
    page = _step(client, [first, second], "template", template=str(_saved(programme).id)).get_data(as_text=True)

    response = _step(
        client, [first, second], "send", subject=_field(page, "subject"), body=_field(page, "body"),
        batch=_BATCH.search(page).group(1),
    )  # fmt: skip

    assert "2 emails sent about 2 cases." in _text(response)
    sent = {m.subject: m.body for m in _outbox()}
    assert set(sent) == {f"Your return for {first.reference} is due", f"Your return for {second.reference} is due"}
    body = sent[f"Your return for {second.reference} is due"]
    assert body.startswith("Dear Calder Youth,\n\nPlease send the return for Night football: http")
    assert "((" not in body


def test_a_standard_template_fills_the_page_and_every_standard_one_would_be_sent(client, officer, programme):
    bid = _bid(programme)

    response = _step(client, [bid], "template", template="standard:more-information")

    page = response.get_data(as_text=True)
    assert _field(page, "subject") == "We need more information about ((reference))"
    assert "Thank you for your application ((reference)), ((title))." in _field(page, "body")
    for standard in batch_templates.STANDARD:  # each is a message the batch email takes as it is
        assert batch_email.problem(standard.subject) is None and batch_email.problem(standard.body) is None


@pytest.mark.parametrize("chosen", ["", "nonsense", "standard:no-such-thing", "\x00", "9" * 40, "-3"])
def test_choosing_no_template_says_so_and_changes_nothing(client, officer, programme, chosen):
    response = _step(client, [_bid(programme)], "template", template=chosen)

    assert response.status_code == 400
    assert "Choose a template to start from" in _text(response)
    assert _field(response.get_data(as_text=True), "subject") == ""


def test_another_programmes_template_cannot_be_used_even_by_its_id(client, officer, programme):
    theirs = _saved(ProgrammeFactory(), "Their reminder", subject="Their secret ((reference))")
    wording = EmailTemplateFactory(programme_id=programme.id, key="application.approve.organisation")

    assert _step(client, [_bid(programme)], "template", template=str(theirs.id)).status_code == 404
    assert _step(client, [_bid(programme)], "template", template=str(wording.id)).status_code == 404
    assert _step(client, [_bid(programme)], "template", template="999999").status_code == 404


def test_an_officer_who_only_sees_another_programmes_case_gets_none_of_its_templates(client, sign_in, programme):
    other = ProgrammeFactory(name="Other Fund")
    user = staff_user("officer", programme)
    db.session.add(RoleGrant(user_id=user.id, role="finance", programme_id=other.id))
    db.session.commit()
    sign_in(user)
    theirs = _saved(other, "Their reminder")
    bid = _bid(other)

    page = _text_of_write(client, [bid])
    check = _text(_step(client, [bid], "check", subject="Hello ((reference))", body="Text"))

    assert "Their reminder" not in page
    assert _step(client, [bid], "template", template=str(theirs.id)).status_code == 404
    assert "Save this email as a template" not in check
    refused = _step(client, [bid], "save", subject="Hello", body="Text", template_name="Mine",
                    template_programme=str(other.id))  # fmt: skip
    assert refused.status_code == 400
    assert "Choose the programme whose officers may use the template" in _text(refused)
    assert [t.key for t in _templates()] == ["batch:Their reminder"]


# -- saving the checked email as a template ------------------------------------------------------------------


def test_the_check_page_offers_to_save_the_email_and_saving_it_keeps_it_for_the_programme(client, officer, programme):
    bid = _bid(programme)
    check = _text(_step(client, [bid], "check", subject=SUBJECT, body=BODY))

    response = _step(client, [bid], "save", subject=SUBJECT, body=BODY, template_name="  Round 5   reminder ",
                     template_programme=str(programme.id))  # fmt: skip

    page = _text(response)
    assert "Save this email as a template" in check and "Officers of Mid-Shire Community Fund can then" in check
    assert response.status_code == 200
    assert "Saved as the template “Round 5 reminder” for Mid-Shire Community Fund." in page
    assert "Send 1 email" in page and _outbox() == []  # still the check page: nothing sent
    [saved] = _templates()
    assert (saved.programme_id, saved.key, saved.subject, saved.body) == (
        programme.id, "batch:Round 5 reminder", SUBJECT, BODY,
    )  # fmt: skip
    assert saved.updated_by_id == officer.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "save_message_template"))
    assert (event.actor_id, event.subject_type, event.subject_id) == (officer.id, "programme", programme.id)
    assert event.data["name"] == "Round 5 reminder" and event.data["subject"] == SUBJECT
    assert "Round 5 reminder (Mid-Shire Community Fund)" in _text_of_write(client, [bid])


def test_with_cases_of_two_programmes_the_officer_chooses_whose_template_it_is(client, sign_in, programme):
    other = ProgrammeFactory(name="Other Fund")
    sign_in(staff_user("officer", name="Olu Officer"))  # an officer of every programme
    cases = [_bid(programme), _bid(other)]

    check = _text(_step(client, cases, "check", subject=SUBJECT, body=BODY))
    unchosen = _step(client, cases, "save", subject=SUBJECT, body=BODY, template_name="Reminder", template_programme="")
    chosen = _step(client, cases, "save", subject=SUBJECT, body=BODY, template_name="Reminder",
                   template_programme=str(other.id))  # fmt: skip

    assert "For the officers of" in check and "Mid-Shire Community Fund" in check and "Other Fund" in check
    assert unchosen.status_code == 400
    assert "Choose the programme whose officers may use the template" in _text(unchosen)
    assert chosen.status_code == 200
    assert [(t.programme_id, t.key) for t in _templates()] == [(other.id, "batch:Reminder")]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the template"),
        ("    ", "Enter a name for the template"),
        ("Round\x00 5", "The template's name must not contain a NUL character"),
        ("Tab\x07bell", "The template's name must not contain control characters"),
        ("x" * 101, "The template's name must be 100 characters or fewer (it has 101)"),
        ("round 4 REMINDER", "Mid-Shire Community Fund already has a template called “round 4 REMINDER”"),
    ],
)
def test_a_name_that_cannot_be_kept_is_refused_on_the_check_page_keeping_what_was_typed(
    client, officer, programme, name, message
):
    _saved(programme, "Round 4 reminder")
    bid = _bid(programme)

    response = _step(client, [bid], "save", subject=SUBJECT, body=BODY, template_name=name,
                     template_programme=str(programme.id))  # fmt: skip

    page = _text(response)
    assert response.status_code == 400
    assert "There is a problem" in page and message in page
    assert "Send 1 email" in page  # the check page still, the email as it was
    assert _field(response.get_data(as_text=True), "template_name") == name.strip()
    assert len(_templates()) == 1


@pytest.mark.parametrize(
    ("subject", "body", "message"),
    [
        ("About ((referance))", BODY, "((referance)) is not a placeholder this email knows"),
        (SUBJECT, "Dear ((Organisation Name))", "((Organisation Name)) is not written as a placeholder"),
        (SUBJECT, "Body with a NUL\x00 in it", "Message must not contain a NUL character"),
        ("Subject\x00", BODY, "Subject must not contain a NUL character"),
        (SUBJECT, "", "Enter the message"),
        ("", BODY, "Enter the email's subject"),
        (SUBJECT, "x" * 5001, "Message must be 5,000 characters or fewer"),
        ("x" * 201, BODY, "Subject must be 200 characters or fewer"),
    ],
)
def test_an_email_that_cannot_be_saved_is_refused_on_the_write_page_keeping_what_was_typed(
    client, officer, programme, subject, body, message
):
    response = _step(client, [_bid(programme)], "save", subject=subject, body=body, template_name="Reminder",
                     template_programme=str(programme.id))  # fmt: skip

    page = _text(response)
    assert response.status_code == 400
    assert message in page
    assert "Check the email" in page  # the write page, where the subject and message are typed
    assert _templates() == []
    if "\x00" not in subject + body:
        assert _field(response.get_data(as_text=True), "subject") == subject.strip()
