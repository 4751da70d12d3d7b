"""A contract's money: one allocation (an Award) per financial year, kept inside what the contract,
the budget and the funding agreement allow.

An allocation is made for a contract that is awarded and not finished, for a financial year its
dates cover, once per year; with the others it may not come to more than the contract's value, nor
take the year's budget of its stream (or its funding agreement's year) past its total. Each refusal
names the figures. The allocation then follows the award's own path: an offer, acceptance, a payment
schedule (grants/awards, grants/payments).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from grants import audit
from grants.agreement_terms import terms_for_new_award
from grants.commissioning.contracts import load, may_manage
from grants.commissioning.details import MOST_PENCE
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.formatting import money, pence_from_pounds, whole_number
from grants.models import Award, Budget, Contract, IncomingGrantYear
from grants.models.base import utcnow
from grants.models.budgets import financial_year_label, financial_year_of
from grants.transactions import conflicts_as
from grants.workflow import start_case
from grants.workflow_states import states
from workflows import Conflict


def _conflict() -> Exception:
    return Conflict("Another allocation for this contract and year was made meanwhile.")


def years_covered(contract: Contract) -> list[int]:
    if contract.starts_on is None or contract.end_date is None or contract.end_date < contract.starts_on:
        return []
    return list(range(financial_year_of(contract.starts_on), financial_year_of(contract.end_date) + 1))


@dataclass
class NewAllocation:
    contract: Contract
    years: list[int]
    allocated: int  # live allocations so far

    def label(self, year: int) -> str:
        return financial_year_label(year)

    @property
    def left(self) -> int:
        return (self.contract.amount_pence or 0) - self.allocated


def _live() -> Any:
    return Award.state.not_in(states("award", "fallen_away"))


def _allocated(contract: Contract) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Award.amount_pence), 0)).where(Award.contract_id == contract.id, _live())
        )
        or 0
    )


def new_allocation(user: Any, reference: str) -> NewAllocation:
    contract = load(user, reference)
    if not may_manage(user, contract):
        raise NotFound(reference)
    return NewAllocation(contract, years_covered(contract), _allocated(contract))


def _in_year(year: int) -> Any:
    return Award.starts_on.between(date(year, 4, 1), date(year + 1, 3, 31))


def problems(contract: Contract, year: int, amount: int) -> dict[str, str]:
    """What stops an allocation of `amount` for `year` (None of it when empty)."""
    label = financial_year_label(year)
    if contract.state in states("contract", "commissioning"):
        return {"year": f"{contract.reference} is not awarded yet: allocate money once the contract is awarded."}
    if contract.state in states("contract", "ended"):
        return {"year": f"{contract.reference} has ended: no more money can be allocated to it."}
    if year not in years_covered(contract):
        return {"year": f"{label} is outside the contract's dates"}
    existing = db.session.scalar(
        select(Award.public_reference).where(Award.contract_id == contract.id, _in_year(year), _live())
    )
    if existing:
        return {"year": f"{contract.reference} already has an allocation for {label} ({existing})"}
    allocated = _allocated(contract)
    if allocated + amount > (contract.amount_pence or 0):
        return {
            "amount": f"This would bring the allocations to {money(allocated + amount)}, above the contract's value "
            f"of {money(contract.amount_pence)}"
        }
    return _budget_problem(contract, year, amount) or _agreement_problem(contract, year, amount)


def _budget_problem(contract: Contract, year: int, amount: int) -> dict[str, str]:
    if not contract.budget_stream:
        return {}
    label = financial_year_label(year)
    budget = db.session.scalar(
        select(Budget).where(Budget.budget_stream == contract.budget_stream, Budget.financial_year == year)
    )
    if budget is None:
        return {"amount": f"No budget is set for {contract.budget_stream.replace('_', ' ')} in {label}"}
    committed = int(
        db.session.scalar(
            select(func.coalesce(func.sum(Award.amount_pence), 0)).where(
                Award.budget_stream == contract.budget_stream, _in_year(year), _live()
            )
        )
        or 0
    )
    if committed + amount <= budget.amount_pence:
        return {}
    over = money(committed + amount - budget.amount_pence)
    return {"amount": f"This would take the {label} budget of {money(budget.amount_pence)} over by {over}"}


def _agreement_problem(contract: Contract, year: int, amount: int) -> dict[str, str]:
    if contract.incoming_grant_id is None:
        return {}
    agreement = db.session.scalar(
        select(IncomingGrantYear).where(
            IncomingGrantYear.incoming_grant_id == contract.incoming_grant_id,
            IncomingGrantYear.financial_year == year,
        )
    )
    if agreement is None:
        return {}
    charged = int(
        db.session.scalar(
            select(func.coalesce(func.sum(Award.amount_pence), 0))
            .join(Contract, Contract.id == Award.contract_id)
            .where(Contract.incoming_grant_id == contract.incoming_grant_id, _in_year(year), _live())
        )
        or 0
    )
    if charged + amount <= agreement.amount_pence:
        return {}
    return {
        "amount": f"This would charge {money(charged + amount)} to the funding agreement in "
        f"{financial_year_label(year)}, above its {money(agreement.amount_pence)}"
    }


def add(user: Any, reference: str, year_typed: str, amount_typed: str, now: datetime | None = None) -> Award:
    """Make the year's allocation (preparing, for the officer to offer); FieldErrors naming the figures."""
    contract = load(user, reference)
    if not may_manage(user, contract):
        raise NotFound(reference)
    errors: dict[str, str] = {}
    year = whole_number(year_typed.replace("\x00", ""))
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = "Choose the financial year"
    amount = pence_from_pounds(amount_typed.replace("\x00", "").strip())
    if amount is None:
        errors["amount"] = "Enter the amount in pounds, like 95,000 or 95000.50"
    elif amount <= 0:
        errors["amount"] = "The amount must be more than £0"
    elif amount > MOST_PENCE:
        errors["amount"] = f"The amount must be {money(MOST_PENCE)} or less"
    if errors or year is None or amount is None:
        raise FieldErrors(errors)
    errors = problems(contract, year, amount)
    if errors:
        raise FieldErrors(errors)
    assert contract.starts_on is not None and contract.end_date is not None and contract.provider_id is not None
    budget = db.session.scalar(
        select(Budget).where(Budget.budget_stream == contract.budget_stream, Budget.financial_year == year)
    )
    with conflicts_as(_conflict, duplicates=True):
        award = Award(
            public_reference=f"{contract.public_reference}-{year % 100:02d}",
            programme_id=contract.programme_id,
            organisation_id=contract.provider_id,
            contract_id=contract.id,
            title=f"{contract.title}"[:170] + f": {financial_year_label(year)} allocation",
            amount_pence=amount,
            amount_at_decision_pence=amount,
            decided_at=now or utcnow(),
            budget_stream=contract.budget_stream,
            cost_centre=budget.cost_centre if budget else None,
            starts_on=max(contract.starts_on, date(year, 4, 1)),
            ends_on=min(contract.end_date, date(year + 1, 3, 31)),
            agreement_terms=terms_for_new_award(contract.programme_id),
        )
        start_case(award, "award", user, now=now)
        db.session.flush()
        audit.record_on(
            contract,
            actor=user,
            action="allocation_added",
            data={"allocation": award.public_reference, "year": financial_year_label(year), "amount_pence": amount},
        )
        db.session.commit()
    return award


@dataclass
class EditAllocation:
    award: Award
    contract: Contract

    @property
    def editable(self) -> bool:
        return self.award.state == "preparing"


def _allocation(user: Any, reference: str) -> EditAllocation:
    award = db.session.scalar(
        select(Award).where(Award.public_reference == reference[:32], Award.contract_id.is_not(None))
    )
    if award is None or award.contract_id is None:
        raise NotFound(reference)
    contract = db.session.get(Contract, award.contract_id)
    if contract is None or not may_manage(user, load(user, contract.public_reference)):
        raise NotFound(reference)
    return EditAllocation(award, contract)


def allocation_for_edit(user: Any, reference: str) -> EditAllocation:
    return _allocation(user, reference)


def change_amount(user: Any, reference: str, amount_typed: str, version_typed: str | None) -> Award:
    """A new amount for an allocation not yet offered; FieldErrors with the figures; Conflict when stale."""
    found = _allocation(user, reference)
    award, contract = found.award, found.contract
    if not found.editable:
        raise FieldErrors({"amount": "Once offered, an allocation's amount changes only through a variation"})
    expected = whole_number(version_typed or "")
    if expected is not None and expected != award.version_id:
        raise Conflict("The allocation changed since the page was shown.")
    amount = pence_from_pounds(amount_typed.replace("\x00", "").strip())
    if amount is None or amount <= 0:
        raise FieldErrors({"amount": "Enter the amount in pounds, like 95,000 or 95000.50"})
    if amount > MOST_PENCE:
        raise FieldErrors({"amount": f"The amount must be {money(MOST_PENCE)} or less"})
    others = _allocated(contract) - award.amount_pence
    if others + amount > (contract.amount_pence or 0):
        raise FieldErrors(
            {
                "amount": f"This would bring the allocations to {money(others + amount)}, above the contract's "
                f"value of {money(contract.amount_pence)}"
            }
        )
    rise = amount - award.amount_pence
    assert award.starts_on is not None
    year = financial_year_of(award.starts_on)
    problem = _budget_problem(contract, year, rise) or _agreement_problem(contract, year, rise) if rise > 0 else {}
    if problem:
        raise FieldErrors(problem)
    before = award.amount_pence
    with conflicts_as(lambda: Conflict("The allocation changed since the page was shown.")):
        award.amount_pence = amount
        award.amount_at_decision_pence = amount
        audit.record_on(
            award, actor=user, action="allocation_amount_changed", from_state=money(before), to_state=money(amount)
        )
        db.session.commit()
    return award
