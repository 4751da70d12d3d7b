"""The demo's commissioning money: MoJ victims' services strands 2022-25 and VRU 2023/24 interventions."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from grants.demo import load_demo
from grants.demo.commissioning_plan import plan
from grants.demo.commissioning_text import UPLIFT_REASON
from grants.extensions import db
from grants.formatting import money
from grants.models import (
    AuditEvent,
    Award,
    Budget,
    Contract,
    MonitoringReturn,
    Organisation,
    OutboxMessage,
    Payment,
    Programme,
    Variation,
)

LONDON = ZoneInfo("Europe/London")
COUNCILS = {"GB-LAE-BRD", "GB-LAE-CLD", "GB-LAE-KIR", "GB-LAE-LDS", "GB-LAE-WKF"}
QUARTER_ENDS = {(6, 30), (9, 30), (12, 31), (3, 31)}
ENDED = ("declined", "cancelled")


@pytest.fixture
def loaded(demo_loaded):
    return None


def _programme_awards(code: str, prefix: str = "") -> list[Award]:
    return list(
        db.session.scalars(
            select(Award)
            .join(Programme)
            .where(Programme.code == code, Award.public_reference.startswith(prefix))
            .order_by(Award.public_reference)
        )
    )


def _strands() -> list[Contract]:
    return list(
        db.session.scalars(
            select(Contract).join(Programme).where(Programme.code == "MOJ").order_by(Contract.public_reference)
        )
    )


def _budget(stream: str, year: int) -> int:
    return db.session.scalar(
        select(Budget.amount_pence).where(Budget.budget_stream == stream, Budget.financial_year == year)
    )


def _live_payments(award: Award) -> list[Payment]:
    return [p for p in award.payments if p.state != "cancelled"]


def _uplift(pence: int) -> int:
    return int((Decimal(pence) * Decimal("1.09")).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_moj_money_goes_to_34_providers_27_vcse_5_councils_and_2_hospital_trusts(loaded):
    providers = {strand.provider for strand in _strands()}
    public = [p for p in providers if p.org_type == "public_body"]
    vcse = [p for p in providers if p.org_type != "public_body"]

    assert len(providers) == 34
    assert len(vcse) == 27
    assert {p.other_identifier for p in public if (p.other_identifier or "").startswith("GB-LAE-")} == COUNCILS
    trusts = [p for p in public if (p.other_identifier or "").startswith("GB-NHS-")]
    assert sorted(p.other_identifier for p in trusts) == ["GB-NHS-RAE", "GB-NHS-RXF"]
    assert "West Riding Hospitals NHS Trust" in {p.name for p in trusts}
    assert all(p.charity_number or p.company_number for p in vcse)
    assert all(p.charity_number is None and p.company_number is None for p in public)
    assert len({p.charity_number for p in vcse if p.charity_number}) == sum(1 for p in vcse if p.charity_number)
    assert {p.district for p in providers} == {"bradford", "calderdale", "kirklees", "leeds", "wakefield"}
    pennine = db.session.scalars(select(Organisation).where(Organisation.name == "Pennine Victim Support Services"))
    assert len(pennine.all()) == 1


def _agree(contract) -> bool:
    """Ended when every allocation is finished; under review while one is still being paid."""
    running = [
        a
        for a in db.session.scalars(select(Award).where(Award.contract_id == contract.id))
        if a.state not in ("closed", "declined", "cancelled", "withdrawn")
    ]
    return contract.state == ("in_review" if running else "ended")


def test_72_strands_ran_from_april_2022_to_march_2025_competed_or_directly_awarded_with_reasons(loaded):
    strands = _strands()

    assert [s.public_reference for s in strands] == [f"MOJ-S-{n:03d}" for n in range(1, 73)]
    assert all(_agree(s) for s in strands)
    assert Counter(s.state for s in strands) == {"ended": 67, "in_review": 5}
    assert {(s.starts_on, s.end_date) for s in strands} == {(date(2022, 4, 1), date(2025, 3, 31))}
    assert {s.budget_stream for s in strands} == {"victims_of_crime"}
    routes = db.session.execute(
        select(AuditEvent.action, AuditEvent.reason).where(
            AuditEvent.subject_type == "contract",
            AuditEvent.subject_id.in_([s.id for s in strands]),
            AuditEvent.action.in_(("choose_competition", "choose_direct_award")),
        )
    ).all()
    assert len(routes) == 72
    assert all(reason for action, reason in routes if action == "choose_direct_award")
    assert {action for action, _reason in routes} == {"choose_competition", "choose_direct_award"}
    titles = {s.title for s in strands}
    assert {"IDVA service, Bradford", "ISVA service, Leeds", "Restorative Justice service"} <= titles


def test_each_years_allocations_add_up_exactly_to_its_budget_and_14_million_in_all(loaded):
    awards = _programme_awards("MOJ")
    by_year: dict[int, int] = Counter()
    for award in awards:
        by_year[award.starts_on.year] += award.amount_pence

    assert len(awards) == 216
    for year in (2022, 2023, 2024):
        assert by_year[year] == _budget("victims_of_crime", year), year
    assert money(sum(by_year.values())) == "£14,000,000.00"
    strands = {s.id: s.public_reference for s in _strands()}
    assert Counter(strands[a.contract_id] for a in awards) == dict.fromkeys(strands.values(), 3)
    for award in awards:
        year = award.starts_on.year
        assert award.public_reference == f"{strands[award.contract_id]}-{year % 100:02d}"
        assert (award.budget_stream, award.cost_centre) == ("victims_of_crime", "VOC-4310")
        assert award.decided_at.astimezone(LONDON).replace(tzinfo=None) == datetime(year, 4, 1, 9, 0)
        assert (award.starts_on, award.ends_on) == (date(year, 4, 1), date(year + 1, 3, 31))
        assert award.organisation_id == db.session.get(Contract, award.contract_id).provider_id


def test_vcse_allocations_of_2023_24_carry_the_mayors_9_percent_uplift_through_one_approved_variation(loaded):
    awards = [a for a in _programme_awards("MOJ") if a.starts_on.year == 2023]
    vcse = [a for a in awards if a.organisation.org_type != "public_body"]
    public = [a for a in awards if a.organisation.org_type == "public_body"]

    assert len(vcse) == 58 and len(public) == 14
    for award in vcse:
        assert award.amount_pence == _uplift(award.amount_at_decision_pence), award.public_reference
        assert [(v.state, v.new_amount_pence, v.reason) for v in award.variations] == [
            ("approved", award.amount_pence, UPLIFT_REASON)
        ]
        varied = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_type == "award",
                AuditEvent.subject_id == award.id,
                AuditEvent.action == "amount_varied",
            )
        ).all()
        assert [(e.from_state, e.to_state, e.reason) for e in varied] == [
            (money(award.amount_at_decision_pence), money(award.amount_pence), UPLIFT_REASON)
        ]
        assert varied[0].occurred_at.astimezone(LONDON).date() == date(2023, 6, 1)
    assert all(a.amount_pence == a.amount_at_decision_pence and not a.variations for a in public)
    before = sum(a.amount_at_decision_pence for a in awards)
    assert before < _budget("victims_of_crime", 2023) == sum(a.amount_pence for a in awards)
    approvals = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.subject_type == "variation", AuditEvent.action == "approve")
        .where(AuditEvent.subject_id.in_([v.id for a in vcse for v in a.variations]))
    )
    assert approvals == 58
    assert db.session.scalar(select(func.count()).select_from(Variation)) >= 58


def _vru_contracts(year: int) -> list[Contract]:
    return list(
        db.session.scalars(
            select(Contract)
            .join(Programme)
            .where(Programme.code == "VRU", Contract.public_reference.startswith(f"VRU-{year}-"))
            .order_by(Contract.id)
        )
    )


def test_vru_interventions_share_exactly_the_2_3m_earmarked_with_30_percent_rated_high_impact(loaded):
    awards = _programme_awards("VRU", "VRU-2023-")
    contracts = _vru_contracts(2023)

    assert [a.public_reference for a in awards] == [f"VRU-2023-{n:03d}" for n in range(1, 11)]
    assert money(sum(a.amount_pence for a in awards)) == "£2,300,000.00"
    assert sum(a.amount_pence for a in awards) == _budget("violence_reduction_unit", 2023)
    assert awards[0].amount_pence == 32_000_000
    assert {(a.budget_stream, a.cost_centre) for a in awards} == {("violence_reduction_unit", "VRU-4520")}
    assert all(a.contract_id is not None for a in awards)
    assert {a.decided_at.astimezone(LONDON).date() for a in awards} == {date(2023, 4, 1)}
    assert len(contracts) == 10 and all(_agree(c) for c in contracts)
    assert Counter(c.state for c in contracts) == {"ended": 8, "in_review": 2}
    assert Counter(c.yef_impact for c in contracts)["high"] * 10 == len(contracts) * 3
    assert {a.amount_pence for a in awards} == {c.amount_pence for c in contracts}
    assert len({c.provider_id for c in contracts}) == 10


def test_vru_2022_23_had_twenty_interventions_15_percent_rated_high_impact_all_paid_and_ended(loaded):
    awards = _programme_awards("VRU", "VRU-2022-")
    contracts = _vru_contracts(2022)

    assert [a.public_reference for a in awards] == [f"VRU-2022-{n:03d}" for n in range(1, 21)]
    assert sum(a.amount_pence for a in awards) == _budget("violence_reduction_unit", 2022) == 180_000_000
    assert {a.decided_at.astimezone(LONDON).date() for a in awards} == {date(2022, 4, 1)}
    assert {a.state for a in awards} == {"closed"} and {c.state for c in contracts} == {"ended"}
    assert all(_agree(c) for c in contracts)
    assert Counter(c.yef_impact for c in contracts)["high"] * 100 == len(contracts) * 15
    assert all(p.state == "paid" for a in awards for p in _live_payments(a))


def test_two_vru_providers_still_owe_the_return_their_last_instalment_waits_for(loaded):
    awards = _programme_awards("VRU", "VRU-2023-")
    waiting = [a for a in awards if a.state == "active"]

    assert Counter(a.state for a in awards) == {"closed": 8, "active": 2}
    for award in waiting:
        last = _live_payments(award)[-1]
        assert last.state == "scheduled"
        assert last.monitoring_return.state == "overdue"
        assert [p.state for p in _live_payments(award)[:-1]] == ["paid"] * 3
    returns = db.session.scalars(
        select(MonitoringReturn).where(
            MonitoringReturn.award_id.in_([a.id for a in awards]), MonitoringReturn.period_label.startswith("Q3")
        )
    ).all()
    assert Counter(r.state for r in returns) == {"accepted": 8, "overdue": 2}


def test_every_allocation_is_paid_quarterly_in_instalments_adding_up_to_it(loaded):
    awards = _programme_awards("MOJ") + _programme_awards("VRU")

    assert all(a.state not in ENDED for a in awards)
    for award in awards:
        live = _live_payments(award)
        assert sum(p.amount_pence for p in live) == award.amount_pence, award.public_reference
        assert len(live) == 4
        assert {(p.due_on.month, p.due_on.day) for p in live} == QUARTER_ENDS
        assert all(award.starts_on <= p.due_on <= award.ends_on for p in live)


def test_paid_instalments_have_a_date_and_finance_reference_and_only_a_handful_are_unpaid(loaded):
    awards = _programme_awards("MOJ") + _programme_awards("VRU")
    live = [p for a in awards for p in _live_payments(a)]
    paid = [p for p in live if p.state == "paid"]
    unpaid = [p for p in live if p.state != "paid"]

    assert all(p.paid_on and p.finance_reference and p.paid_at for p in paid)
    assert all(timedelta(0) <= p.due_on - p.paid_on <= timedelta(days=2) for p in paid)  # a working day
    assert all(p.paid_on >= p.award.decided_at.date() for p in paid)
    assert len({p.finance_reference for p in paid}) == len(paid)
    assert Counter((p.award.programme.code, p.state) for p in unpaid) == {
        ("MOJ", "held"): 3,
        ("MOJ", "scheduled"): 2,
        ("VRU", "scheduled"): 2,
    }
    assert all(p.due_on == date(2025, 3, 31) for p in unpaid if p.award.programme.code == "MOJ")
    held_reasons = db.session.scalars(
        select(AuditEvent.reason).where(
            AuditEvent.subject_type == "payment",
            AuditEvent.action == "hold",
            AuditEvent.subject_id.in_([p.id for p in unpaid]),
        )
    ).all()
    assert len(held_reasons) == 3 and all(held_reasons)


def test_allocations_fully_paid_are_closed_with_their_final_spend(loaded):
    awards = _programme_awards("MOJ") + _programme_awards("VRU")
    closed = [a for a in awards if a.state == "closed"]

    assert Counter(a.state for a in _programme_awards("MOJ") if a.starts_on.year < 2024) == {"closed": 144}
    assert Counter(a.state for a in _programme_awards("MOJ") if a.starts_on.year == 2024) == {
        "closed": 67,
        "active": 5,
    }
    for award in closed:
        assert award.final_spend_pence == award.paid_pence() == award.amount_pence, award.public_reference
    assert all(a.final_spend_pence is None and a.paid_pence() < a.amount_pence for a in awards if a.state == "active")


def test_loading_again_adds_nothing(loaded):
    models = (Organisation, Contract, Award, Payment, Variation, MonitoringReturn, AuditEvent, OutboxMessage)

    def counts():
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}

    before = counts()
    load_demo()

    assert counts() == before


def test_the_plan_is_the_same_every_time_and_adds_up():
    first, second = plan(), plan()

    assert first == second
    assert len(first.strands) == 72 and len(first.providers) == 34
    for year, budget in ((2022, 466_666_667), (2023, 466_666_667), (2024, 466_666_666)):
        assert sum(s.allocations[year].current_pence for s in first.strands) == budget
    assert sum(i.amount_pence for i in first.interventions) + 32_000_000 == 230_000_000
