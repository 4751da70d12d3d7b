"""Payment runs: a finance user pays a batch of instalments another approved, with one date and one
finance reference, and downloads the bank file (payee, sort code, account, amount, reference, total);
their own approvals and organisations without ready bank details are left out, saying why; a run
racing another finance user's payment pays nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from grants.extensions import db
from grants.models import AuditEvent, Payment, PaymentRun
from grants.payments import runs
from grants.payments.services import Invalid
from grants.workflow import apply_transition
from tests.factories import AwardFactory, OrganisationFactory, PaymentFactory, ProgrammeFactory, staff_user
from tests.fixtures import post_form

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def approved():
    """Three instalments approved by one finance user, on two organisations; one more approved by the payer."""
    programme = ProgrammeFactory(code="MSCF")
    approver, payer = staff_user("finance", programme, name="Amy Approver"), staff_user("finance", name="Pat Payer")
    kitchen = OrganisationFactory(name="Bramley Community Kitchen", bank_account_name="=Bramley Kitchen",
                                  bank_sort_code="401276", bank_account_number="31000123")  # fmt: skip
    boxing = OrganisationFactory(name="Calder Valley Boxing Club CIC")
    payments = []
    for organisation, amount in ((kitchen, 250_050), (kitchen, 100_000), (boxing, 399_999)):
        award = AwardFactory(programme=programme, organisation=organisation, state="active", amount_pence=900_000)
        payment = PaymentFactory(award=award, amount_pence=amount)
        apply_transition(payment, "approve", approver)
        payments.append(payment)
    own = PaymentFactory(award=AwardFactory(programme=programme, organisation=boxing, state="active"))
    apply_transition(own, "approve", payer)
    return {"approver": approver, "payer": payer, "payments": payments, "own": own, "kitchen": kitchen}


def test_a_run_pays_the_chosen_instalments_with_one_date_and_reference_and_is_audited(approved):
    payer, payments = approved["payer"], approved["payments"]
    found = runs.candidates(payer)
    assert [p.id for p in found.ready] == [p.id for p in payments] and found.yours == [approved["own"]]

    run = runs.make_run(payer, [str(p.id) for p in payments[:2]], ("3", "12", "2026"), "BACS-0042",
                        today=date(2026, 12, 3))  # fmt: skip

    assert (run.reference, run.instalments, run.total_pence) == ("PR-2026-0001", 2, 350_050)
    paid = db.session.scalars(select(Payment).where(Payment.payment_run_id == run.id)).all()
    assert {(p.state, p.paid_on, p.finance_reference) for p in paid} == {("paid", date(2026, 12, 3), "BACS-0042")}
    assert db.session.get(Payment, payments[2].id).state == "approved"
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "payment_run_paid"))
    assert row.actor_id == payer.id and row.to_state == "£3,500.50" and len(row.data["instalments"]) == 2


def test_the_approver_is_not_offered_their_own_approvals(approved):
    found = runs.candidates(approved["approver"])

    assert found.ready == [approved["own"]] and len(found.yours) == 3
    with pytest.raises(Invalid) as refused:
        runs.make_run(approved["approver"], [str(approved["payments"][0].id)], ("3", "12", "2026"), "X",
                      today=date(2026, 12, 3))  # fmt: skip
    assert "can no longer be paid in this run" in refused.value.errors["payments"]


def test_changed_bank_details_keep_an_organisation_out_of_a_run_saying_why(approved):
    approved["kitchen"].bank_details_changed_at = db.func.now()
    db.session.commit()

    found = runs.candidates(approved["payer"])

    assert [p.award.organisation.name for p in found.ready] == ["Calder Valley Boxing Club CIC"]
    assert all("finance has not verified them yet" in why for _p, why in found.blocked) and len(found.blocked) == 2


@pytest.mark.parametrize(
    ("paid_on", "reference", "field", "message"),
    [
        (("", "", ""), "BACS-1", "paid_on", "Enter the date the run was paid"),
        (("31", "2", "2026"), "BACS-1", "paid_on", "The date paid must be a real date"),
        (("4", "12", "2026"), "BACS-1", "paid_on", "The date paid cannot be in the future"),
        (("3", "12", "2026"), "   ", "finance_reference", "Enter the finance system reference for the run"),
        (("3", "12", "2026"), "x" * 65, "finance_reference", "must be 64 characters or fewer"),
    ],
)
def test_bad_dates_and_references_are_refused_and_nothing_is_paid(approved, paid_on, reference, field, message):
    with pytest.raises(Invalid) as refused:
        runs.make_run(approved["payer"], [str(approved["payments"][0].id)], paid_on, reference,
                      today=date(2026, 12, 3))  # fmt: skip

    assert message in refused.value.errors[field]
    assert db.session.scalar(select(PaymentRun.id)) is None


def test_an_instalment_paid_meanwhile_by_another_finance_user_makes_the_run_pay_nothing(approved):
    payer, payments = approved["payer"], approved["payments"]
    offered = runs.candidates(payer).ready
    rival = staff_user("finance")
    rival_payment = db.session.get(Payment, payments[1].id)
    rival_payment.paid_on, rival_payment.finance_reference = date(2026, 12, 2), "BACS-RIVAL"
    apply_transition(rival_payment, "mark_paid", rival)

    with pytest.raises(Invalid) as refused:
        runs.make_run(payer, [str(p.id) for p in offered], ("3", "12", "2026"), "BACS-0042", today=date(2026, 12, 3))

    assert "choose again" in refused.value.errors["payments"] or "Nothing was paid" in refused.value.errors["payments"]
    assert db.session.scalar(select(PaymentRun.id)) is None
    assert [db.session.get(Payment, p.id).state for p in payments] == ["approved", "paid", "approved"]


def test_the_bank_file_has_each_payee_in_full_and_the_total(client, sign_in, approved):
    payer, payments = approved["payer"], approved["payments"]
    run = runs.make_run(payer, [str(p.id) for p in payments], ("3", "12", "2026"), "BACS-0042",
                        today=date(2026, 12, 3))  # fmt: skip
    sign_in(payer)

    text = client.get(f"/payments/runs/{run.id}/bank-file.csv").get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get(f"/payments/runs/{run.id}/bank-file.xlsx").data))

    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["Payee (name on the account)", "Sort code", "Account number", "Amount (£)", "Reference"]
    assert rows[1][:4] == ["'=Bramley Kitchen", "40-12-76", "31000123", "2500.50"]
    assert rows[-1] == ["Total", "", "", "7500.49", "3 payments"]
    sheet = book["Bank file"]
    assert sheet["A2"].value == "=Bramley Kitchen" and sheet["A2"].data_type == "s"
    assert sheet["D5"].value == "=SUM(D2:D4)" and sheet["B5"].value == "3 rows"
    page = client.get(f"/payments/runs/{run.id}").get_data(as_text=True)
    assert "PR-2026-0001" in page and "£7,500.49" in page and "31000123" in page


def test_the_run_page_makes_a_run_and_keeps_what_was_typed_on_an_error(client, sign_in, approved):
    sign_in(approved["payer"])
    ids = [str(p.id) for p in approved["payments"]]

    wrong = post_form(client, "/payments/runs/new", {"payments": ids[:1], "paid_on-day": "3", "paid_on-month": "12",
                                                     "paid_on-year": "2026", "finance_reference": ""})  # fmt: skip
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "Enter the finance system reference for the run" in html
    assert f'value="{ids[0]}" checked' in html and f'value="{ids[1]}" checked' not in html

    made = post_form(client, "/payments/runs/new", {"payments": ids, "paid_on-day": "3", "paid_on-month": "12",
                                                    "paid_on-year": "2026", "finance_reference": "BACS-7"})  # fmt: skip
    assert made.status_code == 302
    assert db.session.scalar(select(PaymentRun.instalments)) == 3


def test_finance_on_another_programme_cannot_open_the_run_or_its_bank_file(client, sign_in, approved):
    run = runs.make_run(approved["payer"], [str(approved["payments"][0].id)], ("3", "12", "2026"), "BACS-1",
                        today=date(2026, 12, 3))  # fmt: skip
    sign_in(staff_user("finance", ProgrammeFactory(code="VRU")))

    assert client.get(f"/payments/runs/{run.id}").status_code == 404
    assert client.get(f"/payments/runs/{run.id}/bank-file.csv").status_code == 404
    assert "PR-2026" not in client.get("/payments/runs").get_data(as_text=True)


def test_officers_do_not_make_payment_runs(client, sign_in):
    sign_in(staff_user("officer"))

    assert client.get("/payments/runs/new").status_code == 403
