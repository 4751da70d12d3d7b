"""Demo awards: Round 3's 73 offers and their money, budgets by stream, and the VRU and MoJ allocations.

The story follows the reports: the decision of 9 February 2023 approved 73 projects for £506,097.82;
offers went out on 13 February; one group (MSCF-R3-0027, £2,604.82) declined, leaving the 72 projects
and £503,493 of the Panel's June 2023 report. The rest accepted, were paid 70% before delivery began in
April 2023 and the balance once their end-of-project return was accepted; most are closed, some still
wait for a late return (their last instalment held back: payment not in advance of need).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from grants.auth.services import find_user
from grants.demo import returns as demo_returns
from grants.demo.accounts import SECOND_FINANCE
from grants.demo.clock import local, on
from grants.extensions import db
from grants.models import (
    Application,
    Award,
    Budget,
    MonitoringReturn,
    Organisation,
    Payment,
    Recommendation,
    Recovery,
    Round,
    Variation,
)
from grants.workflow import apply_transition, start_case

SEED = 20230209
DECIDED_AT = local(2023, 2, 9, 14)
DECLINED = "MSCF-R3-0027"
DECLINE_REASON = (
    "Our only coach has moved away and the committee cannot run the sessions this year. "
    "Thank you for the offer; we hope to apply again."
)

AGREEMENT_TERMS = """1. Use of the grant. The grant may be spent only on the project described in your application, \
as approved, within the delivery dates. Ask us in writing before changing what the money is spent on.
2. Payment. We pay in the instalments set out in the payment schedule. The last instalment is paid once we \
accept your end-of-project monitoring return.
3. Monitoring. You will send the monitoring returns we ask for by their due dates, with the number of people \
you reached and evidence of spend.
4. Unspent money. You will repay any part of the grant not spent on the project, or spent in breach of these \
terms.
5. Safeguarding. You will keep a safeguarding policy, a named safeguarding lead and DBS checks appropriate to \
your work with children and adults at risk.
6. Acknowledgement. You will acknowledge the Mayor of West Yorkshire's Safer Communities Fund in publicity \
about the project.
7. Data protection. You will handle personal data of the people you work with lawfully (UK GDPR) and share \
only anonymised figures with us.
8. Equality. You will carry out the project in line with your Equality Impact Assessment and tell us of any \
actions it needs."""

POSITIONS = ("Chair", "Treasurer", "Secretary", "Project lead", "Director", "Trustee")

# Budgets by stream and financial year (starting year), with their cost centres.
BUDGETS: list[tuple[str, int, str, int]] = [
    ("community_safety", 2021, "CS-4410", 100_000_000),
    ("community_safety", 2022, "CS-4410", 100_000_000),
    ("community_safety", 2023, "CS-4410", 100_000_000),
    ("community_safety", 2024, "CS-4410", 100_000_000),
    ("violence_reduction_unit", 2022, "VRU-4520", 180_000_000),  # £1.8m for 2022/23's twenty interventions
    ("violence_reduction_unit", 2023, "VRU-4520", 230_000_000),  # £2.3m earmarked for commissioned interventions
    ("victims_of_crime", 2022, "VOC-4310", 466_666_667),  # MoJ £14m, 1 Apr 2022 - 31 Mar 2025
    ("victims_of_crime", 2023, "VOC-4310", 466_666_667),
    ("victims_of_crime", 2024, "VOC-4310", 466_666_666),
    ("criminal_justice", 2023, "CJ-4330", 75_000_000),
    ("partnership_contributions", 2023, "PC-4600", 40_000_000),
]

Member = Callable[[Organisation], Any]


Steps = list[tuple[str, Any, str | None, datetime]]


def walk(subject: Any, steps: Steps, *, flush: bool = True) -> None:
    """Apply each (transition, user, reason, when) through the workflow engine, flushing after each.

    flush=False leaves flushing to the caller: the steps then count as one change of the row's version.
    """
    for name, user, reason, when in steps:
        apply_transition(subject, name, user, reason, now=when, commit=False)
        if flush:
            db.session.flush()


def current_budgets(today: date) -> list[tuple[str, int, str, int]]:
    """The Safer Communities Fund's budget from 2025/26 to the year `today` falls in and the next, so the
    rounds decided now (Round 4) are charged to a budget that is set, as finance would have set it."""
    first = 2025
    last = today.year if today.month >= 4 else today.year - 1
    return [("community_safety", year, "CS-4410", 100_000_000) for year in range(first, last + 2)]


def ensure_budgets() -> None:
    for stream, year, cost_centre, amount in [*BUDGETS, *current_budgets(date.today())]:
        found = db.session.scalar(select(Budget).where(Budget.budget_stream == stream, Budget.financial_year == year))
        if found is None:
            db.session.add(
                Budget(budget_stream=stream, financial_year=year, cost_centre=cost_centre, amount_pence=amount)
            )
    db.session.flush()


def cost_centre(stream: str, year: int) -> str | None:
    return db.session.scalar(
        select(Budget.cost_centre).where(Budget.budget_stream == stream, Budget.financial_year == year)
    )


def prepare_offer(award: Award, respond_by: date, conditions: str = "") -> None:
    award.agreement_terms = AGREEMENT_TERMS
    award.offer_conditions = conditions
    award.respond_by = respond_by


def sign(award: Award, name: str, position: str, on: date) -> None:
    award.signatory_name = name
    award.signatory_position = position
    award.signed_on = on
    award.declaration_agreed = True


def pay(payment: Payment, finance: Any, approved: datetime, paid: date, reference: str) -> None:
    """Finance approves the instalment, then another finance user (the demo's payer) marks it paid on
    `paid` with the finance system's reference.

    One flush, before the approval: its check of the unpaid balance reads the database.
    """
    db.session.flush()
    apply_transition(payment, "approve", finance, None, now=approved, commit=False)
    payment.paid_on = paid
    payment.finance_reference = reference
    apply_transition(
        payment,
        "mark_paid",
        _payer(),
        None,
        now=on(paid, 0),
        commit=False,
    )


def _payer() -> Any:
    """The demo's second finance user (grants/demo/accounts.py), who marks instalments paid."""
    payer = find_user(SECOND_FINANCE[0])
    if payer is None:
        raise LookupError(f"{SECOND_FINANCE[0]} is made with the demo accounts first")
    return payer


def _approved(round_: Round) -> list[tuple[Application, int, str | None]]:
    rows = db.session.execute(
        select(Application, Recommendation.recommended_amount_pence, Recommendation.conditions)
        .outerjoin(Recommendation, Recommendation.application_id == Application.id)
        .where(Application.round_id == round_.id, Application.state == "approved")
        .order_by(Application.public_reference)
    ).all()
    return [(app, amount or app.amount_requested_pence, conditions) for app, amount, conditions in rows]


def award_round3(round_: Round, users: dict[str, Any], member: Member) -> None:
    """Awards for Round 3's approved bids (idempotent: bids with an award are left alone)."""
    officer, finance = users["officer"], users["finance"]
    have = set(db.session.scalars(select(Award.application_id).where(Award.application_id.is_not(None))))
    rng = random.Random(SEED)
    centre = cost_centre("community_safety", 2022)
    payment_number = 4417
    for position, (application, amount, conditions) in enumerate(_approved(round_)):
        if application.id in have:
            continue
        reference = application.public_reference or ""
        award = Award(
            public_reference=reference,
            programme_id=round_.programme_id,
            organisation_id=application.organisation_id,
            application_id=application.id,
            title=application.project_title,
            amount_pence=amount,
            amount_at_decision_pence=amount,
            decided_at=DECIDED_AT,
            budget_stream="community_safety",
            cost_centre=centre,
            starts_on=date(2023, 4, 1),
            ends_on=date(2024, 3, 31),
        )
        db.session.add(award)
        start_case(award, "award", officer, now=local(2023, 2, 10, 10))
        prepare_offer(award, date(2023, 3, 13), conditions or "")
        walk(award, [("offer", officer, None, local(2023, 2, 13, 10))])
        grantee = member(application.organisation)
        if reference == DECLINED:
            walk(award, [("decline", grantee, DECLINE_REASON, local(2023, 3, 1, 10))])
            continue
        signed = date(2023, 2, 14) + timedelta(days=rng.randint(0, 22))
        sign(award, grantee.name, rng.choice(POSITIONS), signed)
        walk(award, [("accept", grantee, None, local(signed.year, signed.month, signed.day, 19, 30))])
        first = (amount * 7 // 10) // 100 * 100
        _progress, final_return = demo_returns.mscf_round3_returns(award, officer, grantee, position)
        payments = []
        for instalment, share, due, tied in (
            (1, first, date(2023, 3, 31), None),
            (2, amount - first, date(2024, 5, 31), final_return),
        ):
            payment = Payment(
                award_id=award.id,
                instalment=instalment,
                amount_pence=share,
                due_on=due,
                monitoring_return_id=tied.id if tied is not None else None,
            )
            db.session.add(payment)
            start_case(payment, "payment", officer, now=local(2023, 3, 20, 10))
            payments.append(payment)
        db.session.flush()
        db.session.refresh(award)
        payment_number += 1
        pay(payments[0], finance, local(2023, 3, 27, 10), date(2023, 3, 31), f"AP-2023-{payment_number:06d}")
        walk(award, [("start_delivery", officer, None, local(2023, 4, 3, 10))])
        _finish(award, payments[1], final_return, position, rng, grantee, users)


def _finish(
    award: Award,
    last: Payment,
    final_return: MonitoringReturn,
    position: int,
    rng: random.Random,
    grantee: Any,
    users: dict[str, Any],
) -> None:
    """How each project ended: most closed; some waiting for a late return; one held; one extended."""
    officer, finance = users["officer"], users["finance"]
    kind = position % 12
    if kind == 5 and demo_returns.mscf_final_not_accepted(
        final_return, position, grantee, officer, award.organisation
    ):  # sent back for changes, or waiting for sign-off: the last instalment still waits
        return
    opened = on(final_return.opens_on or final_return.due_date, 0, 5)
    if kind == 5:  # the return never came: overdue, and the last instalment waits for it
        walk(final_return, [("open", None, None, opened), ("become_overdue", None, None, local(2024, 5, 1, 0, 5))])
        return
    if kind == 9:  # an extension: end date varied, the return is due later and is still awaited
        variation = Variation(
            award_id=award.id,
            number=1,
            old_amount_pence=award.amount_pence,
            old_ends_on=award.ends_on,
            new_ends_on=date(2024, 9, 30),
            reason="The venue closed for repairs for five months; the group asks to finish the sessions by "
            "September 2024.",
            requested_by_id=officer.id,
        )
        db.session.add(variation)
        start_case(variation, "variation", officer, now=local(2024, 2, 12, 10))
        # Approving it moves the award's end date, and the plan's final return with it (rescheduled).
        walk(variation, [("approve", users["decision_maker"], None, local(2024, 2, 19, 10))])
        due = final_return.due_date
        walk(
            final_return,
            [
                ("open", None, None, on(final_return.opens_on or due, 0, 5)),
                ("become_overdue", None, None, on(due + timedelta(days=1), 0, 5)),
            ],
        )
        return
    submitted = date(2024, 4, 8) + timedelta(days=rng.randint(0, 20))
    underspend = rng.randint(5, 40) * 1000 if kind == 2 else 0  # a small underspend, returned
    demo_returns.mscf_final_report(final_return, grantee, on(submitted, 19), award.amount_pence - underspend)
    walk(
        final_return,
        [
            ("open", None, None, opened),
            ("submit", grantee, None, local(submitted.year, submitted.month, submitted.day, 20)),
            ("accept", officer, None, local(2024, 5, 14, 10)),
        ],
    )
    if kind == 7:  # the return is accepted, but finance holds the payment while bank details are checked
        walk(
            last,
            [("hold", finance, "The group changed its bank account; checking the new details with them.",
              local(2024, 5, 20, 10))],
        )  # fmt: skip
        return
    pay(last, finance, local(2024, 5, 24, 10), date(2024, 5, 31), f"AP-2024-{award.id:06d}")
    if underspend:
        db.session.add(
            Recovery(
                award_id=award.id,
                kind="underspend_returned",
                amount_pence=underspend,
                received_on=date(2024, 6, 21),
                reason="Hall hire cost less than planned; the group returned what it did not spend.",
                recorded_by_id=officer.id,
            )
        )
    award.final_spend_pence = award.amount_pence - underspend
    walk(award, [("close", officer, "Project complete; end-of-project return accepted.", local(2024, 6, 28, 10))])
