"""One decision, many allocations: a percentage uplift to a chosen set of a programme's allocations for a year
(the Mayor's 9% for every MoJ-funded VCSE provider in 2023/24).

Preparing shows each allocation before and after, rounded to the penny (halves up) one by one, and the
totals; it is refused when the rise would take the year's budget, or a funding agreement's year, past
its total. Approving (a decision maker) gives each allocation its own Variation pointing to the
decision, approved through the variation workflow (audited on the allocation), skips any allocation
changed since the preview (listed with why), and tells each provider once, by email.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from grants import access, audit, mail
from grants.commissioning.money_by_year import is_vcse
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.formatting import money
from grants.models import (
    Award,
    Budget,
    Contract,
    IncomingGrantYear,
    Membership,
    Organisation,
    Programme,
    RoleGrant,
    Uplift,
    User,
    Variation,
)
from grants.models.base import utcnow
from grants.models.budgets import financial_year_label
from grants.payments.schedules import spread_rise
from grants.workflow import apply_transition, start_case
from grants.workflow_states import states

SCOPES = {"vcse": "VCSE providers only", "public": "Public bodies only", "all": "Every provider"}
PREPARERS = frozenset({"officer", "decision_maker", "admin"})
ROUNDING = "Each allocation is rounded to the nearest penny on its own (halves up); the total is the sum of those."


def uplifted(amount: int, percent: Decimal) -> int:
    """The amount raised by `percent`, to the nearest penny, halves up."""
    return int((Decimal(amount) * (100 + percent) / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass
class Line:
    award_id: int
    reference: str
    provider: str
    provider_id: int
    before: int
    after: int
    version_id: int
    included: bool = True  # an officer may leave an allocation out by hand

    @property
    def rise(self) -> int:
        return self.after - self.before


@dataclass
class Preview:
    programme: Programme
    year: int
    percent: Decimal
    scope: str
    reason: str
    lines: list[Line]

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def chosen(self) -> list[Line]:
        return [line for line in self.lines if line.included]

    @property
    def left_out(self) -> list[Line]:
        return [line for line in self.lines if not line.included]

    @property
    def before(self) -> int:
        return sum(line.before for line in self.chosen)

    @property
    def after(self) -> int:
        return sum(line.after for line in self.chosen)

    @property
    def rounding(self) -> str:
        return ROUNDING


def programmes_for(user: Any) -> list[Programme]:
    rows = db.session.scalars(select(Programme).where(Programme.kind.in_(("commissioning", "sub_grant"))))
    return [p for p in rows if access.staff_roles(user, p.id) & PREPARERS]


def _year_clause(year: int) -> Any:
    return Award.starts_on.between(date(year, 4, 1), date(year + 1, 3, 31))


def _lines(programme: Programme, year: int, scope: str, percent: Decimal) -> list[Line]:
    running = states("award", "ended")
    rows = db.session.execute(
        select(Award, Organisation)
        .join(Organisation, Organisation.id == Award.organisation_id)
        .where(
            Award.programme_id == programme.id,
            Award.contract_id.is_not(None),
            _year_clause(year),
            Award.state.not_in(running),
        )
        .order_by(Award.public_reference)
    ).all()
    return [
        Line(a.id, a.public_reference, o.name, o.id, a.amount_pence, uplifted(a.amount_pence, percent), a.version_id)
        for a, o in rows
        if scope == "all" or (scope == "vcse") == is_vcse(o.org_type)
    ]


def preview(
    user: Any,
    programme_code: str,
    year_typed: str,
    scope: str,
    percent_typed: str,
    reason: str,
    left_out: Collection[str] = (),
) -> Preview:
    """What the uplift would do (without the allocations `left_out` by reference); FieldErrors naming what
    is wrong or which total it would pass."""
    allowed = {p.code: p for p in programmes_for(user)}
    errors: dict[str, str] = {}
    programme = allowed.get(programme_code.strip())
    if programme is None:
        errors["programme"] = "Choose the programme"
    year = int(year_typed) if year_typed.strip().isdigit() and len(year_typed.strip()) == 4 else None
    if year is None:
        errors["year"] = "Choose the financial year"
    if scope not in SCOPES:
        errors["scope"] = "Choose which providers' allocations"
    try:
        percent = Decimal(percent_typed.replace("%", "").strip())
        if not percent.is_finite() or percent <= 0 or percent > 100 or percent != percent.quantize(Decimal("0.01")):
            raise InvalidOperation
    except InvalidOperation:
        errors["percent"] = "Enter the uplift as a percentage above 0 and up to 100, like 9 or 2.5"
        percent = Decimal(0)
    reason = reason.replace("\x00", "").strip()
    if not reason:
        errors["reason"] = "Enter the reason for the uplift (the decision it carries out)"
    if errors or programme is None or year is None:
        raise FieldErrors(errors)
    found = Preview(programme, year, percent, scope, reason, _lines(programme, year, scope, percent))
    if not found.lines:
        raise FieldErrors(
            {"scope": f"No running allocations of {programme.code} for {financial_year_label(year)} match"}
        )
    for line in found.lines:
        line.included = line.reference not in left_out
    problem = _over_budget(found)
    if problem:
        raise FieldErrors({"percent": problem})
    return found


def _over_budget(found: Preview) -> str | None:
    rise = found.after - found.before
    stream = found.programme.budget_stream
    if stream:
        budget = db.session.scalar(
            select(Budget).where(Budget.budget_stream == stream, Budget.financial_year == found.year)
        )
        if budget is None:
            return f"No budget is set for {found.label}: set it before varying its allocations"
        committed = db.session.scalar(
            select(func.coalesce(func.sum(Award.amount_pence), 0)).where(
                Award.budget_stream == stream,
                _year_clause(found.year),
                Award.state.not_in(states("award", "fallen_away")),
            )
        )
        if int(committed or 0) + rise > budget.amount_pence:
            over = int(committed or 0) + rise - budget.amount_pence
            return (
                f"This would take the {found.label} budget of {money(budget.amount_pence)} over by {money(over)} "
                f"({money(committed)} committed, {money(rise)} more)"
            )
    agreement_rows = db.session.execute(
        select(IncomingGrantYear.amount_pence, func.sum(Award.amount_pence))
        .join(Contract, Contract.incoming_grant_id == IncomingGrantYear.incoming_grant_id)
        .join(Award, Award.contract_id == Contract.id)
        .where(
            IncomingGrantYear.financial_year == found.year,
            Contract.programme_id == found.programme.id,
            _year_clause(found.year),
            Award.state.not_in(states("award", "fallen_away")),
        )
        .group_by(IncomingGrantYear.id, IncomingGrantYear.amount_pence)
    ).all()
    for amount, charged in agreement_rows:
        if int(charged or 0) + rise > amount:
            total = money(int(charged or 0) + rise)
            return f"This would charge {total} to the funding agreement in {found.label}, above its {money(amount)}"
    return None


def prepare(user: Any, found: Preview) -> Uplift:
    if not found.chosen:
        raise FieldErrors({"left_out": "Leave at least one allocation in the uplift"})
    count = db.session.scalar(
        select(func.count()).where(Uplift.programme_id == found.programme.id, Uplift.financial_year == found.year)
    )
    uplift = Uplift(
        reference=f"{found.programme.code}-UPLIFT-{found.year}-{int(count or 0) + 1:02d}",
        programme_id=found.programme.id,
        financial_year=found.year,
        percent=found.percent,
        scope=found.scope,
        reason=found.reason,
        items=[line.__dict__ for line in found.chosen],
        prepared_by_id=user.id,
        prepared_at=utcnow(),
    )
    db.session.add(uplift)
    db.session.flush()
    _audit(
        uplift,
        user,
        "uplift_prepared",
        {
            "allocations": len(found.chosen),
            "before": found.before,
            "after": found.after,
            "left_out": [line.reference for line in found.left_out],
        },
    )
    db.session.commit()
    return uplift


def _audit(uplift: Uplift, user: Any, action: str, data: dict[str, Any], reason: str | None = None) -> None:
    audit.record(
        actor=user,
        subject_type="uplift",
        subject_id=uplift.id,
        subject_reference=uplift.reference,
        action=action,
        reason=reason or uplift.reason,
        data=data,
    )


def load(user: Any, uplift_id: int) -> Uplift:
    uplift = db.session.get(Uplift, uplift_id)
    if uplift is None or not access.staff_roles(user, uplift.programme_id) & (PREPARERS | {"finance"}):
        raise NotFound(str(uplift_id))
    return uplift


def uplifts_for(user: Any) -> list[Uplift]:
    ids = [p.id for p in programmes_for(user)]
    return list(db.session.scalars(select(Uplift).where(Uplift.programme_id.in_(ids)).order_by(Uplift.id.desc())))


def may_decide(user: Any, uplift: Uplift) -> bool:
    return uplift.status == "prepared" and "decision_maker" in access.staff_roles(user, uplift.programme_id)


def approve(user: Any, uplift_id: int) -> tuple[int, list[dict[str, Any]]]:
    """Apply it: (allocations varied, those skipped with why). Only a decision maker on the programme."""
    uplift = load(user, uplift_id)
    if not may_decide(user, uplift):
        raise NotFound(str(uplift_id))
    varied: dict[int, list[tuple[str, int]]] = {}
    skipped: list[dict[str, Any]] = []
    for item in uplift.items:
        award = db.session.get(Award, item["award_id"])
        why = None
        if award is None or award.state in states("award", "ended"):
            why = "it has ended"
        elif award.version_id != item["version_id"] or award.amount_pence != item["before"]:
            why = f"it changed since the preview (now {money(award.amount_pence)})"
        if why:
            skipped.append({"reference": item["reference"], "why": why})
            continue
        assert award is not None
        number = (db.session.scalar(select(func.max(Variation.number)).where(Variation.award_id == award.id)) or 0) + 1
        variation = Variation(
            award=award,
            number=number,
            old_amount_pence=award.amount_pence,
            new_amount_pence=item["after"],
            old_ends_on=award.ends_on,
            reason=f"{uplift.reason} ({uplift.reference}: {uplift.percent.normalize():f}% uplift)",
            requested_by_id=uplift.prepared_by_id,
            uplift_id=uplift.id,
        )
        start_case(variation, "variation", user)
        db.session.flush()
        apply_transition(variation, "approve", user, variation.reason, commit=False)
        spread_rise(
            user, award, item["after"] - item["before"], f"Uplift {uplift.reference} spread over the instalments"
        )
        varied.setdefault(award.organisation_id, []).append((award.public_reference, item["after"]))
        _raise_contract_value(award, item["after"] - item["before"], uplift, user)
    uplift.status, uplift.decided_by_id, uplift.decided_at, uplift.skipped = "approved", user.id, utcnow(), skipped
    _audit(uplift, user, "uplift_approved", {"varied": sum(len(v) for v in varied.values()), "skipped": skipped})
    _tell_providers(uplift, varied)
    _tell_officers(uplift, sum(len(v) for v in varied.values()), skipped)
    db.session.commit()
    return sum(len(v) for v in varied.values()), skipped


def _raise_contract_value(award: Award, rise: int, uplift: Uplift, user: Any) -> None:
    """The decision pays the allocation more, so its contract is worth that much more: the contract's
    value rises by the same amount (audited), keeping its allocations inside it."""
    contract = award.contract
    if contract is None or contract.amount_pence is None or rise <= 0:
        return
    before = contract.amount_pence
    contract.amount_pence = before + rise
    audit.record_on(
        contract,
        actor=user,
        action="value_raised",
        from_state=money(before),
        to_state=money(contract.amount_pence),
        reason=f"{uplift.reference}: {uplift.percent.normalize():f}% uplift of {award.public_reference}",
    )


def refuse(user: Any, uplift_id: int, reason: str) -> None:
    uplift = load(user, uplift_id)
    if not may_decide(user, uplift):
        raise NotFound(str(uplift_id))
    reason = reason.replace("\x00", "").strip()
    if not reason:
        raise FieldErrors({"reason": "Enter why the uplift is refused"})
    uplift.status, uplift.decided_by_id, uplift.decided_at = "refused", user.id, utcnow()
    _audit(uplift, user, "uplift_refused", {}, reason)
    db.session.commit()


def _tell_officers(uplift: Uplift, varied: int, skipped: list[dict[str, Any]]) -> None:
    """One email to the programme's officers for the whole decision (not one per allocation varied)."""
    officers = db.session.scalars(
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "officer", User.active.is_(True))
        .where((RoleGrant.programme_id == uplift.programme_id) | RoleGrant.programme_id.is_(None))
        .distinct()
    ).all()
    lines = [f"{uplift.reason}", "", f"{varied} allocations for {financial_year_label(uplift.financial_year)} "
             f"were increased by {uplift.percent.normalize():f}%; each provider has been told."]  # fmt: skip
    if skipped:
        lines += ["", "Skipped:"] + [f"- {s['reference']}: {s['why']}" for s in skipped]
    base = str(current_app.config["SERVICE_URL"]).rstrip("/")
    lines += ["", f"See the uplift: {base}/commissioning/uplifts/{uplift.id}"]
    subject = f"Uplift {uplift.reference} approved: {varied} allocations increased by {uplift.percent.normalize():f}%"
    mail.queue_emails((email, subject, "\n".join(lines), f"uplift:{uplift.id}:officers:{email}") for email in officers)


def _tell_providers(uplift: Uplift, varied: dict[int, list[tuple[str, int]]]) -> None:
    if not varied:
        return
    members = db.session.execute(
        select(Membership.organisation_id, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_(list(varied)), User.active.is_(True))
    ).all()
    messages = []
    for organisation_id, email in members:
        lines = "\n".join(f"- {reference}: now {money(after)}" for reference, after in varied[organisation_id])
        subject = f"Your allocations are increased by {uplift.percent.normalize():f}% ({uplift.reference})"
        body = f"{uplift.reason}\n\nYour allocations for {financial_year_label(uplift.financial_year)}:\n{lines}\n"
        messages.append((email, subject, body, f"uplift:{uplift.id}:{organisation_id}:{email}"))
    mail.queue_emails(messages)
