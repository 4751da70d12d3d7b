"""Grantees' "Your grants": each award's amount and variation, payments and when they were paid,
returns with their state, reminders, conditions, and the way into the next return."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from grants.extensions import db
from grants.models import Reminder
from grants.monitoring import grant_facts
from tests.factories import (
    AwardFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    ReturnFactory,
    VariationFactory,
    member_of,
    staff_user,
)
from tests.statements import counting_selects


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Calder Youth Trust")


def grant(organisation, **kwargs):
    award = AwardFactory(
        organisation=organisation,
        programme=ProgrammeFactory(),
        state="active",
        amount_pence=750_000,
        amount_at_decision_pence=800_000,
        offer_conditions="Send a safeguarding policy before the first payment.",
        **kwargs,
    )
    PaymentFactory(
        award=award, instalment=1, amount_pence=375_000, state="paid", paid_on=date(2024, 4, 12), finance_reference="F1"
    )
    PaymentFactory(award=award, instalment=2, amount_pence=375_000, state="scheduled", due_on=date(2024, 10, 1))
    VariationFactory(award=award, new_amount_pence=750_000, state="approved")
    return award


def test_a_grantee_sees_their_grants_money_returns_reminders_and_conditions(client, sign_in, organisation):
    award = grant(organisation, public_reference="MSCF-R3-0042")
    due = ReturnFactory(
        award=award, period_label="6 months", workflow_version=2, state="open", due_date=date(2024, 10, 14)
    )
    ReturnFactory(
        award=award,
        period_label="12 months",
        kind="final",
        workflow_version=2,
        state="scheduled",
        due_date=date(2025, 4, 14),
    )
    db.session.add(
        Reminder(monitoring_return_id=due.id, rule="before_14", on_date=date(2024, 9, 30), audience="organisation")
    )
    db.session.commit()

    page = sign_in(member_of(organisation)).get("/grants").get_data(as_text=True)

    assert "MSCF-R3-0042" in page
    assert "£7,500.00 (varied from £8,000.00)" in page
    assert "Paid on 12 April 2024" in page and "Not paid yet" in page
    assert "6 months" in page and "Open" in page and "Final report" in page and "Not open yet" in page
    assert "30 September 2024" in page and "Reminder before the due date" in page
    assert "Send a safeguarding policy before the first payment." in page
    assert "Your progress report for 6 months is due on 14 October 2024" in page


def test_the_start_button_links_to_the_grantees_return_page(app, organisation):
    award = grant(organisation)
    found = ReturnFactory(award=award, workflow_version=2, state="changes_requested")

    facts = grant_facts.for_award(award)
    assert facts.next_return is not None and facts.next_return.id == found.id
    with app.test_request_context():
        assert facts.next_return_link == f"/returns/{found.id}"


def test_another_organisations_grant_is_not_found(client, sign_in, organisation):
    mine = grant(organisation, public_reference="MSCF-R3-0001")
    theirs = grant(OrganisationFactory(name="Other Org"), public_reference="MSCF-R3-0002")
    client = sign_in(member_of(organisation))

    assert client.get(f"/grants/{mine.id}").status_code == 200
    assert client.get(f"/grants/{theirs.id}").status_code == 404
    assert "MSCF-R3-0002" not in client.get("/grants").get_data(as_text=True)


def test_an_offer_not_yet_accepted_is_not_a_grant_yet(client, sign_in, organisation):
    offered = grant(organisation, public_reference="MSCF-R3-0009")
    offered.state = "offered"
    db.session.commit()
    client = sign_in(member_of(organisation))

    assert client.get(f"/grants/{offered.id}").status_code == 404
    assert "You" in client.get("/grants").get_data(as_text=True)


def test_your_grants_is_in_the_grantees_navigation_and_not_the_staffs(client, sign_in, organisation):
    page = sign_in(member_of(organisation)).get("/grants").get_data(as_text=True)
    assert 'href="/grants"' in page

    officer = staff_user("officer", ProgrammeFactory())
    staff_page = sign_in(officer).get("/monitoring").get_data(as_text=True)
    assert 'href="/grants"' not in staff_page and 'href="/monitoring"' in staff_page


def test_your_grants_costs_the_same_statements_for_one_grant_or_five(client, sign_in, organisation):
    client = sign_in(member_of(organisation))

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/grants").status_code == 200
        return len(seen)

    award = grant(organisation)
    ReturnFactory(award=award, workflow_version=2, state="open")
    one = statements()
    for _ in range(4):
        more = grant(organisation)
        ReturnFactory(award=more, workflow_version=2, state="open", due_date=date.today() + timedelta(days=3))
    assert statements() == one
