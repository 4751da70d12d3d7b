"""An officer emails the organisations of the cases they select on a list: write, check a preview, send."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, OutboxMessage
from tests.factories import ApplicationFactory, ProgrammeFactory, RoundFactory, member_of, staff_user
from tests.fixtures import csrf_token

_BATCH = re.compile(r'name="batch" type="hidden" value="([^"]+)"')


@pytest.fixture
def officer(sign_in):
    user = staff_user("officer", name="Priya Sharma")
    sign_in(user)
    return user


def _with_members(count: int = 1, **kwargs):
    application = ApplicationFactory(state="submitted", **kwargs)
    for _ in range(count):
        member_of(application.organisation)
    return application


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client, "/sign-out"), **data})


def _write(client, cases) -> str:
    response = _post(client, "/cases/application/batch", {"action": "email", "case": [str(c) for c in cases]})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _email(client, cases, step: str, subject: str, body: str, batch: str = ""):
    data = {"case": [str(c) for c in cases], "step": step, "subject": subject, "body": body, "batch": batch}
    return _post(client, "/cases/application/batch/email", data)


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_officer_can_choose_to_email_the_selection_and_sees_who_it_goes_to(client, officer):
    two = _with_members(2)
    none = ApplicationFactory(state="submitted")

    listing = client.get("/cases/application").get_data(as_text=True)
    html = _write(client, [two.id, none.id])

    assert '<option value="email">Email the organisations</option>' in listing
    assert "2 emails to people at 1 case" in html
    assert "1 case has nobody at the organisation to email." in html
    assert two.organisation.name in html
    assert "((reference)) the case&#39;s reference" in html


def test_checking_the_email_shows_it_filled_in_for_a_case_and_sends_nothing(client, officer):
    application = _with_members()

    response = _email(client, [application.id], "check", "About ((reference))", "Dear ((organisation)), see ((link))")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f"<strong>About {application.reference}</strong>" in html
    assert f"Dear {application.organisation.name}, see http" in html
    assert "Send 1 email" in html
    assert _outbox() == []


def test_sending_queues_an_email_to_each_member_and_audits_each_case_once_even_if_sent_twice(client, officer):
    first, second = _with_members(2), _with_members(1)
    page = _write(client, [first.id, second.id])
    batch = _BATCH.search(page).group(1)

    response = _email(client, [first.id, second.id], "send", "((reference)) needs a budget", "Hello", batch)
    again = _email(client, [first.id, second.id], "send", "((reference)) needs a budget", "Hello", batch)

    assert "3 emails sent about 2 cases." in response.get_data(as_text=True)
    assert "0 emails sent about 0 cases. 2 cases were not emailed about." in again.get_data(as_text=True)
    assert f"{first.reference}</a>: already emailed in this batch" in again.get_data(as_text=True)
    messages = _outbox()
    assert len(messages) == 3
    assert {m.subject for m in messages} == {f"{first.reference} needs a budget", f"{second.reference} needs a budget"}
    rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "batch_email")).all()
    assert sorted(r.subject_id for r in rows) == sorted([first.id, second.id])
    assert rows[0].reason == f"Batch {batch}: {first.reference} needs a budget"


def test_an_unknown_placeholder_is_refused_naming_it_and_keeping_what_was_typed(client, officer):
    application = _with_members()

    response = _email(client, [application.id], "check", "About ((referance))", "Body text")
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "((referance)) is not a placeholder this email knows" in html
    assert 'value="About ((referance))"' in html
    assert _outbox() == []


def test_another_programmes_case_is_not_emailed_or_named_and_a_nul_byte_is_dropped(client, sign_in):
    mine = ProgrammeFactory()
    sign_in(staff_user("officer", mine))
    own = _with_members(round=RoundFactory(programme=mine))
    other = _with_members()

    response = _email(client, [own.id, other.id, "nonsense"], "send", "Hello", "Body\x00 text", "")
    html = response.get_data(as_text=True)

    assert "1 email sent about 1 case. 2 cases were not emailed about." in html
    assert other.reference not in html
    assert len(_outbox()) == 1
    assert _outbox()[0].body == "Body text"


def test_a_bracket_that_is_not_a_placeholder_is_refused_saying_how_to_write_one(client, officer):
    application = _with_members()

    response = _email(client, [application.id], "check", "About ((reference)", "Body")

    assert response.status_code == 400
    assert "There is a (( with no )) to close it: write a placeholder as ((reference))" in response.get_data(
        as_text=True
    )
