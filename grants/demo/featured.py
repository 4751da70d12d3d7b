"""The demo's featured cases, the ones its accounts meet first: Round 3's MSCF-R3-0001 with its award,
payments and returns; Round 4's draft and submitted bids; a VRU contract and an MoJ strand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from grants.auth.passwords import hash_password
from grants.demo import awards as demo_awards
from grants.demo import returns as demo_returns
from grants.demo.accounts import DEMO_PASSWORD, member
from grants.demo.assessment import assess_round3
from grants.demo.assessment_text import ASSIGNED_AT
from grants.demo.awards import Steps, walk
from grants.demo.clock import local, on
from grants.demo.contracts import People, commission, describe
from grants.demo.round3 import load_round3_applications
from grants.extensions import db
from grants.models import (
    Application,
    Award,
    Contract,
    Organisation,
    Payment,
    Programme,
    Round,
    ScreeningCheck,
)
from grants.models.assessments import SCREENING_ITEMS
from grants.workflow import start_case

ROUND3_ASSESSING_AT = ASSIGNED_AT - timedelta(minutes=15)


def passed_screening(application: Application, officer: Any, at: datetime) -> ScreeningCheck:
    """A screening checklist with every item passed and a low fraud risk."""
    return ScreeningCheck(
        application_id=application.id,
        answers=dict.fromkeys(SCREENING_ITEMS, "pass"),
        fraud_risk="low",
        notes="Checked against the Charity Commission and Companies House registers.",
        updated_by_id=officer.id,
        updated_at=at,
    )


def featured_cases(
    rounds: dict[int, Round],
    later_round_steps: dict[int, Steps],
    orgs: dict[str, Organisation],
    programmes: dict[str, Programme],
    users: dict[str, Any],
    panel: list[Any],
) -> None:
    officer, decision, finance, applicant = (users[r] for r in ("officer", "decision_maker", "finance", "applicant"))
    people = People(officer, decision, users["second_decision_maker"])
    if db.session.scalar(select(Award).where(Award.public_reference == "MSCF-R3-0001")) is not None:
        return
    kitchen = orgs["Bramley Community Kitchen"]
    boxing = orgs["Calder Valley Boxing Club CIC"]
    r3, r4 = rounds[3], rounds[4]

    # Round 3: an approved bid with its award, payments and a monitoring return.
    assert r3.closes_at is not None  # the demo's rounds have their dates
    approved = Application(
        round_id=r3.id,
        organisation_id=boxing.id,
        public_reference="MSCF-R3-0001",
        project_title="Gloves Not Knives: boxing and mentoring for 11-16s",
        amount_requested_pence=798_500,
    )
    start_case(approved, r3.application_workflow, member(boxing, applicant), now=r3.closes_at - timedelta(days=20))
    walk(approved, [("submit", member(boxing, applicant), None, r3.closes_at - timedelta(days=2))])
    # The other 197 bids of Round 3 (198 in all), submitted before it closes.
    load_round3_applications(r3, approved, member(boxing, applicant), hash_password(DEMO_PASSWORD))
    r3_steps = later_round_steps.pop(3, [])
    for number, steps in later_round_steps.items():
        walk(rounds[number], steps)
    # Round 3 closes (screening starts), goes to 'assessing' when the screened bids go to the
    # assessors, and all 198 are scored and decided (MSCF-R3-0001 approved among the 73);
    # then the round's decision is recorded.
    walk(
        r3,
        [
            (name, user, reason, ROUND3_ASSESSING_AT if name == "start_assessment" else when)
            for name, user, reason, when in r3_steps
            if name != "record_decision"
        ],
    )
    assess_round3(r3, officer, decision, panel)
    walk(r3, [step for step in r3_steps if step[0] == "record_decision"])
    boxer = member(boxing, applicant)
    award = Award(
        public_reference="MSCF-R3-0001",
        programme_id=r3.programme_id,
        organisation_id=boxing.id,
        application_id=approved.id,
        title=approved.project_title,
        amount_pence=798_500,
        amount_at_decision_pence=798_500,
        decided_at=demo_awards.DECIDED_AT,
        budget_stream="community_safety",
        cost_centre=demo_awards.cost_centre("community_safety", 2022),
        starts_on=date(2023, 3, 1),
        ends_on=date(2024, 2, 29),
    )
    start_case(award, "award", officer, now=local(2023, 2, 10))
    demo_awards.prepare_offer(
        award, date(2023, 3, 13), "Coaches and mentors hold enhanced DBS checks before sessions start."
    )
    walk(award, [("offer", officer, None, local(2023, 2, 13))])
    demo_awards.sign(award, boxer.name, "Chair", date(2023, 2, 20))
    walk(award, [("accept", boxer, None, local(2023, 2, 20))])
    payments = []
    for instalment, amount, due in ((1, 600_000, date(2023, 3, 15)), (2, 198_500, date(2023, 9, 15))):
        payment = Payment(award_id=award.id, instalment=instalment, amount_pence=amount, due_on=due)
        db.session.add(payment)
        start_case(payment, "payment", officer, now=local(2023, 2, 10))
        payments.append(payment)
    db.session.flush()
    db.session.refresh(award)
    walk(award, [("start_delivery", officer, None, local(2023, 3, 1))])
    demo_awards.pay(payments[0], finance, local(2023, 3, 10), date(2023, 3, 15), "AP-2023-004417")
    # Its returns, as the MSCF plan made them on acceptance: the 6-month progress report accepted; the final
    # report still open, its due date moved by the officer (the club's coach was ill), its chair to sign it
    # off: the return a demo grantee fills in now (see returns.give_more_time).
    made = demo_returns.plan_returns(award)
    progress, final = made[1], made[2]
    walk(progress, [("open", None, None, on(progress.opens_on or progress.due_date, 0, 5))])
    sent = progress.due_date - timedelta(days=2)
    demo_returns.report(progress, {"people_reached": 38, "spend_to_date": 520_000}, boxer, on(sent, 19))
    walk(
        progress,
        [
            ("submit", boxer, None, on(sent, 20)),
            ("accept", officer, None, on(sent + timedelta(days=6), 10)),
        ],
    )
    walk(final, [("open", None, None, on(final.opens_on or final.due_date, 0, 5))])
    demo_returns.give_more_time(final, officer, boxer, boxing)
    payments[1].monitoring_return_id = final.id  # the last instalment waits for the final report

    # Round 4 (open now): the demo applicant's draft, and a submitted bid from another group.
    draft = Application(
        round_id=r4.id,
        organisation_id=kitchen.id,
        created_by_id=applicant.id,
        project_title="Safe Suppers: evening meals and youth activities in Bramley",
        amount_requested_pence=650_000,
    )
    start_case(draft, r4.application_workflow, applicant, now=datetime.now(UTC) - timedelta(days=5))
    submitted = Application(
        round_id=r4.id,
        organisation_id=orgs["Manningham Mothers' Network"].id,
        project_title="Walk Home Safe: volunteer escorts from Manningham Lane",
        amount_requested_pence=480_000,
    )
    start_case(
        submitted,
        r4.application_workflow,
        member(orgs["Manningham Mothers' Network"], applicant),
        now=datetime.now(UTC) - timedelta(days=9),
    )
    walk(
        submitted,
        [
            (
                "submit",
                member(orgs["Manningham Mothers' Network"], applicant),
                None,
                datetime.now(UTC) - timedelta(days=2),
            )
        ],
    )
    db.session.add(passed_screening(submitted, officer, datetime.now(UTC) - timedelta(days=1)))

    # VRU: an A&E navigator intervention being delivered; MoJ: an ISVA strand.
    youth = orgs["Aire Valley Youth Outreach"]
    contract = Contract(
        public_reference="VRU-2023-001",
        programme_id=programmes["VRU"].id,
        provider_id=youth.id,
        title="A&E navigators: youth workers in Leeds and Bradford emergency departments",
        amount_pence=32_000_000,
        budget_stream="violence_reduction_unit",
        yef_impact="high",
        starts_on=date(2023, 4, 1),
        end_date=date(2024, 3, 31),
    )
    describe(
        contract,
        direct_award=None,
        need="Youth workers in the emergency departments of Leeds and Bradford, meeting young people admitted "
        "with violence-related injuries at a reachable moment.",
        why="A&E admissions for assault among 10 to 24 year olds rose by a fifth in two years; most had no "
        "contact with services before.",
        evidence="VRU strategic needs assessment 2022; hospital episode data for Leeds Teaching Hospitals and "
        "Bradford Teaching Hospitals.",
    )
    contract.service_type = "youth_intervention"
    contract.districts_served = ["leeds", "bradford"]
    contract.yef_approach = "A&E navigators"
    contract.yef_evidence_strength = 2
    contract.yef_cost = "moderate"
    contract.cohort_age_from, contract.cohort_age_to = 10, 24
    contract.settings = ["a_and_e"]
    contract.reach = 650
    commission(contract, people, direct_award=False, delivery_from=local(2023, 4, 1))
    db.session.flush()
    strand = Contract(
        public_reference="MOJ-S-001",
        programme_id=programmes["MOJ"].id,
        provider_id=orgs["Pennine Victim Support Services"].id,
        title="Independent Sexual Violence Advisers (ISVA) service, Kirklees and Calderdale",
        amount_pence=41_250_000,
        budget_stream="victims_of_crime",
        starts_on=date(2022, 4, 1),
        end_date=date(2025, 3, 31),
    )
    describe(
        strand,
        direct_award="Continuation of an existing specialist ISVA service; no other provider in the area "
        "(Contract Standing Orders, direct award exemption).",
        need="Independent Sexual Violence Advisers for victims of rape and sexual assault in Kirklees and "
        "Calderdale, from first contact through the criminal justice process.",
        why="Referrals to the sexual assault referral centre exceed the advisers' capacity; victims wait "
        "weeks for support.",
        evidence="West Yorkshire victims' needs assessment 2021; SARC referral figures 2020/21.",
    )
    strand.service_type = "isva"
    strand.districts_served = ["kirklees", "calderdale"]
    commission(strand, people, direct_award=True, delivery_from=local(2022, 4, 1))
    db.session.flush()
