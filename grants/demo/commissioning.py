"""Demo commissioning: the MoJ victims' services strands and the VRU interventions, with their money.

MoJ victims' services 2022-25 (a £14m grant to the Mayor, docs/domain.md): 34 providers (27 VCSE
organisations, 5 district councils, 2 hospital trusts) fund 72 strands of provision, MOJ-S-001
(made by grants/demo/featured.py) to MOJ-S-072, all commissioned under the "contract" workflow and
delivering from 1 April 2022 to 31 March 2025. Each strand has one allocation (an Award) per
financial year, decided on 1 April; each year's allocations add up exactly to that year's
Victims of Crime budget. On 1 June 2023 the Mayor gave the VCSE providers a 9% uplift: one
approved variation per VCSE allocation of 2023/24, spread over the three instalments still to
pay. (The 1 April 2023 allocations left that headroom unallocated; after the uplift 2023/24
adds up to its budget. The uplift carried into 2024/25's allocations.) Instalments are
quarterly; all were paid except a handful in 2024/25: three held by finance and two waiting
for an overdue monitoring return. Allocations fully paid are closed.

VRU 2023/24: ten commissioned interventions (VRU-2023-001, the A&E navigators, is made by
grants/demo/featured.py) with £2.3m of allocations, three of them (30%) rated high impact on the Youth
Endowment Fund toolkit. Their last instalment waits for the Q3 return; eight were paid and
closed, two providers have still not sent it, so those two awards are still active. VRU 2022/23, the
year before: twenty interventions with £1.8m, three of them (15%) rated high impact, all paid and closed.

Everything is planned first (`plan()`: pure, seeded, no database), then made; what already
exists (organisations by name, contracts and awards by reference) is left alone.
"""

from __future__ import annotations

import random
from contextlib import nullcontext
from datetime import date
from typing import Any

from flask import current_app, has_request_context
from sqlalchemy import select

from grants.demo import returns as demo_returns
from grants.demo.awards import walk
from grants.demo.clock import local
from grants.demo.commissioning_maker import Maker, quarters
from grants.demo.commissioning_plan import (
    AllocationPlan,
    Plan,
    StrandPlan,
    plan,
)
from grants.demo.commissioning_text import (
    FIRST_INTERVENTION,
    FIRST_INTERVENTION_PENCE,
    FIRST_STRAND,
    INTERVENTIONS_2022,
    MOJ_STREAM,
    MOJ_TERMS,
    VRU_2022_YEAR,
    VRU_STREAM,
    VRU_TERMS,
    VRU_YEAR,
    Member,
)
from grants.extensions import db
from grants.models import Award, Contract, Organisation, Programme


def load_commissioning(programmes: dict[str, Programme], users: dict[str, Any], member: Member) -> None:
    """Load (or top up) the MoJ strands and VRU interventions with their allocations; caller commits.

    About 5,000 workflow transitions: to keep that quick, the session flushes when it must (a new
    case needs its id, a payment is approved against the unpaid balance) rather than before every
    query, and the load runs in a request context so each user's role grants are read once
    (grants.access caches them per request) rather than on every transition.
    """
    made_first = _existing(Contract, [FIRST_STRAND, FIRST_INTERVENTION])
    if len(made_first) != 2:
        raise LookupError(f"{FIRST_STRAND} and {FIRST_INTERVENTION} are made by grants/demo/featured.py first")
    the_plan = plan()
    maker = Maker(programmes, users, member)
    request = nullcontext() if has_request_context() else current_app.test_request_context()
    with request, db.session.no_autoflush:
        _load_moj(the_plan, maker)
        demo_returns.moj_returns_2022_to_2024(
            [(s.reference, s.kind, s.allocations[2022].decided_pence) for s in the_plan.strands],
            maker,
            the_plan.awaiting_return,
        )
        _load_vru(the_plan, maker)
        _load_vru_2022(the_plan, maker)
        db.session.flush()


def _existing(model: Any, references: list[str]) -> dict[str, Any]:
    rows = db.session.scalars(select(model).where(model.public_reference.in_(references)))
    return {row.public_reference: row for row in rows}


def _load_moj(the_plan: Plan, maker: Maker) -> None:
    orgs = maker.organisations(the_plan.providers)
    contracts = _existing(Contract, [s.reference for s in the_plan.strands])
    for strand in the_plan.strands:
        if strand.reference in contracts:
            continue
        contracts[strand.reference] = maker.contract(
            strand.reference,
            "MOJ",
            orgs[strand.provider],
            strand.title,
            strand.contract_pence,
            MOJ_STREAM,
            (date(2022, 4, 1), date(2025, 3, 31)),
            strand.direct_award,
            specification=f"{strand.title}, for victims of crime in West Yorkshire, 1 April 2022 to 31 March "
            "2025. Reports quarterly to the Ministry of Justice victims' services outcomes framework: victims "
            "supported, referrals, whether they had reported to the police, and outcomes.",
        )
    db.session.flush()
    wanted = [f"{s.reference}-{a.reference_suffix}" for s in the_plan.strands for a in s.allocations.values()]
    have = set(_existing(Award, wanted))
    for strand in the_plan.strands:
        provider = orgs[strand.provider]
        vcse = the_plan.providers[strand.provider].vcse
        for allocation in strand.allocations.values():
            reference = f"{strand.reference}-{allocation.reference_suffix}"
            if reference in have:
                continue
            _moj_allocation(maker, the_plan, strand, contracts[strand.reference], provider, vcse, allocation)
        db.session.flush()


def _moj_allocation(
    maker: Maker,
    the_plan: Plan,
    strand: StrandPlan,
    contract: Contract,
    provider: Organisation,
    vcse: bool,
    allocation: AllocationPlan,
) -> None:
    year = allocation.year
    award = maker.allocation(
        f"{strand.reference}-{allocation.reference_suffix}",
        contract,
        provider,
        f"{strand.title}: {year}/{(year + 1) % 100:02d} allocation",
        year,
        allocation.decided_pence,
        MOJ_STREAM,
        MOJ_TERMS,
        "Quarterly monitoring returns in the MoJ victims' services format, due a month after each quarter.",
    )
    payments = maker.schedule(award, year, quarters(allocation.decided_pence))
    maker.start_delivery(award)
    if allocation.current_pence != allocation.decided_pence:
        maker.uplift(award, allocation.current_pence)
        payments = maker.reschedule(award, payments, keep=1)
    last = payments[-1]
    for payment in payments[:-1]:
        maker.pay(payment)
    if year == 2024 and strand.reference in the_plan.held:
        walk(last, [("hold", maker.finance, the_plan.held[strand.reference], local(2025, 3, 26, 11))], flush=False)
        return
    if year == 2024 and strand.reference in the_plan.awaiting_return:
        last.monitoring_return = demo_returns.plan_returns(award)[3]  # its Q3 return: never sent (returns.py)
        return
    maker.pay(last)
    maker.close(
        award,
        allocation.current_pence,
        date(year + 1, 5, 16),
        "Year-end monitoring return accepted; the allocation is paid in full.",
    )


def _load_vru(the_plan: Plan, maker: Maker) -> None:
    orgs = maker.organisations(the_plan.vru_providers)
    references = [FIRST_INTERVENTION] + [i.reference for i in the_plan.interventions]
    contracts = _existing(Contract, references)
    first = contracts[FIRST_INTERVENTION]
    assert first.provider is not None
    span = (date(2023, 4, 1), date(2024, 3, 31))
    for item in the_plan.interventions:
        if item.reference in contracts:
            continue
        contracts[item.reference] = maker.contract(
            item.reference,
            "VRU",
            orgs[item.provider],
            item.title,
            item.amount_pence,
            VRU_STREAM,
            span,
            item.direct_award,
            yef_rating=item.yef_rating,
            specification=f"{item.title}, 1 April 2023 to 31 March 2024, for young people aged 10 to 24 at "
            "risk of serious violence, evaluated against the Youth Endowment Fund toolkit.",
        )
    db.session.flush()
    have = set(_existing(Award, references))
    items = [(FIRST_INTERVENTION, first.provider, first.title, FIRST_INTERVENTION_PENCE, False)] + [
        (i.reference, orgs[i.provider], i.title, i.amount_pence, i.awaiting_return) for i in the_plan.interventions
    ]
    for reference, provider, title, amount, awaiting in items:
        if reference in have:
            continue
        award = maker.allocation(
            reference,
            contracts[reference],
            provider,
            title,
            VRU_YEAR,
            amount,
            VRU_STREAM,
            VRU_TERMS.format(year=VRU_YEAR, next_year=VRU_YEAR + 1),
            "Quarterly returns of young people reached and sessions delivered; the last instalment follows the "
            "Q3 return.",
        )
        payments = maker.schedule(award, VRU_YEAR, quarters(amount))
        maker.start_delivery(award)
        for payment in payments[:-1]:
            maker.pay(payment)
        last = payments[-1]
        last.monitoring_return = demo_returns.vru_quarterly_returns(maker, award, provider, VRU_YEAR, awaiting)
        if awaiting:
            continue
        maker.pay(last)
        maker.close(award, amount, date(2024, 5, 15), "End-of-year return accepted; the allocation is paid in full.")
    db.session.flush()


def _load_vru_2022(the_plan: Plan, maker: Maker) -> None:
    """VRU 2022/23: twenty interventions, each delivered, paid in full and closed. Loaded last, with a
    generator of its own, so the draws of everything made before stay as they were."""
    orgs = maker.organisations(the_plan.vru_providers)
    references = [row[0] for row in INTERVENTIONS_2022]
    contracts = _existing(Contract, references)
    have = set(_existing(Award, references))
    year, saved = VRU_2022_YEAR, maker.rng
    maker.rng = random.Random(f"vru-{year}")
    try:
        for reference, provider_name, title, rating, amount in INTERVENTIONS_2022:
            provider = orgs[provider_name]
            if reference not in contracts:
                contracts[reference] = maker.contract(
                    reference, "VRU", provider, title, amount, VRU_STREAM,
                    (date(year, 4, 1), date(year + 1, 3, 31)), None, yef_rating=rating,
                    specification=f"{title}, 1 April {year} to 31 March {year + 1}, for young people at risk of "
                    "serious violence, evaluated against the Youth Endowment Fund toolkit.",
                )  # fmt: skip
                db.session.flush()
            if reference in have:
                continue
            award = maker.allocation(
                reference, contracts[reference], provider, title, year, amount, VRU_STREAM,
                VRU_TERMS.format(year=year, next_year=year + 1),
                "Quarterly returns of young people reached and sessions delivered; the last instalment follows the "
                "Q3 return.",
            )  # fmt: skip
            payments = maker.schedule(award, year, quarters(amount))
            maker.start_delivery(award)
            for payment in payments[:-1]:
                maker.pay(payment)
            payments[-1].monitoring_return = demo_returns.vru_quarterly_returns(maker, award, provider, year, False)
            maker.pay(payments[-1])
            maker.close(
                award, amount, date(year + 1, 5, 15), "End-of-year return accepted; the allocation is paid in full."
            )
    finally:
        maker.rng = saved
