"""Payment controls a finance auditor expects: two different finance users approve and pay an instalment;
nothing is approved or paid without bank details; a member changing them holds every payment to the
organisation until finance records how it checked the new ones, and every member is told."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Organisation, OutboxMessage, Payment
from grants.workflow import apply_transition
from tests.factories import AwardFactory, OrganisationFactory, PaymentFactory, ProgrammeFactory, member_of, staff_user
from tests.fixtures import post_form
from workflows import TransitionRefused

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def instalment():
    programme = ProgrammeFactory(code="MSCF")
    organisation = OrganisationFactory(name="Bramley Community Kitchen")
    award = AwardFactory(programme=programme, organisation=organisation, state="active", amount_pence=800_000)
    payment = PaymentFactory(award=award, amount_pence=400_000)
    db.session.commit()
    return payment


def _pay(payment: Payment, user) -> None:
    payment.paid_on = payment.award.made_on
    payment.finance_reference = "AP-2026-000123"
    apply_transition(payment, "mark_paid", user, commit=True)


def test_the_finance_user_who_approved_an_instalment_cannot_also_mark_it_paid(instalment):
    approver, payer = staff_user("finance", instalment.award.programme), staff_user("finance")
    apply_transition(instalment, "approve", approver)

    with pytest.raises(TransitionRefused) as refused:
        _pay(instalment, approver)
    db.session.rollback()

    assert "You approved this instalment for payment, so another finance user must mark it paid" in str(refused.value)
    assert instalment.approved_by_id == approver.id
    _pay(instalment, payer)
    assert db.session.get(Payment, instalment.id).state == "paid"


def test_a_programme_may_let_one_person_approve_and_pay(instalment):
    instalment.award.programme.separate_payment_duties = False
    finance = staff_user("finance")
    apply_transition(instalment, "approve", finance)

    _pay(instalment, finance)

    assert db.session.get(Payment, instalment.id).state == "paid"


def test_nothing_is_approved_for_an_organisation_without_bank_details(instalment):
    organisation = instalment.award.organisation
    organisation.bank_account_number = None
    db.session.commit()

    with pytest.raises(TransitionRefused) as refused:
        apply_transition(instalment, "approve", staff_user("finance"))

    assert "Bramley Community Kitchen has not given its bank details" in str(refused.value)


def _change_bank_details(client, sign_in, organisation: Organisation, account_number: str):
    member = member_of(organisation, email="treasurer@bramley.example.org", name="Tariq Ahmed")
    member_of(organisation, email="chair@bramley.example.org", name="Ruth Kaye")
    sign_in(member)
    data = {"version_id": organisation.version_id, "bank_account_name": "Bramley Community Kitchen",
            "bank_sort_code": "40-11-62", "bank_account_number": account_number}  # fmt: skip
    response = post_form(client, f"/organisations/{organisation.id}/edit/bank", data)
    assert response.status_code == 302
    client.post("/sign-out", data={})


def test_changed_bank_details_hold_payments_until_finance_records_its_check(client, sign_in, instalment):
    organisation = instalment.award.organisation
    _change_bank_details(client, sign_in, organisation, "55667788")
    finance = staff_user("finance", instalment.award.programme)

    with pytest.raises(TransitionRefused) as refused:
        apply_transition(instalment, "approve", finance)
    db.session.rollback()
    assert "bank details changed on" in str(refused.value) and "finance has not verified them yet" in str(refused.value)

    sign_in(finance)
    page = client.get("/payments/bank-details").get_data(as_text=True)
    assert "Bramley Community Kitchen" in page and "55667788" in page and "40-11-62" in page
    blank = post_form(client, "/payments/bank-details", {"organisation_id": str(organisation.id), "how": "   "})
    assert blank.status_code == 400 and "Say how you checked the new bank details" in blank.get_data(as_text=True)
    how = "Called the chair, Ruth Kaye, on the number in our records"
    done = post_form(client, "/payments/bank-details", {"organisation_id": str(organisation.id), "how": how})

    assert done.status_code == 302
    db.session.refresh(organisation)
    assert (organisation.bank_details_verified_by_id, organisation.bank_details_verified_how) == (finance.id, how)
    apply_transition(db.session.get(Payment, instalment.id), "approve", finance)
    assert db.session.get(Payment, instalment.id).state == "approved"
    assert "No changed bank details are waiting" in client.get("/payments/bank-details").get_data(as_text=True)


def test_a_bank_details_change_is_audited_masked_and_every_member_is_told(client, sign_in, instalment):
    organisation = instalment.award.organisation
    before = organisation.bank_account_number
    _change_bank_details(client, sign_in, organisation, "55667788")

    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "bank_details_changed"))
    assert f"account number ****{before[-4:]}" in row.from_state and "account number ****7788" in row.to_state
    stored = f"{row.from_state} {row.to_state} {row.data}"
    assert "55667788" not in stored and before not in stored and "401162" not in stored
    told = db.session.scalars(
        select(OutboxMessage.recipient).where(OutboxMessage.subject.contains("bank details of Bramley"))
    ).all()
    assert sorted(told) == ["chair@bramley.example.org", "treasurer@bramley.example.org"]


def test_finance_on_another_programme_neither_sees_nor_checks_the_change(client, sign_in, instalment):
    organisation = instalment.award.organisation
    _change_bank_details(client, sign_in, organisation, "55667788")
    sign_in(staff_user("finance", ProgrammeFactory(code="VRU")))

    assert "Bramley" not in client.get("/payments/bank-details").get_data(as_text=True)
    refused = post_form(
        client,
        "/payments/bank-details",
        {"organisation_id": str(organisation.id), "how": "Rang"},
        form_page="/sign-out",
    )
    assert refused.status_code == 404
    db.session.refresh(organisation)
    assert organisation.bank_details_verified_at is None


def test_officers_do_not_check_bank_details(client, sign_in):
    sign_in(staff_user("officer"))

    assert client.get("/payments/bank-details").status_code == 403
