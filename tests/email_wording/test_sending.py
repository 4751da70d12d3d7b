"""The emails the service sends use the programme's own wording when it has one, the standard wording otherwise."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from grants.assessment.assigning import tell_assessors
from grants.email_wording.case_values import render_for_case
from grants.email_wording.catalogue import known_placeholders
from grants.extensions import db
from grants.models import OutboxMessage
from grants.notifications import page_address
from grants.workflow import apply_transition
from tests.factories import (
    ApplicationFactory,
    EmailTemplateFactory,
    OrganisationFactory,
    ProgrammeFactory,
    RoundFactory,
    member_of,
    staff_user,
)

KEY = "application.request_information.organisation"


def _bid(programme=None):
    round_ = RoundFactory(programme=programme or ProgrammeFactory(name="Mid-Shire Community Fund"), title="Round 4")
    organisation = OrganisationFactory(name="Riverside Community Trust")
    application = ApplicationFactory(
        round=round_, organisation=organisation, state="submitted", public_reference="MSCF-R4-0002",
        amount_requested_pence=750_000,
    )  # fmt: skip
    member_of(organisation, email="chair@riverside.example")
    return application


def _ask(application):
    officer = staff_user("officer", application.round.programme)
    apply_transition(application, "request_information", officer, "Send your latest accounts")


def _sent() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "chair@riverside.example")))


def test_with_no_wording_of_its_own_a_programme_sends_the_standard_email_word_for_word():
    application = _bid()

    _ask(application)

    [email] = _sent()
    assert email.subject == "Your grant application MSCF-R4-0002 is now more information requested"
    assert email.body == (
        "Grant application MSCF-R4-0002 is now: More information requested.\n\n"
        "What happened: Ask the applicant for more information.\n\n"
        "Reason given:\nSend your latest accounts\n\n"
        f"Sign in to grantflow to see it: {page_address('apply.dashboard', {})}"
    )


def test_the_programmes_own_wording_is_what_the_organisation_is_emailed_on_a_transition():
    application = _bid()
    EmailTemplateFactory(
        programme_id=application.round.programme_id,
        key=KEY,
        subject="((organisation)): we need more from you on ((reference))",
        body="Dear ((organisation)),\n\nWe need this for ((round)) (((amount))): ((reason)).\n\nReply here: ((link))",
    )

    _ask(application)

    [email] = _sent()
    assert email.subject == "Riverside Community Trust: we need more from you on MSCF-R4-0002"
    assert email.body == (
        "Dear Riverside Community Trust,\n\nWe need this for Round 4 (£7,500.00): Send your latest accounts.\n\n"
        f"Reply here: {page_address('apply.dashboard', {})}"
    )


def test_another_programmes_wording_is_not_used():
    application = _bid()
    EmailTemplateFactory(key=KEY, subject="Another programme's subject", body="Another programme's text")

    _ask(application)

    [email] = _sent()
    assert email.subject == "Your grant application MSCF-R4-0002 is now more information requested"


def test_a_placeholder_the_email_does_not_know_is_sent_as_nothing_and_the_case_still_moves():
    application = _bid()
    EmailTemplateFactory(
        programme_id=application.round.programme_id, key=KEY, subject="About ((reference))((amont))",
        body="Hello ((nobody)), see ((reference)).",
    )  # fmt: skip

    _ask(application)

    [email] = _sent()
    assert application.state == "information_requested"
    assert (email.subject, email.body) == ("About MSCF-R4-0002", "Hello , see MSCF-R4-0002.")


def test_assessors_are_emailed_in_the_programmes_own_wording_with_the_rounds_due_date():
    round_ = RoundFactory(title="Round 4", decision_on=date(2027, 3, 1))
    round_.assessment_due_on = date(2027, 2, 14)
    assessor = staff_user("assessor", round_.programme, email="sam@assessors.example")
    EmailTemplateFactory(
        programme_id=round_.programme_id, key="assessors.assigned",
        subject="((count)) for ((round)) due ((due_date))", body="Please score:\n((bids))\n\n((link))",
    )  # fmt: skip

    tell_assessors(round_, {assessor.id: ["MSCF-R4-0002", "MSCF-R4-0007"]}, datetime.now(UTC))

    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "sam@assessors.example"))
    assert email.subject == "2 bids for Round 4 due 14 February 2027"
    assert email.body == f"Please score:\n- MSCF-R4-0002\n- MSCF-R4-0007\n\n{page_address('assessors.index', {})}"


def test_a_batch_email_renders_a_programmes_wording_on_one_case():
    application = _bid()
    EmailTemplateFactory(
        programme_id=application.round.programme_id, key=KEY, subject="((reference)) needs ((action))",
        body="((organisation)) asked for ((amount))",
    )  # fmt: skip

    subject, body = render_for_case(application.round.programme_id, KEY, application)

    assert subject == "MSCF-R4-0002 needs Ask the applicant for more information"
    assert body == "Riverside Community Trust asked for £7,500.00"


def test_each_transition_email_documents_its_placeholders_with_an_example():
    names = {p.name: p for p in known_placeholders(KEY)}

    assert {"reference", "organisation", "state", "previous_state", "reason", "amount", "link"} <= set(names)
    assert all(p.description and p.example for p in names.values())
    assert known_placeholders("no.such.email") == []
