"""A contract's allocations: one per financial year, inside its dates, its value, the year's budget and
its funding agreement; each refusal names the figures."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import AuditEvent, Award, IncomingGrant, IncomingGrantYear, Variation
from tests.commissioning.helpers import need_recorded, provider
from tests.factories import PASSWORD, AwardFactory, BudgetFactory, ProgrammeFactory, ensure_terms, staff_user
from tests.fixtures import post_form, sign_in_as

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def contract():
    ensure_terms({("budget_stream", "victims_of_crime"): "Victims of Crime"})
    programme = ProgrammeFactory(code="MOJ", kind="sub_grant")
    BudgetFactory(budget_stream="victims_of_crime", financial_year=2026, amount_pence=50_000_000, cost_centre="VOC-1")
    BudgetFactory(budget_stream="victims_of_crime", financial_year=2027, amount_pence=50_000_000, cost_centre="VOC-1")
    return need_recorded(
        programme=programme,
        public_reference="MOJ-S-901",
        state="delivering",
        provider=provider(name="Airedale Women's Aid"),
        budget_stream="victims_of_crime",
        amount_pence=30_000_000,
        starts_on=date(2026, 4, 1),
        end_date=date(2028, 3, 31),
    )


def add(client, contract, year: str, amount: str):
    url = f"/commissioning/contracts/{contract.public_reference}/allocations/new"
    return post_form(client, url, {"year": year, "amount": amount})


def test_an_allocation_is_made_for_the_year_and_recorded_on_the_contract(client, sign_in, contract):
    sign_in(staff_user("officer", contract.programme))

    response = add(client, contract, "2026", "£120,000")

    assert response.status_code == 302
    award = db.session.scalar(select(Award).where(Award.contract_id == contract.id))
    assert (award.public_reference, award.amount_pence, award.state) == ("MOJ-S-901-26", 12_000_000, "preparing")
    assert (award.starts_on, award.ends_on, award.cost_centre) == (date(2026, 4, 1), date(2027, 3, 31), "VOC-1")
    added = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "allocation_added"))
    assert added.subject_reference == "MOJ-S-901" and added.data["amount_pence"] == 12_000_000
    page = client.get(f"/commissioning/contracts/{contract.public_reference}").get_data(as_text=True)
    assert "MOJ-S-901-26" in page and "£120,000.00" in page


def test_a_second_allocation_for_a_year_is_refused_naming_the_first(client, sign_in, contract):
    AwardFactory(contract=contract, public_reference="MOJ-S-901-26", starts_on=date(2026, 4, 1), amount_pence=1_000)
    sign_in(staff_user("officer", contract.programme))

    html = add(client, contract, "2026", "1000").get_data(as_text=True)

    assert "MOJ-S-901 already has an allocation for 2026/27 (MOJ-S-901-26)" in html
    assert 'value="1000"' in html


def test_allocations_above_the_contract_value_are_refused_with_both_figures(client, sign_in, contract):
    AwardFactory(
        contract=contract, public_reference="MOJ-S-901-26", starts_on=date(2026, 4, 1), amount_pence=20_000_000
    )
    sign_in(staff_user("officer", contract.programme))

    html = add(client, contract, "2027", "150,000").get_data(as_text=True)

    assert "This would bring the allocations to £350,000.00, above the contract&#39;s value of £300,000.00" in html


def test_a_year_over_its_budget_is_refused_by_how_much(client, sign_in, contract):
    AwardFactory(budget_stream="victims_of_crime", starts_on=date(2027, 5, 1), amount_pence=45_000_000)
    sign_in(staff_user("officer", contract.programme))

    html = add(client, contract, "2027", "60000").get_data(as_text=True)

    assert "This would take the 2027/28 budget of £500,000.00 over by £10,000.00" in html


def test_the_funding_agreement_year_is_a_limit_too(client, sign_in, contract):
    grant = IncomingGrant(
        reference="MOJ-VS-2026", title="Victims' grant", funder="Ministry of Justice", amount_pence=10_000_000,
        starts_on=date(2026, 4, 1), ends_on=date(2028, 3, 31),
        years=[IncomingGrantYear(financial_year=2026, amount_pence=5_000_000)],
    )  # fmt: skip
    db.session.add(grant)
    db.session.flush()
    contract.incoming_grant_id = grant.id
    sign_in(staff_user("officer", contract.programme))

    html = add(client, contract, "2026", "60000").get_data(as_text=True)

    assert "This would charge £60,000.00 to the funding agreement in 2026/27, above its £50,000.00" in html


@pytest.mark.parametrize(
    ("year", "amount", "message"),
    [
        ("2030", "1000", "2030/31 is outside the contract&#39;s dates"),
        ("2026", "   ", "Enter the amount in pounds"),
        ("2026", "-5", "Enter the amount in pounds"),
        ("2026", "0", "The amount must be more than £0"),
        ("2026", "99999999999999", "The amount must be £1,000,000,000.00 or less"),
        ("twenty", "10", "Choose the financial year"),
    ],
)
def test_bad_years_and_amounts_are_refused_specifically(client, sign_in, contract, year, amount, message):
    sign_in(staff_user("officer", contract.programme))

    response = add(client, contract, year, amount)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_contract_not_yet_awarded_takes_no_allocation(client, sign_in, contract):
    contract.state = "procurement"
    sign_in(staff_user("officer", contract.programme))

    assert "MOJ-S-901 is not awarded yet" in add(client, contract, "2026", "1000").get_data(as_text=True)


def test_an_officer_of_another_programme_cannot_add_one(client, sign_in, contract):
    sign_in(staff_user("officer", ProgrammeFactory(code="VRU", kind="commissioning")))

    response = client.get(f"/commissioning/contracts/{contract.public_reference}/allocations/new")

    assert response.status_code == 404


def test_two_officers_changing_one_allocation_the_second_is_told_and_nothing_is_overwritten(
    client, app, sign_in, contract
):
    allocation = AwardFactory(contract=contract, public_reference="MOJ-S-901-26", starts_on=date(2026, 4, 1),
                              amount_pence=10_000_000, state="preparing", budget_stream="victims_of_crime")  # fmt: skip
    url = "/commissioning/contracts/allocations/MOJ-S-901-26/amount"
    first, second = staff_user("officer", contract.programme), staff_user("officer", contract.programme)
    sign_in(first)
    seen = allocation.version_id
    other = app.test_client()
    sign_in_as(other, second.email, PASSWORD)

    saved = post_form(client, url, {"amount": "120,000", "version_id": seen})
    stale = post_form(other, url, {"amount": "90,000", "version_id": seen})

    assert saved.status_code == 302
    assert stale.status_code == 409
    assert "Someone else changed this allocation while you were editing" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Award, allocation.id).amount_pence == 12_000_000


def test_an_allocation_cannot_be_raised_past_the_contract_value(client, sign_in, contract):
    AwardFactory(contract=contract, public_reference="MOJ-S-901-26", starts_on=date(2026, 4, 1),
                 amount_pence=10_000_000, state="preparing", budget_stream="victims_of_crime")  # fmt: skip
    AwardFactory(contract=contract, public_reference="MOJ-S-901-27", starts_on=date(2027, 4, 1),
                 amount_pence=15_000_000, state="active", budget_stream="victims_of_crime")  # fmt: skip
    sign_in(staff_user("officer", contract.programme))

    html = post_form(client, "/commissioning/contracts/allocations/MOJ-S-901-26/amount", {"amount": "200000"}).get_data(
        as_text=True
    )

    assert "This would bring the allocations to £350,000.00, above the contract&#39;s value of £300,000.00" in html


def _ask_variation(client, award, amount: str = "", ends: tuple[str, str, str] = ("", "", "")):
    data = {"amount": amount, "ends_on-day": ends[0], "ends_on-month": ends[1], "ends_on-year": ends[2]}
    url = f"/payments/awards/{award.id}/variations/new"
    return post_form(client, url, {**data, "reason": "More referrals than planned"}, form_page="/sign-out")


def _this_years(contract):
    return AwardFactory(contract=contract, programme=contract.programme, public_reference="MOJ-S-901-26",
                        starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31), amount_pence=10_000_000,
                        state="active", budget_stream="victims_of_crime")  # fmt: skip


@pytest.mark.parametrize(
    ("amount", "ends", "message"),
    [
        ("200,000", ("", "", ""),
         "This would bring MOJ-S-901&#39;s allocations to £350,000.00, above the contract&#39;s value of £300,000.00"),
        ("", ("30", "4", "2028"),
         "The new end date is after MOJ-S-901 ends (31 March 2028): extend the contract first"),
        ("", ("30", "4", "2027"),
         "An allocation is for one financial year: the new end date must be on or before 31 March 2027"),
    ],
)  # fmt: skip
def test_a_variation_cannot_take_an_allocation_outside_its_contract(client, sign_in, contract, amount, ends, message):
    first = _this_years(contract)
    AwardFactory(contract=contract, programme=contract.programme, public_reference="MOJ-S-901-27",
                 starts_on=date(2027, 4, 1), amount_pence=15_000_000, state="active",
                 budget_stream="victims_of_crime")  # fmt: skip
    sign_in(staff_user("officer", contract.programme))

    html = _ask_variation(client, first, amount, ends).get_data(as_text=True)

    assert message in html
    assert db.session.scalar(select(func.count(Variation.id))) == 0


def test_a_variation_inside_the_contract_is_asked_for(client, sign_in, contract):
    first = _this_years(contract)
    sign_in(staff_user("officer", contract.programme))

    assert _ask_variation(client, first, "150,000", ("28", "2", "2027")).status_code == 302
    assert db.session.scalar(select(Variation.new_amount_pence)) == 15_000_000
