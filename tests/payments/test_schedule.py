"""An officer sets an award's payment schedule: instalments that add up exactly to the award."""

from __future__ import annotations

from datetime import date

from grants.extensions import db
from tests.factories import PaymentFactory, ReturnFactory
from tests.payments.helpers import (
    audit_count,
    audit_rows,
    award,
    hidden,
    live,
    payments_of,
    people,
    schedule_post,
    schedule_url,
    text_of,
)

MAY, AUGUST = date(2023, 5, 1), date(2023, 8, 1)


def test_officer_sets_a_two_instalment_schedule_that_adds_up_to_the_award(client, sign_in):
    team = people()
    grant = award(team.programme)
    sign_in(team.officer)

    response = schedule_post(
        client, grant.id, [{"amount": "4,000", "due": MAY}, {"amount": "£3,985.00", "due": AUGUST}]
    )

    assert response.status_code == 302
    payments = payments_of(grant.id)
    assert [(p.instalment, p.amount_pence, p.due_on, p.state) for p in payments] == [
        (1, 400_000, MAY, "scheduled"),
        (2, 398_500, AUGUST, "scheduled"),
    ]
    assert {(p.workflow, p.workflow_version) for p in payments} == {("payment", 2)}
    assert all(audit_count("payment", p.id, "create") == 1 for p in payments)
    [change] = audit_rows("award", grant.id, "schedule_set")
    assert (change.from_state, change.to_state, change.actor_id) == (
        "no instalments",
        "£7,985.00 in 2 instalments",
        team.officer.id,
    )
    assert change.data["after"] == ["£4,000.00 due 1 May 2023", "£3,985.00 due 1 August 2023"]
    page = text_of(client.get(schedule_url(grant.id)))
    assert "The payment schedule for" in page and "has been saved" in page


def test_instalments_that_do_not_add_up_to_the_award_are_refused_with_both_sums(client, sign_in):
    team = people()
    grant = award(team.programme)
    sign_in(team.officer)

    response = schedule_post(client, grant.id, [{"amount": "4000", "due": MAY}, {"amount": "3000", "due": AUGUST}])

    assert response.status_code == 400
    page = text_of(response)
    assert "The instalments add up to £7,000.00 but the award is £7,985.00" in page
    html = response.get_data(as_text=True)
    assert 'value="3000"' in html and 'value="4000"' in html  # what was typed is kept
    assert payments_of(grant.id) == []
    assert audit_count("award", grant.id, "schedule_set") == 0


def test_a_due_date_before_the_award_is_refused_and_nothing_is_written(client, sign_in):
    team = people()
    grant = award(team.programme)
    sign_in(team.officer)

    response = schedule_post(
        client, grant.id, [{"amount": "4000", "due": date(2023, 2, 8)}, {"amount": "3985", "due": AUGUST}]
    )

    assert response.status_code == 400
    assert "The due date of instalment 1 cannot be before the award was made (9 February 2023)" in text_of(response)
    assert payments_of(grant.id) == []


def test_each_wrong_amount_is_named_by_its_instalment(client, sign_in):
    team = people()
    grant = award(team.programme)
    sign_in(team.officer)

    response = schedule_post(
        client,
        grant.id,
        [{"amount": "0", "due": MAY}, {"amount": "-5", "due": MAY}, {"amount": "lots", "due": MAY}, {"due": MAY}],
    )

    page = text_of(response)
    assert response.status_code == 400
    assert "The amount of instalment 1 must be more than £0" in page
    assert "The amount of instalment 2 must be more than £0" in page
    assert "Enter the amount of instalment 3 in pounds and pence, like 1250 or 1250.50" in page
    assert "Enter the amount of instalment 4" in page
    assert payments_of(grant.id) == []


def test_missing_partial_and_impossible_due_dates_are_each_explained(client, sign_in):
    team = people()
    grant = award(team.programme)
    sign_in(team.officer)

    response = schedule_post(
        client,
        grant.id,
        [
            {"amount": "2000"},
            {"amount": "2000", "due": ("1", "5", "")},
            {"amount": "3985", "due": ("31", "2", "2024")},
        ],
    )

    page = text_of(response)
    assert response.status_code == 400
    assert "Enter the due date of instalment 1" in page
    assert "The due date of instalment 2 must include a year" in page
    assert "The due date of instalment 3 must be a real date" in page
    assert 'href="#instalments-2-due-day"' in response.get_data(as_text=True)
    assert payments_of(grant.id) == []


def test_rows_are_added_and_removed_without_javascript_keeping_what_was_typed(client, sign_in):
    team = people()
    grant = award(team.programme)
    sign_in(team.officer)

    added = schedule_post(client, grant.id, [{"amount": "4000", "due": MAY}], action="add")

    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert 'name="instalments-1-amount"' in html and 'value="4000"' in html
    assert "Instalment 2" in text_of(added)

    removed = schedule_post(
        client, grant.id, [{"amount": "4000", "due": MAY}, {"amount": "3985", "due": AUGUST}], action="remove-0"
    )

    html = removed.get_data(as_text=True)
    assert 'value="3985"' in html and 'value="4000"' not in html
    assert 'name="instalments-1-amount"' not in html
    assert payments_of(grant.id) == []


def test_approved_and_paid_instalments_are_kept_and_the_scheduled_ones_are_replaced(client, sign_in):
    team = people()
    grant = award(team.programme)
    paid = PaymentFactory(
        award=grant, instalment=1, amount_pence=400_000, due_on=MAY, state="paid", paid_on=MAY, finance_reference="F1"
    )
    scheduled = PaymentFactory(award=grant, instalment=2, amount_pence=398_500, due_on=AUGUST)
    sign_in(team.officer)

    page = client.get(schedule_url(grant.id)).get_data(as_text=True)
    assert "Instalments already approved, held or paid" in page
    assert 'name="instalments-0-amount"' in page and 'value="3985.00"' in page  # only the scheduled one is editable
    assert "Instalment 2" in page

    response = schedule_post(
        client,
        grant.id,
        [{"amount": "2000", "due": AUGUST, "payment_id": scheduled.id}, {"amount": "1985", "due": date(2023, 11, 1)}],
    )

    assert response.status_code == 302
    payments = {p.instalment: p for p in payments_of(grant.id)}
    assert payments[1].id == paid.id and payments[1].state == "paid"
    assert payments[2].state == "cancelled"
    assert [(p.amount_pence, p.state) for n, p in sorted(payments.items()) if n > 2] == [
        (200_000, "scheduled"),
        (198_500, "scheduled"),
    ]
    [cancel] = audit_rows("payment", scheduled.id, "cancel")
    assert cancel.reason == "Replaced when the payment schedule was changed."
    [change] = audit_rows("award", grant.id, "schedule_set")
    assert (change.from_state, change.to_state) == ("£7,985.00 in 2 instalments", "£7,985.00 in 3 instalments")


def test_saving_an_unchanged_schedule_changes_nothing(client, sign_in):
    team = people()
    grant = award(team.programme)
    first = PaymentFactory(award=grant, instalment=1, amount_pence=400_000, due_on=MAY)
    second = PaymentFactory(award=grant, instalment=2, amount_pence=398_500, due_on=AUGUST)
    sign_in(team.officer)

    response = schedule_post(
        client,
        grant.id,
        [
            {"amount": "4000.00", "due": MAY, "payment_id": first.id},
            {"amount": "3985.00", "due": AUGUST, "payment_id": second.id},
        ],
    )

    assert response.status_code == 302
    assert [p.state for p in payments_of(grant.id)] == ["scheduled", "scheduled"]
    assert audit_count("award", grant.id, "schedule_set") == 0
    assert "has not changed" in text_of(client.get(schedule_url(grant.id)))


def test_an_instalment_can_wait_for_one_of_the_awards_monitoring_returns(client, sign_in):
    team = people()
    grant = award(team.programme)
    mine = ReturnFactory(award=grant, period_label="Q1 2023-24")
    other = ReturnFactory(period_label="Q1 2023-24")
    sign_in(team.officer)

    refused = schedule_post(
        client, grant.id, [{"amount": "4000", "due": MAY}, {"amount": "3985", "due": AUGUST, "return_id": other.id}]
    )
    assert refused.status_code == 400
    assert "Choose one of this award's monitoring returns for instalment 2, or none" in text_of(refused)
    assert payments_of(grant.id) == []

    saved = schedule_post(
        client, grant.id, [{"amount": "4000", "due": MAY}, {"amount": "3985", "due": AUGUST, "return_id": mine.id}]
    )

    assert saved.status_code == 302
    assert [p.monitoring_return_id for p in payments_of(grant.id)] == [None, mine.id]


def test_a_schedule_someone_else_changed_meanwhile_is_not_overwritten(client, sign_in):
    team = people()
    grant = award(team.programme)
    sign_in(team.officer)
    stale = hidden(client, schedule_url(grant.id), "fingerprint")
    PaymentFactory(award=grant, instalment=1, amount_pence=798_500, due_on=MAY)  # another officer's save

    response = schedule_post(
        client, grant.id, [{"amount": "4000", "due": MAY}, {"amount": "3985", "due": AUGUST}], fingerprint=stale
    )

    assert response.status_code == 409
    page = text_of(response)
    assert "Someone else changed this payment schedule while you were editing it" in page
    assert 'value="3985"' in response.get_data(as_text=True)
    assert live(grant.id) == [(798_500, MAY, "scheduled")]


def test_after_the_award_amount_changes_the_schedule_warns_that_instalments_no_longer_add_up(client, sign_in):
    team = people()
    grant = award(team.programme)
    PaymentFactory(award=grant, instalment=1, amount_pence=400_000, due_on=MAY)
    PaymentFactory(award=grant, instalment=2, amount_pence=398_500, due_on=AUGUST)
    grant.amount_pence = 900_000  # as an approved variation leaves it
    db.session.commit()
    sign_in(team.officer)

    page = text_of(client.get(schedule_url(grant.id)))

    assert "The instalments add up to £7,985.00 but the award is £9,000.00" in page


def test_finance_sees_the_schedule_but_only_an_officer_changes_it(client, sign_in):
    team = people()
    grant = award(team.programme)
    PaymentFactory(award=grant, instalment=1, amount_pence=798_500, due_on=MAY)
    sign_in(team.finance)

    page = client.get(schedule_url(grant.id))
    assert page.status_code == 200
    assert 'name="instalments-0-amount"' not in page.get_data(as_text=True)
    assert "£7,985.00" in text_of(page)

    response = schedule_post(
        client, grant.id, [{"amount": "7985", "due": AUGUST}], fingerprint="x", form_page="/sign-out"
    )

    assert response.status_code == 403
    assert live(grant.id) == [(798_500, MAY, "scheduled")]


def test_the_schedule_of_an_ended_award_cannot_be_changed(client, sign_in):
    team = people()
    grant = award(team.programme, state="closed")
    sign_in(team.officer)

    page = client.get(schedule_url(grant.id))
    assert "can no longer be changed" in text_of(page)
    assert 'name="instalments-0-amount"' not in page.get_data(as_text=True)

    response = schedule_post(
        client, grant.id, [{"amount": "7985", "due": AUGUST}], fingerprint="", form_page="/sign-out"
    )

    assert response.status_code == 403
    assert payments_of(grant.id) == []
