"""An officer adds a private note or sends a message on any case from its page: the history shows
both beside the workflow events, a message is emailed to each member of the organisation, each is
audited, and nothing is written by someone who may not see the case or for a body that cannot be saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import AuditEvent, CaseNote, OutboxMessage
from tests.factories import (
    ApplicationFactory,
    AssessmentFactory,
    AwardFactory,
    CaseNoteFactory,
    ContractFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    ReturnFactory,
    RoundFactory,
    VariationFactory,
    member_of,
    staff_user,
)
from tests.fixtures import csrf_token
from tests.statements import counting_selects


def _post(client, kind: str, case_id: int, what: str, body: str):
    token = csrf_token(client, "/sign-out")
    prefix = "note" if what == "notes" else "message"
    return client.post(f"/cases/{kind}/{case_id}/{what}", data={f"{prefix}-csrf_token": token, f"{prefix}-body": body})


def _notes() -> list[CaseNote]:
    return list(db.session.scalars(select(CaseNote).order_by(CaseNote.id)))


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def officer(sign_in, programme):
    user = staff_user("officer", programme, name="Priya Sharma")
    sign_in(user)
    return user


@pytest.fixture
def application(programme):
    return ApplicationFactory(state="submitted", round=RoundFactory(programme=programme))


def test_an_officer_adds_a_private_note_that_the_history_shows_and_the_audit_records(client, officer, application):
    response = _post(client, "application", application.id, "notes", "Rang them about the match funding.")

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Private note" in page and "Rang them about the match funding." in page
    [note] = _notes()
    assert (note.kind, note.case_kind, note.case_id) == ("note", "application", application.id)
    assert note.author_id == officer.id
    assert (note.organisation_id, note.programme_id) == (application.organisation_id, application.round.programme_id)
    [row] = _audit("note_added")
    assert (row.subject_type, row.subject_id, row.actor_id) == ("application", application.id, officer.id)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_an_officer_messages_the_organisation_and_each_member_gets_an_email_with_a_link_to_reply(
    app, client, officer, application
):
    first = member_of(application.organisation, email="amina@example.org")
    member_of(application.organisation, email="ben@example.org")

    response = _post(client, "application", application.id, "messages", "Please send your latest accounts.")

    assert response.status_code == 302
    emails = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.recipient)))
    assert [email.recipient for email in emails] == ["amina@example.org", "ben@example.org"]
    reference = application.reference
    assert emails[0].subject == f"A message about your application {reference}"
    assert "Please send your latest accounts." in emails[0].body
    base = app.config["SERVICE_URL"].rstrip("/")
    assert f"{base}/messages/application/{application.id}" in emails[0].body
    page = client.get(f"/cases/application/{application.id}").get_data(as_text=True)
    assert f"it is emailed to 2 people at {application.organisation.name}" in page
    assert f"Message to {application.organisation.name}" in page
    assert len(_audit("message_sent")) == 1
    assert first.id not in {note.author_id for note in _notes()}


def test_the_history_puts_notes_and_messages_in_time_order_beside_workflow_events(client, officer, application):
    _post(client, "application", application.id, "notes", "First, a note.")
    _post(client, "application", application.id, "messages", "Then, a message.")
    CaseNoteFactory(
        case_kind="application", case_id=application.id, kind="message", body="And their answer.",
        author_id=member_of(application.organisation).id, from_organisation=True,
    )  # fmt: skip

    page = client.get(f"/cases/application/{application.id}").get_data(as_text=True)
    history = page[page.index('id="history"') :]

    first, second, third = (history.index(text) for text in ("First, a note.", "Then, a message.", "And their answer."))
    assert first < second < third
    assert f"Message from {application.organisation.name}" in history
    assert "Note added" not in history and "Message sent" not in history  # the note itself, not its audit row, is shown


@pytest.mark.parametrize(
    ("kind", "factory"),
    [
        ("award", AwardFactory),
        ("payment", PaymentFactory),
        ("return", ReturnFactory),
        ("contract", lambda: ContractFactory(provider=OrganisationFactory())),
        ("variation", VariationFactory),
    ],
)
def test_every_kind_of_case_with_an_organisation_takes_notes_and_messages(client, sign_in, kind, factory):
    subject = factory()
    sign_in(staff_user("officer"))

    page = client.get(f"/cases/{kind}/{subject.id}").get_data(as_text=True)
    assert "Add a private note" in page and "Send a message to" in page
    assert _post(client, kind, subject.id, "notes", "A note.").status_code == 302
    assert _post(client, kind, subject.id, "messages", "A message.").status_code == 302
    assert [(note.case_kind, note.kind) for note in _notes()] == [(kind, "note"), (kind, "message")]


def test_a_message_to_an_organisation_with_nobody_online_is_kept_and_the_officer_told(client, officer, application):
    response = _post(client, "application", application.id, "messages", "Hello")

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "nobody at" in page and "has an account to be emailed" in page
    assert [note.kind for note in _notes()] == ["message"]


def test_a_round_takes_notes_but_has_no_organisation_to_message(client, sign_in):
    round_ = RoundFactory()
    sign_in(staff_user("officer"))

    page = client.get(f"/cases/round/{round_.id}").get_data(as_text=True)

    assert "Add a private note" in page and "Send a message to" not in page
    assert _post(client, "round", round_.id, "messages", "Hello").status_code == 404
    assert _notes() == []


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Enter your note"),
        ("   \n\t ", "Enter your note"),
        ("x" * 10_001, "Your note must be 10,000 characters or fewer"),
        ("Call them\x00 back", "Your note contains a character that cannot be saved (a null character): remove it"),
    ],
)
def test_a_note_that_cannot_be_saved_is_shown_again_with_a_specific_message(client, officer, application, body, error):
    response = _post(client, "application", application.id, "notes", body)
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "There is a problem" in page and '<a href="#note-body">' + error in page
    assert 'id="note-body-error"' in page
    if body.strip():
        assert body.replace("\x00", "")[:200] in page
    assert _notes() == [] and _audit("note_added") == []


def test_a_message_that_is_too_long_keeps_what_was_typed(client, officer, application):
    typed = "Dear applicant, " + "y" * 10_000

    response = _post(client, "application", application.id, "messages", typed)

    assert response.status_code == 400
    assert "Your message must be 10,000 characters or fewer" in response.get_data(as_text=True)
    assert typed in response.get_data(as_text=True)
    assert _notes() == [] and db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_an_officer_of_another_programme_gets_a_404_and_nothing_is_written(client, sign_in, application):
    sign_in(staff_user("officer", ProgrammeFactory()))

    assert _post(client, "application", application.id, "notes", "Not mine").status_code == 404
    assert _post(client, "application", application.id, "messages", "Not mine").status_code == 404
    assert _post(client, "application", application.id, "notes", "").status_code == 404
    assert _notes() == [] and _audit("note_added") == []


def test_a_member_of_staff_in_the_organisation_has_a_conflict_and_gets_a_404(client, sign_in, programme, application):
    user = staff_user("officer", programme)
    member_of(application.organisation)  # someone else
    from grants.models import Membership

    db.session.add(Membership(user_id=user.id, organisation_id=application.organisation_id))
    db.session.commit()
    sign_in(user)

    assert _post(client, "application", application.id, "notes", "Mine").status_code == 404
    assert _notes() == []


def test_an_assessor_and_an_applicant_cannot_write_on_the_case_page(client, sign_in, programme, application):
    assessment = AssessmentFactory(application=application)
    from grants.models import RoleGrant

    db.session.add(RoleGrant(user_id=assessment.assessor_id, role="assessor", programme_id=programme.id))
    db.session.commit()
    sign_in(assessment.assessor)
    assert _post(client, "application", application.id, "notes", "Scored").status_code in (403, 404)
    client.get("/sign-out")
    sign_in(member_of(application.organisation))
    assert _post(client, "application", application.id, "messages", "Hi").status_code in (403, 404)
    assert _notes() == []


def test_an_unknown_case_gives_a_404(client, officer):
    assert _post(client, "application", 999_999, "notes", "Lost").status_code == 404
    assert _post(client, "nonsense", 1, "notes", "Lost").status_code == 404


def test_the_case_page_takes_the_same_statements_whatever_the_number_of_notes(client, officer, application):
    def statements() -> int:
        with counting_selects() as seen:
            assert client.get(f"/cases/application/{application.id}").status_code == 200
        return len(seen)

    CaseNoteFactory(case_kind="application", case_id=application.id)
    few = statements()
    for number in range(30):
        CaseNoteFactory(case_kind="application", case_id=application.id, kind="message" if number % 2 else "note")
    assert statements() == few
