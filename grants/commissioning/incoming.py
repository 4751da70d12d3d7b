"""Money coming in: each incoming grant with its conditions, what each year brings, what is committed and
paid against it (the allocations of the contracts charged to it), its reporting dates, and the partners'
match funding against the year's target, with any shortfall named."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, or_, select

from grants import access, audit
from grants.commissioning.money_by_year import allocations
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.formatting import money, pence_from_pounds, whole_number
from grants.models import Contract, GrantReport, IncomingGrant, IncomingGrantYear, MatchContribution
from grants.models.base import utcnow
from grants.models.budgets import financial_year_label

VIEWERS = frozenset({"officer", "finance", "decision_maker", "admin"})
RECORDERS = frozenset({"officer", "finance", "admin"})
MOST_PENCE = 100_000_000_000


def _visible(user: Any) -> Any:
    grants = access.staff_grants(user)
    if any(roles & VIEWERS for pid, roles in grants.items() if pid is access.ALL_PROGRAMMES):
        return IncomingGrant.id.is_not(None)
    ids = [pid for pid, roles in grants.items() if pid is not None and roles & VIEWERS]
    return or_(IncomingGrant.programme_id.in_(ids), IncomingGrant.programme_id.is_(None))


def grants_for(user: Any) -> list[IncomingGrant]:
    return list(db.session.scalars(select(IncomingGrant).where(_visible(user)).order_by(IncomingGrant.starts_on)))


def _load(user: Any, reference: str) -> IncomingGrant:
    grant = db.session.scalar(select(IncomingGrant).where(IncomingGrant.reference == reference[:32], _visible(user)))
    if grant is None:
        raise NotFound(reference)
    return grant


def may_record(user: Any, grant: IncomingGrant) -> bool:
    return bool(access.staff_roles(user, grant.programme_id) & RECORDERS)


@dataclass
class GrantYear:
    year: int
    amount: int
    match_percent: Decimal | None
    committed: int = 0
    paid: int = 0
    matched: int = 0

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def left(self) -> int:
        return self.amount - self.committed

    @property
    def match_target(self) -> int | None:
        if self.match_percent is None:
            return None
        target = Decimal(self.amount) * self.match_percent / 100
        return int(target.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def shortfall(self) -> int:
        target = self.match_target
        return 0 if target is None else max(0, target - self.matched)

    @property
    def achieved_percent(self) -> Decimal:
        if not self.amount:
            return Decimal("0.0")
        return (Decimal(self.matched) * 100 / Decimal(self.amount)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def match_message(self) -> str:
        if self.match_target is None:
            return "No match funding asked for"
        if self.shortfall:
            return f"{money(self.shortfall)} short of the {self.percent_text}% target"
        return f"Target of {self.percent_text}% met"

    @property
    def percent_text(self) -> str:
        return "" if self.match_percent is None else f"{self.match_percent.normalize():f}"


@dataclass
class GrantPage:
    grant: IncomingGrant
    years: list[GrantYear]
    contracts: int
    reports: list[GrantReport]
    contributions: list[MatchContribution]
    may_record: bool
    total: GrantYear = field(init=False)

    def __post_init__(self) -> None:
        self.total = GrantYear(0, sum(y.amount for y in self.years), None)
        self.total.committed = sum(y.committed for y in self.years)
        self.total.paid = sum(y.paid for y in self.years)
        self.total.matched = sum(y.matched for y in self.years)


def page(user: Any, reference: str) -> GrantPage:
    grant = _load(user, reference)
    years = {
        y.financial_year: GrantYear(y.financial_year, y.amount_pence, y.match_percent)
        for y in db.session.scalars(select(IncomingGrantYear).where(IncomingGrantYear.incoming_grant_id == grant.id))
    }
    for item in allocations(Contract.incoming_grant_id == grant.id):
        row = years.setdefault(item.year, GrantYear(item.year, 0, None))
        row.committed += item.amount
        row.paid += item.paid
    contributions = list(
        db.session.scalars(
            select(MatchContribution)
            .where(MatchContribution.incoming_grant_id == grant.id)
            .order_by(MatchContribution.financial_year, MatchContribution.id)
        )
    )
    for contribution in contributions:
        years.setdefault(contribution.financial_year, GrantYear(contribution.financial_year, 0, None))
        years[contribution.financial_year].matched += contribution.amount_pence
    contracts = db.session.scalar(select(func.count()).where(Contract.incoming_grant_id == grant.id)) or 0
    reports = list(
        db.session.scalars(
            select(GrantReport).where(GrantReport.incoming_grant_id == grant.id).order_by(GrantReport.due_on)
        )
    )
    return GrantPage(
        grant, [years[y] for y in sorted(years)], int(contracts), reports, contributions, may_record(user, grant)
    )


def record_contribution(
    user: Any, reference: str, year_typed: str, partner: str, amount_typed: str, note: str, today: date
) -> MatchContribution:
    """A partner's match funding for a year of the grant; FieldErrors naming what is wrong."""
    grant = _load(user, reference)
    if not may_record(user, grant):
        raise NotFound(reference)
    errors: dict[str, str] = {}
    year = whole_number(year_typed.replace("\x00", ""))
    years = {y.financial_year for y in grant.years}
    if year is None or year not in years:
        errors["year"] = "Choose one of the grant's years"
    partner = partner.replace("\x00", "").strip()
    if not partner:
        errors["partner"] = "Enter the partner's name"
    elif len(partner) > 200:
        errors["partner"] = "The partner's name must be 200 characters or fewer"
    amount = pence_from_pounds(amount_typed.replace("\x00", "").strip())
    if amount is None or amount <= 0:
        errors["amount"] = "Enter the amount in pounds, like 50,000 or 50000.50"
    elif amount > MOST_PENCE:
        errors["amount"] = f"The amount must be {money(MOST_PENCE)} or less"
    note = note.replace("\x00", "").strip()
    if len(note) > 2000:
        errors["note"] = "The note must be 2,000 characters or fewer"
    if errors or year is None or amount is None:
        raise FieldErrors(errors)
    contribution = MatchContribution(
        incoming_grant_id=grant.id,
        financial_year=year,
        partner=partner,
        amount_pence=amount,
        received_on=today,
        note=note,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    db.session.add(contribution)
    audit.record(
        actor=user,
        subject_type="incoming_grant",
        subject_id=grant.id,
        subject_reference=grant.reference,
        action="match_contribution_recorded",
        data={"partner": partner, "year": financial_year_label(year), "amount_pence": amount},
    )
    db.session.commit()
    return contribution


def mark_report_sent(user: Any, reference: str, report_id: int, today: date) -> GrantReport:
    grant = _load(user, reference)
    report = db.session.get(GrantReport, report_id)
    if report is None or report.incoming_grant_id != grant.id or not may_record(user, grant):
        raise NotFound(str(report_id))
    if report.sent_on is None:
        report.sent_on, report.sent_by_id = today, user.id
        audit.record(
            actor=user,
            subject_type="incoming_grant",
            subject_id=grant.id,
            subject_reference=grant.reference,
            action="grant_report_sent",
            data={"report": report.what, "due_on": report.due_on.isoformat()},
        )
        db.session.commit()
    return report
