"""A member of the organisation reads the messages on their application, grant and return (never the
private notes), answers them online, and their answer is emailed to the programme's officers; their
dashboard says when there are messages. Nobody else reads or writes them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.apply.question_set_admin import load_shipped
from grants.extensions import db
from grants.models import AuditEvent, CaseNote, OutboxMessage
from tests.correspondence.helpers import staff_wrote
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    ContractFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    ReturnFactory,
    RoundFactory,
    member_of,
    staff_user,
)
from tests.fixtures import csrf_token
from tests.statements import counting_selects


@pytest.fixture
def programme():
    return ProgrammeFactory()


@pytest.fixture
def application(programme):
    form = load_shipped("mscf-round-3.v1")
    return ApplicationFactory(state="submitted", round=RoundFactory(programme=programme, question_set_id=form.id))


@pytest.fixture
def member(sign_in, application):
    user = member_of(application.organisation, name="Amina Okafor")
    sign_in(user)
    return user


def _reply(client, kind: str, case_id: int, body: str):
    token = csrf_token(client, "/sign-out")
    return client.post(f"/messages/{kind}/{case_id}", data={"csrf_token": token, "body": body})


def test_a_member_reads_the_messages_on_their_application_but_never_the_private_notes(client, member, application):
    staff_wrote(application, "message", "Please send your latest accounts.")
    staff_wrote(application, "note", "They seemed unsure about the budget.")

    page = client.get(f"/applications/{application.id}").get_data(as_text=True)
    thread = client.get(f"/messages/application/{application.id}").get_data(as_text=True)

    for html in (page, thread):
        assert "Please send your latest accounts." in html
        assert "They seemed unsure about the budget." not in html
    assert "Priya Sharma" in thread and "Send reply" in thread


def test_a_reply_is_stored_as_a_message_from_the_organisation_and_emailed_to_the_officers(
    app, client, member, programme, application
):
    officer = staff_user("officer", programme, email="officer@example.org")
    staff_user("officer", ProgrammeFactory(), email="elsewhere@example.org")
    staff_wrote(application, "message", "Please send your latest accounts.", officer)
    before = {email.id for email in db.session.scalars(select(OutboxMessage))}

    response = _reply(client, "application", application.id, "Attached to our bid now.")

    assert response.status_code == 302
    note = db.session.scalar(select(CaseNote).where(CaseNote.author_id == member.id))
    assert (note.kind, note.from_organisation, note.body) == ("message", True, "Attached to our bid now.")
    emails = [email for email in db.session.scalars(select(OutboxMessage)) if email.id not in before]
    assert [email.recipient for email in emails] == ["officer@example.org"]
    name = application.organisation.name
    assert emails[0].subject == f"{name} replied about application {application.reference}"
    assert f"{app.config['SERVICE_URL'].rstrip('/')}/cases/application/{application.id}" in emails[0].body
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "message_received"))
    assert (audit.subject_type, audit.subject_id, audit.actor_id) == ("application", application.id, member.id)
    assert "Attached to our bid now." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_dashboard_counts_the_messages_from_the_grants_team(client, member, application):
    staff_wrote(application, "message", "One")
    staff_wrote(application, "message", "Two")
    staff_wrote(application, "note", "Private")

    page = client.get("/applications").get_data(as_text=True)

    assert "Your messages (2 from the grants team)" in page


def test_messages_on_a_payment_are_read_on_your_messages(client, sign_in):
    payment = PaymentFactory()
    sign_in(member_of(payment.award.organisation))
    staff_wrote(payment, "message", "Your first instalment is on its way.")

    inbox = client.get("/messages").get_data(as_text=True)

    assert "Your first instalment is on its way." in inbox
    assert f"/messages/payment/{payment.id}" in inbox
    thread = client.get(f"/messages/payment/{payment.id}").get_data(as_text=True)
    assert "Your first instalment is on its way." in thread


@pytest.mark.parametrize(
    ("kind", "factory", "page"),
    [("award", AwardFactory, "/awards/offers/{id}"), ("return", ReturnFactory, "/returns/{id}")],
)
def test_a_member_reads_messages_on_their_grant_and_return_pages(client, sign_in, kind, factory, page):
    subject = factory()
    sign_in(member_of(subject.organisation if kind == "award" else subject.award.organisation))
    staff_wrote(subject, "message", f"About your {kind}.")

    assert f"About your {kind}." in client.get(page.format(id=subject.id)).get_data(as_text=True)


def test_a_member_of_another_organisation_gets_a_404_and_nothing_is_written(client, sign_in, application):
    sign_in(member_of(OrganisationFactory()))

    assert client.get(f"/messages/application/{application.id}").status_code == 404
    assert _reply(client, "application", application.id, "Not ours").status_code == 404
    assert _reply(client, "application", application.id, "").status_code == 404
    assert db.session.scalar(select(func.count(CaseNote.id))) == 0


def test_a_case_with_no_organisation_and_an_unknown_case_give_a_404(client, member):
    assert client.get(f"/messages/round/{RoundFactory().id}").status_code == 404
    assert client.get("/messages/application/999999").status_code == 404
    assert client.get("/messages/nonsense/1").status_code == 404


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("  ", "Enter your reply"),
        ("z" * 10_001, "Your reply must be 10,000 characters or fewer"),
        ("a\x00b", "Your reply contains a character that cannot be saved (a null character): remove it"),
    ],
)
def test_a_reply_that_cannot_be_saved_is_shown_again_with_a_specific_message(client, member, application, body, error):
    response = _reply(client, "application", application.id, body)
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "There is a problem" in page and error in page and 'id="body-error"' in page
    if body.strip():
        assert body.replace("\x00", "") in page
    assert db.session.scalar(select(func.count(CaseNote.id))) == 0


def test_a_grants_page_shows_the_messages_on_the_grant_and_on_its_instalments(client, sign_in):
    payment = PaymentFactory(instalment=2)
    award = payment.award
    sign_in(member_of(award.organisation))
    staff_wrote(award, "message", "Your grant starts on Monday.")
    staff_wrote(payment, "message", "Your second instalment is approved.")
    staff_wrote(payment, "note", "Finance double-checked the bank details.")

    page = client.get(f"/grants/{award.id}").get_data(as_text=True)

    assert "Your grant starts on Monday." in page and "Your second instalment is approved." in page
    assert f"about payment {payment.reference}" in page
    assert "Finance double-checked the bank details." not in page
    assert f"/messages/payment/{payment.id}" in page
    thread = client.get(f"/messages/payment/{payment.id}").get_data(as_text=True)
    assert f'href="/grants/{award.id}"' in thread  # back to the page where they see it


def test_a_provider_reads_messages_on_their_contract_page(client, sign_in):
    provider = OrganisationFactory()
    contract = ContractFactory(provider=provider)
    sign_in(member_of(provider))
    staff_wrote(contract, "message", "Your quarterly figures are due.")

    page = client.get(f"/your-contracts/{contract.public_reference}")

    assert page.status_code == 200
    assert "Your quarterly figures are due." in page.get_data(as_text=True)


def test_your_messages_takes_the_same_statements_whatever_the_number_of_messages(client, member, application):
    award = AwardFactory(organisation=application.organisation)

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/messages").status_code == 200
        return len(seen)

    staff_wrote(application, "message", "First")
    staff_wrote(award, "message", "On the grant")
    few = statements()
    for number in range(30):
        staff_wrote(application if number % 2 else award, "message", f"Message {number}")
    assert statements() == few
