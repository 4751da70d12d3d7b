"""One decision, many allocations: a 9% uplift for the VCSE providers' allocations of a year, previewed
with each allocation rounded on its own, refused past the year's budget, approved once with one
variation per allocation pointing to it, and each provider told once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from grants.commissioning import uplifts
from grants.errors import FieldErrors
from grants.extensions import db
from grants.formatting import money
from grants.models import AuditEvent, Award, Budget, Contract, OutboxMessage, Payment, Variation
from tests.commissioning.helpers import need_recorded, provider
from tests.factories import AwardFactory, BudgetFactory, PaymentFactory, ProgrammeFactory, member_of, staff_user
from tests.fixtures import post_form

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def moj():
    programme = ProgrammeFactory(code="MOJ", kind="sub_grant", budget_stream="victims_of_crime")
    BudgetFactory(budget_stream="victims_of_crime", financial_year=2023, amount_pence=100_000_000)
    charity = provider(name="Airedale Women's Aid", org_type="registered_charity")
    council = provider(name="Kirklees Council", org_type="public_body")
    member_of(charity, email="chief@airedale.example.org")
    for number, (organisation, amount) in enumerate(((charity, 1_000_005), (charity, 2_000_005), (council, 5_000_000))):
        strand = need_recorded(programme=programme, provider=organisation, state="delivering",
                               public_reference=f"MOJ-S-{number + 1:03d}")  # fmt: skip
        AwardFactory(
            programme=programme, organisation=organisation, contract=strand, state="active",
            public_reference=f"MOJ-S-{number + 1:03d}-23", amount_pence=amount, budget_stream="victims_of_crime",
            starts_on=date(2023, 4, 1), ends_on=date(2024, 3, 31),
        )  # fmt: skip
    return programme


def test_the_preview_rounds_each_allocation_to_the_penny_and_leaves_public_bodies_alone(moj):
    shown = uplifts.preview(staff_user("officer", moj), "MOJ", "2023", "vcse", "9", "Mayor's decision 2023/045")

    assert [(line.reference, line.before, line.after) for line in shown.lines] == [
        ("MOJ-S-001-23", 1_000_005, 1_090_005),  # 1,090,005.45 pence: down
        ("MOJ-S-002-23", 2_000_005, 2_180_005),  # 2,180,005.45 pence: down
    ]
    assert shown.after - shown.before == 270_000  # rounding the total rise (270,000.90) would give a penny more


def test_an_uplift_past_the_years_budget_is_refused_by_how_much(moj):
    db.session.scalar(select(Budget)).amount_pence = 10_000_000

    with pytest.raises(FieldErrors) as refused:
        uplifts.preview(staff_user("officer", moj), "MOJ", "2023", "all", "100", "Double everything")

    assert refused.value.errors["percent"] == (
        "This would take the 2023/24 budget of £100,000.00 over by £60,000.20 (£80,000.10 committed, £80,000.10 more)"
    )


def test_one_approval_varies_each_allocation_once_and_tells_each_provider_once(moj):
    officer, decider = staff_user("officer", moj), staff_user("decision_maker", moj)
    made = uplifts.prepare(officer, uplifts.preview(officer, "MOJ", "2023", "vcse", "9", "Mayor's decision 2023/045"))

    varied, skipped = uplifts.approve(decider, made.id)

    assert (varied, skipped) == (2, [])
    amounts = dict(db.session.execute(select(Award.public_reference, Award.amount_pence)).all())
    assert amounts == {"MOJ-S-001-23": 1_090_005, "MOJ-S-002-23": 2_180_005, "MOJ-S-003-23": 5_000_000}
    variations = db.session.scalars(select(Variation)).all()
    assert {v.uplift_id for v in variations} == {made.id} and {v.state for v in variations} == {"approved"}
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "amount_varied")).all()
    assert len(changes) == 2
    told = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "chief@airedale.example.org")
    ).all()
    assert len(told) == 1 and "MOJ-S-001-23: now £10,900.05" in told[0].body and "MOJ-S-002-23" in told[0].body
    to_officer = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == officer.email)).all()
    assert [m.subject for m in to_officer] == [f"Uplift {made.reference} approved: 2 allocations increased by 9%"]
    assert f"/commissioning/uplifts/{made.id}" in to_officer[0].body


def test_each_varied_allocations_contract_is_worth_the_rise_more_and_says_so(moj):
    officer, decider = staff_user("officer", moj), staff_user("decision_maker", moj)
    values = dict(db.session.execute(select(Contract.public_reference, Contract.amount_pence)).all())
    made = uplifts.prepare(officer, uplifts.preview(officer, "MOJ", "2023", "vcse", "9", "Mayor's decision 2023/045"))

    uplifts.approve(decider, made.id)

    now = dict(db.session.execute(select(Contract.public_reference, Contract.amount_pence)).all())
    assert now == {"MOJ-S-001": values["MOJ-S-001"] + 90_000, "MOJ-S-002": values["MOJ-S-002"] + 180_000,
                   "MOJ-S-003": values["MOJ-S-003"]}  # fmt: skip
    raised = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "value_raised", AuditEvent.subject_reference == "MOJ-S-001")
    )
    assert raised.from_state == money(values["MOJ-S-001"]) and raised.to_state == money(values["MOJ-S-001"] + 90_000)
    assert made.reference in raised.reason and "MOJ-S-001-23" in raised.reason


def test_an_allocation_changed_since_the_preview_is_skipped_and_listed(moj):
    officer, decider = staff_user("officer", moj), staff_user("decision_maker", moj)
    made = uplifts.prepare(officer, uplifts.preview(officer, "MOJ", "2023", "vcse", "9", "Mayor's decision"))
    changed = db.session.scalar(select(Award).where(Award.public_reference == "MOJ-S-002-23"))
    changed.amount_pence = 2_500_000
    db.session.commit()

    varied, skipped = uplifts.approve(decider, made.id)

    assert varied == 1
    assert skipped == [{"reference": "MOJ-S-002-23", "why": "it changed since the preview (now £25,000.00)"}]


def test_an_officer_cannot_approve_and_another_programmes_decision_maker_cannot_see_it(client, sign_in, moj):
    officer = staff_user("officer", moj)
    made = uplifts.prepare(officer, uplifts.preview(officer, "MOJ", "2023", "vcse", "9", "Mayor's decision"))

    sign_in(officer)
    page = client.get(f"/commissioning/uplifts/{made.id}").get_data(as_text=True)
    assert "Approve the uplift" not in page
    post_form(
        client, f"/commissioning/uplifts/{made.id}", {"action": "approve"}, form_page="/commissioning/uplifts/new"
    )
    assert db.session.scalar(select(Variation.id)) is None
    client.post("/sign-out", data={})
    sign_in(staff_user("decision_maker", ProgrammeFactory(code="VRU", kind="commissioning")))
    assert client.get(f"/commissioning/uplifts/{made.id}").status_code == 404


@pytest.mark.parametrize("percent", ["0", "-9", "nine", "101", "9.123", "NaN", "1e400"])
def test_odd_percentages_are_refused(moj, percent):
    with pytest.raises(FieldErrors) as refused:
        uplifts.preview(staff_user("officer", moj), "MOJ", "2023", "vcse", percent, "Why")

    assert "Enter the uplift as a percentage above 0 and up to 100" in refused.value.errors["percent"]


def test_the_preview_and_preparation_through_the_page(client, sign_in, moj):
    sign_in(staff_user("officer", moj))
    data = {"programme": "MOJ", "year": "2023", "scope": "vcse", "percent": "9", "reason": "Mayor's decision"}

    preview = post_form(client, "/commissioning/uplifts/new", {**data, "action": "preview"})
    prepared = post_form(client, "/commissioning/uplifts/new", {**data, "action": "prepare"})

    html = preview.get_data(as_text=True)
    assert "Each allocation is rounded to the nearest penny on its own (halves up)" in html
    assert "£10,900.05" in html and "Kirklees Council" not in html
    assert prepared.status_code == 302
    assert Decimal("9") == db.session.scalar(select(uplifts.Uplift.percent))


def test_the_rise_is_spread_over_the_instalments_still_to_pay(moj):
    officer, decider = staff_user("officer", moj), staff_user("decision_maker", moj)
    award = db.session.scalar(select(Award).where(Award.public_reference == "MOJ-S-001-23"))
    for number, (amount, state) in enumerate(((250_002, "paid"), (250_001, "scheduled"), (500_002, "scheduled")), 1):
        PaymentFactory(award=award, instalment=number, amount_pence=amount, state=state,
                       due_on=date(2023, 3 + 3 * number, 30))  # fmt: skip
    made = uplifts.prepare(officer, uplifts.preview(officer, "MOJ", "2023", "vcse", "9", "Mayor's decision 2023/045"))

    uplifts.approve(decider, made.id)

    live = db.session.scalars(
        select(Payment).where(Payment.award_id == award.id, Payment.state != "cancelled").order_by(Payment.due_on)
    ).all()
    assert [(p.amount_pence, p.state) for p in live] == [
        (250_002, "paid"),
        (295_001, "scheduled"),
        (545_002, "scheduled"),
    ]
    assert sum(p.amount_pence for p in live) == award.amount_pence == 1_090_005
    cancelled = db.session.scalars(select(Payment).where(Payment.award_id == award.id, Payment.state == "cancelled"))
    assert len(cancelled.all()) == 2
    spread = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule_set"))
    assert spread.subject_reference == "MOJ-S-001-23" and spread.actor_id == decider.id


def test_an_allocation_left_out_by_hand_is_shown_but_not_varied(client, sign_in, moj):
    officer, decider = staff_user("officer", moj), staff_user("decision_maker", moj)
    sign_in(officer)
    data = {"programme": "MOJ", "year": "2023", "scope": "vcse", "percent": "9", "reason": "Mayor's decision",
            "left_out": "MOJ-S-002-23"}  # fmt: skip

    html = post_form(client, "/commissioning/uplifts/new", {**data, "action": "preview"}).get_data(as_text=True)
    prepared = post_form(client, "/commissioning/uplifts/new", {**data, "action": "prepare"})

    assert "Left out" in html and "Total (1 allocations)" in html and 'value="MOJ-S-002-23" checked' in html
    assert prepared.status_code == 302
    made = db.session.scalar(select(uplifts.Uplift))
    assert [item["reference"] for item in made.items] == ["MOJ-S-001-23"]
    uplifts.approve(decider, made.id)
    amounts = dict(db.session.execute(select(Award.public_reference, Award.amount_pence)).all())
    assert amounts["MOJ-S-001-23"] == 1_090_005 and amounts["MOJ-S-002-23"] == 2_000_005


def test_leaving_every_allocation_out_is_refused_and_keeps_the_ticks(client, sign_in, moj):
    sign_in(staff_user("officer", moj))
    data = {"programme": "MOJ", "year": "2023", "scope": "vcse", "percent": "9", "reason": "Mayor's decision",
            "left_out": ["MOJ-S-001-23", "MOJ-S-002-23"], "action": "prepare"}  # fmt: skip

    response = post_form(client, "/commissioning/uplifts/new", data)

    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Leave at least one allocation in the uplift" in html
    assert 'value="MOJ-S-001-23" checked' in html and 'value="MOJ-S-002-23" checked' in html
    assert db.session.scalar(select(uplifts.Uplift.id)) is None
