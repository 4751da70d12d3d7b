"""Making the planned commissioning: providers, contracts and allocations walked through their workflows."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from grants import audit
from grants.demo import clock
from grants.demo.awards import pay, prepare_offer, sign, walk
from grants.demo.commissioning_plan import (
    ProviderPlan,
    budget,
)
from grants.demo.commissioning_text import (
    QUARTER_ENDS,
    REPLACED,
    SEED,
    UPLIFT_REASON,
    VCSE_TYPES,
    Member,
)
from grants.demo.contracts import People, commission, describe
from grants.demo.round3_groups import FIRST_NAMES, LAST_NAMES
from grants.extensions import db
from grants.formatting import money
from grants.models import Award, Contract, Organisation, Payment, Programme, Variation
from grants.workflow import start_case

NEED_WHY = {
    "MOJ": "The Ministry of Justice victims' grant funds support for victims of crime to cope and recover; "
    "the needs assessment found too few specialist places for the demand.",
    "VRU": "The Serious Violence Duty strategic needs assessment shows rising violence among young people "
    "aged 10 to 24 in the hotspot wards.",
}
NEED_EVIDENCE = {
    "MOJ": "West Yorkshire victims' needs assessment 2021; referral waiting lists from the current providers.",
    "VRU": "VRU strategic needs assessment 2022; A&E and custody data on violence among young people.",
}

# -- making it ------------------------------------------------------------------------------------------------


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


class Maker:
    """Makes the planned rows through the workflows, with their audit trail; flushes as it needs ids."""

    def __init__(self, programmes: dict[str, Programme], users: dict[str, Any], member: Member):
        self.programmes = programmes
        self.officer = users["officer"]
        self.finance = users["finance"]
        self.decision = users["decision_maker"]
        self.people = People(self.officer, self.decision, users["second_decision_maker"])
        self._member = member
        self._members: dict[int, Any] = {}
        self.rng = random.Random(SEED + 1)
        self.payment_number = 300_000

    def member(self, organisation: Organisation) -> Any:
        """The provider's user who accepts offers and sends returns (asked once per provider)."""
        if organisation.id not in self._members:
            self._members[organisation.id] = self._member(organisation)
        return self._members[organisation.id]

    # organisations and contracts
    def organisations(self, providers: dict[str, ProviderPlan]) -> dict[str, Organisation]:
        names = list(providers)
        found = {o.name: o for o in db.session.scalars(select(Organisation).where(Organisation.name.in_(names)))}
        for name, p in providers.items():
            org = found.get(name)
            if org is None:
                org = Organisation(name=name, org_type=p.org_type, district=p.district, **p.fields)
                org.other_identifier = p.other_identifier
                db.session.add(org)
                found[name] = org
            elif p.other_identifier and not org.other_identifier:
                org.other_identifier = p.other_identifier
        db.session.flush()
        return found

    def contract(
        self,
        reference: str,
        programme: str,
        provider: Organisation,
        title: str,
        amount: int,
        stream: str,
        span: tuple[date, date],
        direct_award: str | None,
        yef_rating: str | None = None,
        specification: str = "",
    ) -> Contract:
        contract = Contract(
            public_reference=reference,
            programme_id=self.programmes[programme].id,
            provider_id=provider.id,
            title=title,
            specification=specification,
            amount_pence=amount,
            budget_stream=stream,
            yef_impact=yef_rating.split()[0] if yef_rating else None,
            starts_on=span[0],
            end_date=span[1],
        )
        describe(
            contract,
            direct_award=direct_award,
            need=f"{title}.",
            why=NEED_WHY[programme],
            evidence=NEED_EVIDENCE[programme],
        )
        commission(contract, self.people, direct_award=bool(direct_award), delivery_from=clock.on(span[0], 9))
        return contract

    # allocations
    def allocation(
        self,
        reference: str,
        contract: Contract,
        provider: Organisation,
        title: str,
        year: int,
        amount: int,
        stream: str,
        terms: str,
        conditions: str,
    ) -> Award:
        _budget, centre = budget(stream, year)
        decided = clock.local(year, 4, 1, 9)
        award = Award(
            public_reference=reference,
            programme_id=contract.programme_id,
            organisation_id=provider.id,
            contract_id=contract.id,
            title=title,
            amount_pence=amount,
            amount_at_decision_pence=amount,
            decided_at=decided,
            budget_stream=stream,
            cost_centre=centre,
            starts_on=date(year, 4, 1),
            ends_on=date(year + 1, 3, 31),
            payments=[],
            variations=[],
        )
        start_case(award, "award", self.officer, now=decided)
        prepare_offer(award, date(year, 4, 29), conditions)
        award.agreement_terms = terms
        walk(award, [("offer", self.officer, None, decided + timedelta(hours=1))], flush=False)
        grantee = self.member(provider)
        signed = date(year, 4, 1) + timedelta(days=self.rng.randint(1, 12))
        position = "Chief Executive" if provider.org_type in VCSE_TYPES else "Head of Commissioning"
        sign(award, f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}", position, signed)
        walk(award, [("accept", grantee, None, clock.on(signed, 16, 30))], flush=False)
        return award

    def schedule(self, award: Award, year: int, amounts: list[int], first: int = 1) -> list[Payment]:
        payments = []
        created = award.accepted_at or clock.local(year, 4, 1)
        for number, (amount, (month, day)) in enumerate(zip(amounts, QUARTER_ENDS, strict=True), start=first):
            due = date(year if month > 3 else year + 1, month, day)
            payment = Payment(award=award, instalment=number, amount_pence=amount, due_on=due)
            start_case(payment, "payment", self.officer, now=created)
            payments.append(payment)
        return payments

    def pay(self, payment: Payment) -> None:
        """Finance approves an instalment three days before it is due and pays it (on a working day)."""
        paid = _working_day(payment.due_on)
        self.payment_number += 1
        pay(
            payment,
            self.finance,
            clock.on(paid - timedelta(days=3), 10),
            paid,
            f"AP-{paid.year}-{self.payment_number:06d}",
        )

    def start_delivery(self, award: Award) -> None:
        accepted = award.accepted_at
        assert accepted is not None
        started = accepted + timedelta(hours=17)
        walk(award, [("start_delivery", self.officer, None, started)], flush=False)

    def close(self, award: Award, paid: int, on: date, why: str) -> None:
        award.final_spend_pence = paid
        walk(award, [("close", self.officer, why, clock.on(on, 10))], flush=False)

    def uplift(self, award: Award, after: int) -> Variation:
        """The Mayor's 9% uplift: a variation approved on 1 June 2023."""
        variation = Variation(
            award=award,
            number=1,
            old_amount_pence=award.amount_pence,
            new_amount_pence=after,
            old_ends_on=award.ends_on,
            reason=UPLIFT_REASON,
            requested_by_id=self.officer.id,
        )
        start_case(variation, "variation", self.officer, now=clock.local(2023, 6, 1, 9))
        walk(variation, [("approve", self.decision, UPLIFT_REASON, clock.local(2023, 6, 1, 11))], flush=False)
        return variation

    def reschedule(self, award: Award, payments: list[Payment], keep: int) -> list[Payment]:
        """Spread a varied amount over the instalments not yet paid (as the schedule page does)."""
        kept, replaced = payments[:keep], payments[keep:]
        at = clock.local(2023, 6, 2, 10)
        before = [(p.amount_pence, p.due_on) for p in payments]
        for payment in replaced:
            walk(payment, [("cancel", self.officer, REPLACED, at)], flush=False)
        rest = award.amount_pence - sum(p.amount_pence for p in kept)
        count = len(replaced)
        amounts = [rest // count] * (count - 1) + [rest - rest // count * (count - 1)]
        new = []
        for offset, (old, amount) in enumerate(zip(replaced, amounts, strict=True)):
            payment = Payment(
                award=award, instalment=len(payments) + 1 + offset, amount_pence=amount, due_on=old.due_on
            )
            start_case(payment, "payment", self.officer, now=at)
            new.append(payment)
        after = [(p.amount_pence, p.due_on) for p in kept + new]
        audit.record_on(
            award,
            actor=self.officer,
            action="schedule_set",
            from_state=f"{money(sum(a for a, _ in before))} in {len(before)} instalments",
            to_state=f"{money(sum(a for a, _ in after))} in {len(after)} instalments",
            reason=UPLIFT_REASON,
            data={
                "before": [f"{money(a)} due {d:%-d %B %Y}" for a, d in before],
                "after": [f"{money(a)} due {d:%-d %B %Y}" for a, d in after],
                "cancelled": len(replaced),
                "added": len(new),
            },
            at=at,
        )
        return kept + new


def quarters(amount: int) -> list[int]:
    quarter = amount // 4
    return [quarter, quarter, quarter, amount - 3 * quarter]
