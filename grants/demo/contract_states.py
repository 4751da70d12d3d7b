"""The demo's contracts agree with their money: a contract past its delivery comes up for review 90 days
before its end date, as the scheduler would move it, and ends once its last allocation is closed; a
contract with an allocation still being paid stays under review.

VRU 2023/24 ended on 31 March 2024 and MoJ 2022-25 on 31 March 2025: their contracts are walked so,
through the workflow, with the dates it would have happened on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from grants.commissioning.cases import unsettled_allocations
from grants.demo import clock
from grants.demo.awards import walk
from grants.extensions import db
from grants.models import Contract


def settle_contracts(officer: Any, today: date) -> None:
    """Walk each delivering contract whose end has passed to review, and to ended when its money is settled."""
    contracts = db.session.scalars(
        select(Contract).where(Contract.state == "delivering", Contract.end_date < today).order_by(Contract.id)
    )
    for contract in contracts:
        assert contract.end_date is not None
        walk(contract, [("review", officer, None, clock.on(contract.end_date - timedelta(days=90), 9))])
    db.session.flush()
    for contract in db.session.scalars(select(Contract).where(Contract.state == "in_review").order_by(Contract.id)):
        assert contract.end_date is not None
        if unsettled_allocations(contract):
            continue
        ended = contract.end_date + timedelta(days=60)
        if ended >= today:
            continue
        walk(
            contract,
            [
                (
                    "end",
                    officer,
                    "Delivered to the end of the contract; every allocation paid and closed.",
                    clock.on(ended, 10),
                )
            ],
        )
    db.session.flush()
