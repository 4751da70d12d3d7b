"""The providers: organisations holding a contract on the programmes a member of staff works on, and each
provider's whole commissioned picture (contracts, allocations by year, payments, returns, contacts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from grants.commissioning.listing import visible_programmes
from grants.commissioning.money_by_year import Years, allocations, by_year, is_vcse
from grants.errors import NotFound
from grants.extensions import db
from grants.models import Award, Contract, Membership, MonitoringReturn, Organisation, Payment, User
from grants.models.people import ORGANISATION_TYPES
from grants.workflow_states import state_labels, states

KINDS = {"vcse": "VCSE organisations", "public": "Public bodies"}


@dataclass
class ProviderRow:
    organisation: Organisation
    contracts: int
    allocated: int

    @property
    def kind(self) -> str:
        return "VCSE" if is_vcse(self.organisation.org_type) else "Public body"

    @property
    def type_label(self) -> str:
        return ORGANISATION_TYPES.get(self.organisation.org_type, self.organisation.org_type)


def directory(user: Any, programme: str = "", kind: str = "") -> list[ProviderRow]:
    """Providers with a contract on the user's programmes (two statements), largest allocations first."""
    programmes = [p for p in visible_programmes(user) if not programme or p.code == programme]
    ids = [p.id for p in programmes]
    live = Award.state.not_in(states("award", "fallen_away"))
    money = (
        select(Award.organisation_id, func.coalesce(func.sum(Award.amount_pence), 0).label("allocated"))
        .where(Award.contract_id.is_not(None), Award.programme_id.in_(ids), live)
        .group_by(Award.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation, func.count(Contract.id), func.coalesce(func.max(money.c.allocated), 0))
        .join(Contract, Contract.provider_id == Organisation.id)
        .outerjoin(money, money.c.organisation_id == Organisation.id)
        .where(Contract.programme_id.in_(ids))
        .group_by(Organisation.id)
    ).all()
    found = [ProviderRow(o, int(count), int(allocated)) for o, count, allocated in rows]
    if kind in KINDS:
        found = [r for r in found if (r.kind == "VCSE") == (kind == "vcse")]
    return sorted(found, key=lambda r: (-r.allocated, r.organisation.name))


@dataclass
class ProviderPage:
    organisation: Organisation
    contracts: list[Contract]
    states: dict[str, str]
    years: Years
    payments: list[tuple[Payment, str]]
    returns: list[tuple[MonitoringReturn, str]]
    contacts: list[User]

    @property
    def kind(self) -> str:
        return "VCSE" if is_vcse(self.organisation.org_type) else "Public body"


def page(user: Any, organisation_id: int) -> ProviderPage:
    ids = [p.id for p in visible_programmes(user)]
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(str(organisation_id))
    contracts = list(
        db.session.scalars(
            select(Contract)
            .where(Contract.provider_id == organisation.id, Contract.programme_id.in_(ids))
            .order_by(Contract.public_reference)
        )
    )
    if not contracts:
        raise NotFound(str(organisation_id))
    theirs = Award.contract_id.in_([c.id for c in contracts])
    payments = db.session.execute(
        select(Payment, Award.public_reference).join(Award, Award.id == Payment.award_id).where(theirs)
        .order_by(Payment.due_on.desc()).limit(40)
    ).all()  # fmt: skip
    returns = db.session.execute(
        select(MonitoringReturn, Award.public_reference).join(Award, Award.id == MonitoringReturn.award_id)
        .where(theirs).order_by(MonitoringReturn.due_date.desc()).limit(40)
    ).all()  # fmt: skip
    contacts = list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation.id)
        )
    )
    return ProviderPage(
        organisation,
        contracts,
        state_labels("contract"),
        by_year(allocations(Contract.id.in_([c.id for c in contracts]))),
        [(p, r) for p, r in payments],
        [(m, r) for m, r in returns],
        contacts,
    )
