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
from grants.commissioning.listing import typed_date, visible_programmes
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
FIELDS = (("reference", "a reference", 32), ("title", "a title", 200), ("funder", "the funder", 200))


def years_between(starts: date | None, ends: date | None) -> list[int]:
    """The financial years a grant from `starts` to `ends` covers (none when the dates make no sense)."""
    if starts is None or ends is None or ends < starts or ends.year - starts.year > 10:
        return []
    first = starts.year if starts.month >= 4 else starts.year - 1
    last = ends.year if ends.month >= 4 else ends.year - 1
    return list(range(first, last + 1))


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


def record_grant(user: Any, form: dict[str, str], programmes: dict[str, int]) -> IncomingGrant:
    """A new incoming grant with its years (amount and match-funding % per financial year).

    `form` holds what was typed: reference, title, funder, scheme_reference, programme (a code or ""),
    conditions, starts_on and ends_on (ISO or d/m/yyyy), and year_<YYYY> / match_<YYYY> per year.
    FieldErrors names each problem with its figure."""
    text = {k: str(v).replace("\x00", "").strip() for k, v in form.items()}
    errors: dict[str, str] = {}
    for name, label, longest in FIELDS:
        if not text.get(name):
            errors[name] = f"Enter {label}"
        elif len(text[name]) > longest:
            errors[name] = f"{label.capitalize()} must be {longest} characters or fewer"
    if len(text.get("scheme_reference", "")) > 64:
        errors["scheme_reference"] = "The scheme reference must be 64 characters or fewer"
    starts, ends = typed_date(text.get("starts_on", "")), typed_date(text.get("ends_on", ""))
    if starts is None:
        errors["starts_on"] = "Enter the start date, like 1/4/2025"
    if ends is None:
        errors["ends_on"] = "Enter the end date, like 31/3/2028"
    elif starts is not None and ends < starts:
        errors["ends_on"] = "The grant cannot end before it starts"
    programme_id = programmes.get(text.get("programme", "")) if text.get("programme") else None
    if text.get("programme") and programme_id is None:
        errors["programme"] = "Choose a programme from the list"
    years: list[IncomingGrantYear] = []
    if years_between(starts, ends):
        for year in years_between(starts, ends):
            typed = text.get(f"year_{year}", "")
            amount = pence_from_pounds(typed) if typed else None
            if amount is None or amount <= 0 or amount > MOST_PENCE:
                errors[f"year_{year}"] = f"Enter what {financial_year_label(year)} brings, in pounds, like 1,651,943"
                continue
            match_typed = text.get(f"match_{year}", "").rstrip("%").strip()
            match = None
            if match_typed:
                try:
                    match = Decimal(match_typed)
                    if not match.is_finite() or not 0 <= match <= 100 or match != match.quantize(Decimal("0.01")):
                        raise ValueError
                except (ValueError, ArithmeticError):
                    label = financial_year_label(year)
                    errors[f"match_{year}"] = f"Match funding for {label} must be a percentage from 0 to 100"
                    continue
            years.append(IncomingGrantYear(financial_year=year, amount_pence=amount, match_percent=match))
    elif starts is not None and ends is not None and ends >= starts:
        errors["ends_on"] = "An incoming grant runs for ten years at most"
    if not errors and db.session.scalar(select(IncomingGrant.id).where(IncomingGrant.reference == text["reference"])):
        errors["reference"] = f"{text['reference']} is already recorded"
    if errors:
        raise FieldErrors(errors)
    assert starts is not None and ends is not None
    grant = IncomingGrant(
        reference=text["reference"],
        title=text["title"],
        funder=text["funder"],
        scheme_reference=text.get("scheme_reference") or None,
        programme_id=programme_id,
        amount_pence=sum(y.amount_pence for y in years),
        starts_on=starts,
        ends_on=ends,
        conditions=text.get("conditions", "")[:4000],
        created_by_id=user.id,
        years=years,
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        actor=user,
        subject_type="incoming_grant",
        subject_id=grant.id,
        subject_reference=grant.reference,
        action="incoming_grant_recorded",
        data={"amount_pence": grant.amount_pence, "years": [y.financial_year for y in years]},
    )
    db.session.commit()
    return grant


def recordable_programmes(user: Any) -> dict[str, int]:
    """Programme codes where the user may record an incoming grant (officer, finance or admin there)."""
    return {p.code: p.id for p in visible_programmes(user) if access.staff_roles(user, p.id) & RECORDERS}
