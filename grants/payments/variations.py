"""Variations: an officer asks to change an award's amount or end date, with a reason; a decision
maker approves (the workflow's effect changes the award and writes "amount_varied" /
"end_date_varied" to its history) or rejects with a reason; the officer may withdraw.

One request at a time per award: a second while one awaits approval would be decided
against an amount that is about to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager

from grants import access, audit
from grants.extensions import db
from grants.formatting import london_date, money, pence_from_pounds
from grants.listing import Column, Sort, SortSpec
from grants.models import AuditEvent, Award, Organisation, User, Variation
from grants.pagination import Page, paginate
from grants.payments.services import (
    VARIATION_ROLES,
    Invalid,
    NotAllowed,
    commit_or_stale,
    parse_date,
    require_officer,
    typed_text,
)
from grants.workflow import apply_transition, engine, start_case
from grants.workflow_states import state_labels, states
from workflows import Option

REASON_MISSING = {
    "reject": "Enter the reason for rejecting the variation",
    "withdraw": "Enter the reason for withdrawing the request",
}
DECISIONS = ("approve", "reject", "withdraw")
DECISION_ROLES = {
    "approve": ("decision_maker", "a decision maker"),
    "reject": ("decision_maker", "a decision maker"),
    "withdraw": ("officer", "an officer"),
}
REASON_MAX = 5000


def pending(award: Award) -> Variation | None:
    return db.session.scalar(
        select(Variation).where(Variation.award_id == award.id, Variation.state == "requested").limit(1)
    )


def request_variation(user: Any, award: Award, amount_typed: str, ends: tuple[str, str, str], reason: str) -> Variation:
    """Ask for the change; Invalid (by field) or NotAllowed write nothing."""
    require_officer(user, award)
    if award.state in states("award", "ended"):
        raise NotAllowed("The award has ended and can no longer be varied.")
    waiting = pending(award)
    if waiting is not None:
        raise NotAllowed(f"This award already has a variation awaiting approval ({waiting.reference}).")
    errors: dict[str, str] = {}
    typed = amount_typed.strip()
    new_amount: int | None = None
    if typed:
        new_amount = pence_from_pounds(typed)
        if typed.replace(" ", "").lstrip("£").startswith("-") or new_amount == 0:
            errors["amount"] = "The new amount must be more than £0"
        elif new_amount is None:
            errors["amount"] = "Enter the new amount in pounds and pence, like 7500 or 7,500.50"
        elif new_amount == award.amount_pence:
            errors["amount"] = f"The new amount is the same as the award now ({money(award.amount_pence)})"
        else:
            committed = award.committed_pence()
            if new_amount < committed:
                errors["amount"] = (
                    f"The new amount cannot be less than is already paid or approved ({money(committed)})"
                )
    new_ends: date | None = None
    day, problem = parse_date(ends)
    if problem and problem != "blank":
        errors["ends_on"] = f"The new end date {problem}"
    elif day is not None:
        if award.starts_on is not None and day <= award.starts_on:
            errors["ends_on"] = f"The new end date must be after the start date ({london_date(award.starts_on)})"
        elif day == award.ends_on:
            errors["ends_on"] = "The new end date is the same as the award's end date now"
        else:
            new_ends = day
    if not typed and problem == "blank":
        errors["amount"] = "Enter a new amount or a new end date, or both"
    if award.contract is not None:
        errors.update({k: v for k, v in _allocation_limits(award, new_amount, new_ends).items() if k not in errors})
    reason = typed_text(
        errors,
        "reason",
        reason,
        "Enter the reason for the variation",
        REASON_MAX,
        f"The reason must be {REASON_MAX:,} characters or fewer",
    )
    if errors:
        raise Invalid(errors)
    number = (
        db.session.scalar(select(func.coalesce(func.max(Variation.number), 0)).where(Variation.award_id == award.id))
        or 0
    ) + 1
    variation = Variation(
        award=award,
        number=number,
        old_amount_pence=award.amount_pence,
        new_amount_pence=new_amount,
        old_ends_on=award.ends_on,
        new_ends_on=new_ends,
        reason=reason,
        requested_by_id=getattr(user, "id", None),
    )
    start_case(variation, "variation", user)
    commit_or_stale()
    return variation


def _allocation_limits(award: Award, new_amount: int | None, new_ends: date | None) -> dict[str, str]:
    """A contract's allocation stays inside its contract: within the contract's value (with the
    contract's other live allocations) and its end date, and within its own financial year."""
    contract = award.contract
    assert contract is not None
    errors: dict[str, str] = {}
    if new_amount is not None and contract.amount_pence is not None:
        others = int(
            db.session.scalar(
                select(func.coalesce(func.sum(Award.amount_pence), 0)).where(
                    Award.contract_id == contract.id,
                    Award.id != award.id,
                    Award.state.not_in(states("award", "fallen_away")),
                )
            )
            or 0
        )
        if others + new_amount > contract.amount_pence:
            errors["amount"] = (
                f"This would bring {contract.reference}'s allocations to {money(others + new_amount)}, "
                f"above the contract's value of {money(contract.amount_pence)}"
            )
    if new_ends is not None:
        if contract.end_date is not None and new_ends > contract.end_date:
            errors["ends_on"] = (
                f"The new end date is after {contract.reference} ends ({london_date(contract.end_date)}): "
                "extend the contract first"
            )
        elif award.starts_on is not None:
            year_end = date(award.starts_on.year + (award.starts_on.month >= 4), 3, 31)
            if new_ends > year_end:
                errors["ends_on"] = (
                    f"An allocation is for one financial year: the new end date must be on or before "
                    f"{london_date(year_end)}"
                )
    return errors


# -- the decision makers' queue ------------------------------------------------------------------
def _visible(user: Any) -> ColumnElement[bool] | None:
    grants = access.staff_grants(user)
    if grants.get(access.ALL_PROGRAMMES, frozenset()) & VARIATION_ROLES:
        return None
    return Award.programme_id.in_([pid for pid, roles in grants.items() if pid is not None and roles & VARIATION_ROLES])


# The queue's sortable columns (?sort=<key>&dir=asc|desc); it opens on the longest waiting first.
QUEUE_SORTS = SortSpec(
    columns={
        "reference": Column("Variation", (Award.public_reference, Variation.number)),
        "organisation": Column(
            "Organisation",
            (select(Organisation.name).where(Organisation.id == Award.organisation_id).scalar_subquery(),),
        ),
        "asked": Column("Asked on", (Variation.created_at,)),
    },
    default=Sort("asked", "asc"),
    tie_breaker=Variation.id,
)


def queue(user: Any, page: int, per_page: int, sort: Sort | None = None) -> Page[Variation]:
    """Variations awaiting approval (longest waiting first unless `sort` says otherwise), on the
    programmes the user works on."""
    query = (
        select(Variation)
        .join(Variation.award)
        .where(Variation.state == "requested")
        .options(contains_eager(Variation.award).joinedload(Award.organisation))
        .order_by(*QUEUE_SORTS.order_by(sort or QUEUE_SORTS.default))
    )
    visible = _visible(user)
    if visible is not None:
        query = query.where(visible)
    return paginate(query, page, per_page)


@dataclass
class VariationPage:
    variation: Variation
    state_label: str
    options: list[Option]
    history: list[AuditEvent]
    requested_by: str

    @property
    def allowed(self) -> list[str]:
        return [o.name for o in self.options if o.allowed]

    @property
    def blocked(self) -> list[Option]:
        return [o for o in self.options if not o.allowed]


def variation_page(user: Any, variation: Variation) -> VariationPage:
    requester = db.session.get(User, variation.requested_by_id) if variation.requested_by_id else None
    return VariationPage(
        variation=variation,
        state_label=state_labels("variation").get(variation.state, variation.state),
        options=engine().available(variation, user),
        history=audit.history(variation),
        requested_by=requester.name if requester else "Unknown",
    )


def refusal(user: Any, variation: Variation, name: str) -> str | None:
    """Why this user may not take this step on the programme's variations at all, or None."""
    role, who = DECISION_ROLES[name]
    if role in access.staff_roles(user, variation.award.programme_id):
        return None
    return f"Only {who} of this programme can do this."


def decide(user: Any, variation: Variation, name: str, reason: str, expected_version: int | None) -> str:
    """Approve, reject or withdraw. Approving changes the award in the same transaction."""
    reason = reason.strip()
    if name in REASON_MISSING and not reason:
        raise Invalid({"reason": REASON_MISSING[name]})
    event = apply_transition(variation, name, user, reason or None, expected_version=expected_version)
    definition = engine().registry.get(event.workflow, event.workflow_version)
    label = definition.states[event.to_state].label.lower()
    message = f"{variation.reference} is now {label}."
    if name == "approve":
        message += f" The award is now {money(variation.award.amount_pence)}"
        if variation.award.ends_on:
            message += f", ending {london_date(variation.award.ends_on)}"
        message += "."
    return message
