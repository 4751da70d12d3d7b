"""Finance approves and pays instalments; officers and finance hold and release; the due list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from grants.extensions import db
from grants.models import Payment
from tests.factories import PaymentFactory, ProgrammeFactory, ReturnFactory, staff_user
from tests.fixtures import post_form
from tests.payments.helpers import audit_count, audit_rows, award, people, text_of
from tests.statements import statements_at_page_sizes

MAY = date(2023, 5, 1)


def _page(payment) -> str:
    return f"/payments/{payment.id}"


def _post(client, payment, action: str, data: dict | None = None, *, version: int | None = None):
    path = {"approve": "approve", "mark_paid": "paid"}.get(action, action)
    body = {"version_id": str(payment.version_id if version is None else version), **(data or {})}
    return post_form(client, f"/payments/{payment.id}/{path}", body, form_page="/sign-out")


def _paid(day: date, reference: str) -> dict:
    return {
        "paid_on-day": str(day.day),
        "paid_on-month": str(day.month),
        "paid_on-year": str(day.year),
        "finance_reference": reference,
    }


def _state(payment) -> str:
    db.session.expire_all()
    return db.session.get(Payment, payment.id).state


# -- approving -------------------------------------------------------------------------------------
def test_finance_approves_a_scheduled_instalment_of_an_accepted_award(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme), amount_pence=400_000, due_on=MAY)
    sign_in(team.finance)

    response = _post(client, payment, "approve")

    assert response.status_code == 302
    assert _state(payment) == "approved"
    [approval] = audit_rows("payment", payment.id, "approve")
    assert approval.actor_id == team.finance.id


def test_approval_is_refused_until_the_grantee_accepts_the_offer(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme, state="offered"), due_on=MAY)
    sign_in(team.finance)

    response = _post(client, payment, "approve")

    assert response.status_code == 400
    assert "The award must be accepted by the grantee before a payment is approved." in text_of(response)
    assert _state(payment) == "scheduled"
    assert audit_count("payment", payment.id, "approve") == 0


def test_approval_above_the_unpaid_balance_is_refused_with_the_balance(client, sign_in):
    team = people()
    grant = award(team.programme)
    PaymentFactory(award=grant, instalment=1, amount_pence=400_000, state="paid", paid_on=MAY, finance_reference="F")
    too_much = PaymentFactory(award=grant, instalment=2, amount_pence=450_000, due_on=MAY)
    sign_in(team.finance)

    response = _post(client, too_much, "approve")

    assert response.status_code == 400
    assert "This payment is more than the award's unpaid balance (£3,985.00)." in text_of(response)
    assert _state(too_much) == "scheduled"


def test_an_instalment_tied_to_a_return_is_approved_only_once_the_return_is_accepted(client, sign_in):
    team = people()
    grant = award(team.programme)
    monitoring = ReturnFactory(award=grant, period_label="Q1 2023-24", state="submitted")
    payment = PaymentFactory(award=grant, amount_pence=400_000, due_on=MAY, monitoring_return=monitoring)
    sign_in(team.finance)

    refused = _post(client, payment, "approve")

    assert refused.status_code == 400
    assert (
        "This instalment waits for the monitoring return Q1 2023-24 to be accepted (payment not in advance of need)."
        in text_of(refused)
    )
    assert _state(payment) == "scheduled"

    monitoring.state = "accepted"
    db.session.commit()
    assert _post(client, payment, "approve").status_code == 302
    assert _state(payment) == "approved"


# -- paying ---------------------------------------------------------------------------------------------
def test_finance_marks_an_approved_instalment_paid_with_the_date_and_reference(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme), amount_pence=400_000, due_on=MAY, state="approved")
    sign_in(team.finance)

    response = _post(client, payment, "mark_paid", _paid(date(2023, 5, 2), "SAP-100234"))

    assert response.status_code == 302
    db.session.expire_all()
    paid = db.session.get(Payment, payment.id)
    assert (paid.state, paid.paid_on, paid.finance_reference) == ("paid", date(2023, 5, 2), "SAP-100234")
    assert paid.paid_at is not None
    assert audit_count("payment", payment.id, "mark_paid") == 1


def test_marking_paid_needs_the_date_and_the_finance_reference(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme), due_on=MAY, state="approved")
    sign_in(team.finance)

    response = _post(client, payment, "mark_paid", {"finance_reference": "  "})

    page = text_of(response)
    assert response.status_code == 400
    assert "Enter the date the payment was made" in page
    assert "Enter the finance system reference" in page
    db.session.expire_all()
    unchanged = db.session.get(Payment, payment.id)
    assert (unchanged.state, unchanged.paid_on, unchanged.finance_reference) == ("approved", None, None)
    assert audit_count("payment", payment.id, "mark_paid") == 0


def test_a_date_paid_before_the_award_is_refused_and_nothing_is_written(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme), due_on=MAY, state="approved")
    sign_in(team.finance)

    response = _post(client, payment, "mark_paid", _paid(date(2023, 2, 1), "SAP-1"))

    assert response.status_code == 400
    assert "The date paid cannot be before the award was made (9 February 2023)" in text_of(response)
    assert 'value="SAP-1"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).paid_on is None
    assert _state(payment) == "approved"


def test_a_date_paid_in_the_future_is_refused(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme), due_on=MAY, state="approved")
    sign_in(team.finance)

    response = _post(client, payment, "mark_paid", _paid(datetime.now(UTC).date() + timedelta(days=3), "SAP-2"))

    assert response.status_code == 400
    assert "The date paid cannot be in the future" in text_of(response)
    assert _state(payment) == "approved"


def test_a_form_from_before_someone_else_paid_it_is_told_someone_else_changed_this(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme), due_on=MAY, state="approved")
    seen = payment.version_id
    payment.state, payment.paid_on, payment.finance_reference = "paid", MAY, "SAP-FIRST"
    db.session.commit()  # the other finance officer's save
    sign_in(team.finance)

    response = _post(client, payment, "mark_paid", _paid(MAY, "SAP-SECOND"), version=seen)

    assert response.status_code == 409
    assert "Someone else changed this" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Payment, payment.id).finance_reference == "SAP-FIRST"


# -- holding, releasing and who may do what ------------------------------------------------------------------
def test_an_officer_holds_with_a_reason_and_releases_the_hold(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme), due_on=MAY)
    sign_in(team.officer)

    missing = _post(client, payment, "hold", {"reason": " "})
    assert missing.status_code == 400
    assert "Enter the reason for holding the payment" in text_of(missing)
    assert _state(payment) == "scheduled"

    assert _post(client, payment, "hold", {"reason": "Safeguarding concern being checked"}).status_code == 302
    assert _state(payment) == "held"
    assert audit_rows("payment", payment.id, "hold")[0].reason == "Safeguarding concern being checked"

    payment = db.session.get(Payment, payment.id)
    assert _post(client, payment, "release", {"reason": "Concern resolved"}).status_code == 302
    assert _state(payment) == "scheduled"


def test_only_finance_approves_or_pays_and_only_officers_cancel(client, sign_in):
    team = people()
    scheduled = PaymentFactory(award=award(team.programme), due_on=MAY)
    approved = PaymentFactory(award=award(team.programme), due_on=MAY, state="approved")

    sign_in(team.officer)
    assert _post(client, scheduled, "approve").status_code == 403
    assert _post(client, approved, "mark_paid", _paid(MAY, "SAP-3")).status_code == 403
    sign_in(team.finance)
    refused = _post(client, scheduled, "cancel", {"reason": "Not needed"})

    assert refused.status_code == 403
    assert "Only an officer of this programme can do this." in text_of(refused)
    assert (_state(scheduled), _state(approved)) == ("scheduled", "approved")


def test_finance_of_another_programme_cannot_see_or_act_on_the_instalment(client, sign_in):
    team = people()
    payment = PaymentFactory(award=award(team.programme), due_on=MAY)
    sign_in(staff_user("finance", ProgrammeFactory()))

    assert client.get(_page(payment)).status_code == 404
    assert _post(client, payment, "approve").status_code == 404
    assert _state(payment) == "scheduled"


def test_bank_details_are_shown_to_finance_only(client, sign_in):
    team = people()
    grant = award(team.programme)
    grant.organisation.bank_account_name = "Bramley Community Kitchen"
    grant.organisation.bank_sort_code = "401122"
    grant.organisation.bank_account_number = "71234567"
    payment = PaymentFactory(award=grant, due_on=MAY)
    db.session.commit()

    sign_in(team.finance)
    assert "71234567" in client.get(_page(payment)).get_data(as_text=True)
    sign_in(team.officer)
    officer_page = client.get(_page(payment)).get_data(as_text=True)
    assert "71234567" not in officer_page and "401122" not in officer_page


# -- the due list ---------------------------------------------------------------------------------------------
def test_the_due_list_shows_instalments_by_due_date_filtered_by_period_and_state(client, sign_in):
    team = people()
    grant = award(team.programme)
    june = PaymentFactory(award=grant, instalment=2, amount_pence=300_000, due_on=date(2023, 6, 1))
    may = PaymentFactory(award=grant, instalment=1, amount_pence=400_000, due_on=MAY, state="approved")
    PaymentFactory(award=grant, instalment=3, amount_pence=98_500, due_on=date(2023, 9, 1), state="cancelled")
    PaymentFactory(award=award(ProgrammeFactory()), due_on=MAY)  # someone else's programme
    sign_in(team.finance)

    everything = text_of(client.get("/payments/due"))
    assert everything.index(may.reference) < everything.index(june.reference)
    assert "2 instalments: £7,000.00" in everything

    in_june = text_of(
        client.get("/payments/due?from-day=15&from-month=5&from-year=2023&to-day=30&to-month=6&to-year=2023")
    )
    assert june.reference in in_june and may.reference not in in_june
    assert "1 instalment: £3,000.00" in in_june

    approved = text_of(client.get("/payments/due?state=approved"))
    assert may.reference in approved and june.reference not in approved


def test_a_period_that_ends_before_it_starts_is_a_clear_error(client, sign_in):
    team = people()
    PaymentFactory(award=award(team.programme), due_on=MAY)
    sign_in(team.finance)

    response = client.get("/payments/due?from-day=1&from-month=6&from-year=2023&to-day=1&to-month=5&to-year=2023")

    assert response.status_code == 400
    page = text_of(response)
    assert "The ‘to’ date must be the same as or after the ‘from’ date" in page
    assert "Correct the dates to see the instalments" in page


def test_the_due_list_runs_the_same_statements_whatever_the_page_size(client, sign_in):
    team = people()
    grant = award(team.programme, amount_pence=10_000_000)
    for number in range(1, 31):
        PaymentFactory(
            award=grant,
            instalment=number,
            amount_pence=10_000,
            due_on=MAY + timedelta(days=number),
            monitoring_return=ReturnFactory(award=grant) if number % 3 == 0 else None,
        )
    sign_in(team.finance)
    small, large = statements_at_page_sizes(client, "/payments/due", (2, 25))

    assert small == large
