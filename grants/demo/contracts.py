"""Commissioning a demo contract through the contract workflow: its need, route, procurement and award.

Each contract gets a need an officer would write, then the steps its route takes: a competed
contract goes out to tender in the autumn before it starts; a direct award, justified in writing
under a Contract Standing Orders exception, is made in the new year. Above £100,000 two decision
makers approve the award (the Deputy Mayor first, then the Mayor).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from grants.demo import clock
from grants.demo.awards import walk
from grants.models import Contract
from grants.workflow import start_case

DIRECT_AWARD_EXCEPTION = "CSO 4.3(b): only one provider can deliver the service"


@dataclass
class People:
    officer: Any
    decision: Any
    second: Any  # the second decision maker, for contracts above £100,000


def describe(contract: Contract, *, direct_award: str | None, need: str, why: str, evidence: str) -> None:
    """Fill in the need, the route and the terms of the award (before the contract is started)."""
    contract.need_summary = need
    contract.need_reason = why
    contract.need_evidence = evidence
    contract.estimated_value_pence = contract.amount_pence
    contract.route = "direct_award" if direct_award else "competed"
    contract.direct_award_justification = direct_award or ""
    contract.cso_exception = DIRECT_AWARD_EXCEPTION if direct_award else None
    start = contract.starts_on
    assert start is not None
    if direct_award:
        contract.bidders = 1
        contract.evaluation_outcome = "Single-supplier negotiation; price and specification agreed."
    else:
        contract.procurement_opens_on = clock.local(start.year - 1, 12, 1).date()
        contract.procurement_closes_on = clock.local(start.year, 1, 13).date()
        contract.bidders = 3 + contract.amount_pence % 4
        contract.evaluation_outcome = "Highest-scoring tender on quality (60%) and price (40%)."
    contract.cso_reference = f"CSO-{start.year}-{contract.public_reference[-3:]}"
    contract.original_end_date = contract.end_date
    contract.extension_months_allowed = 12


def commission(contract: Contract, people: People, *, direct_award: bool, delivery_from: datetime) -> None:
    """Start the contract's case and walk it to delivering, with the dates its route takes."""
    start = contract.starts_on
    assert start is not None
    officer, decision = people.officer, people.decision
    if direct_award:
        opened = clock.local(start.year, 1, 10)
        steps = [
            ("choose_direct_award", officer, contract.direct_award_justification, clock.local(start.year, 2, 1)),
            ("start_procurement", officer, None, clock.local(start.year, 2, 7)),
        ]
        decided, mobilised = clock.local(start.year, 3, 1), clock.local(start.year, 3, 7)
    else:
        opened = clock.local(start.year - 1, 10, 4)
        steps = [
            ("choose_competition", officer, None, clock.local(start.year - 1, 11, 1)),
            ("start_procurement", officer, None, clock.local(start.year - 1, 12, 1)),
        ]
        decided, mobilised = clock.local(start.year, 2, 21), clock.local(start.year, 3, 1)
    if contract.needs_second_approval():
        steps += [
            ("approve_contract", decision, None, decided),
            ("second_approve", people.second, None, decided.replace(hour=decided.hour + 4)),
        ]
    else:
        steps.append(("award_contract", decision, None, decided))
    steps += [("mobilise", officer, None, mobilised), ("start_delivery", officer, None, delivery_from)]
    start_case(contract, "contract", officer, now=opened)
    walk(contract, steps, flush=False)
