"""What a provider's own staff see: the contracts and strands their organisation delivers, with each
year's allocation (allocated, paid, remaining) and a link to the allocation's own grant page (its
payments and returns). Another provider's contract is a 404, whatever its reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants.commissioning.money_by_year import Years, allocations, by_year
from grants.errors import NotFound
from grants.extensions import db
from grants.models import Contract, Membership
from grants.workflow_states import state_labels


@dataclass
class ProviderContract:
    contract: Contract
    state_label: str
    years: Years


def _theirs(user: Any) -> Any:
    return select(Membership.organisation_id).where(Membership.user_id == user.id)


def contracts_of(user: Any) -> list[ProviderContract]:
    """The contracts of every organisation the user belongs to (three statements whatever their number)."""
    found = list(
        db.session.scalars(
            select(Contract)
            .where(Contract.provider_id.in_(_theirs(user)))
            .options(joinedload(Contract.programme), joinedload(Contract.provider))
            .order_by(Contract.public_reference)
        )
    )
    items = allocations(Contract.provider_id.in_(_theirs(user))) if found else []
    labels = state_labels("contract")
    return [
        ProviderContract(c, labels.get(c.state, c.state), by_year(i for i in items if i.contract_id == c.id))
        for c in found
    ]


def contract_of(user: Any, reference: str) -> ProviderContract:
    contract = db.session.scalar(
        select(Contract).where(Contract.public_reference == reference[:32], Contract.provider_id.in_(_theirs(user)))
    )
    if contract is None:
        raise NotFound(reference)
    return ProviderContract(
        contract,
        state_labels("contract").get(contract.state, contract.state),
        by_year(allocations(Contract.id == contract.id)),
    )
