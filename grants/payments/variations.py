"""Variations: an officer asks to change an award's amount or end date, with a reason; a decision
maker approves (the workflow's effect changes the award and writes "amount_varied" /
"end_date_varied" to its history) or rejects with a reason; the officer may withdraw.

A grant holder may ask for the change themselves (grants.payments.asks): the variation starts
"asked", and an officer prepares it for a decision (checking and, where needed, changing the
figures and the reason) or declines it with a reason the organisation is emailed.

One variation under way at a time per award: a second while one is asked for or awaits approval
would be decided against an amount that is about to change. Starting one locks the award's row,
so two at once take turns and the second finds the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import contains_eager

from grants import access, audit, case_rules
from grants.extensions import db
from grants.formatting import london_date, money, pounds_text
from grants.listing import Column, Sort, SortSpec
from grants.models import AuditEvent, Award, Organisation, User, Variation
from grants.pagination import Page, paginate
from grants.payments.services import (
    OFFICER,
    VARIATION_ROLES,
    Invalid,
    NotAllowed,
    commit_or_stale,
    require_officer,
)
from grants.payments.variation_rules import next_number, open_variation, read_change
from grants.transactions import lock_row
from grants.workflow import apply_transition, engine, start_case
from grants.workflow_states import state_labels, states
from workflows import Option

ASKED, REQUESTED = "asked", "requested"  # a grant holder's ask; a variation awaiting approval
REASON_MISSING = {
    "reject": "Enter the reason for rejecting the variation",
    "withdraw": "Enter the reason for withdrawing the request",
    "decline": "Enter the reason for declining the ask: the organisation is emailed it",
}
DECISIONS = ("approve", "reject", "withdraw", "decline")
DECISION_ROLES = {
    "approve": ("decision_maker", "a decision maker"),
    "reject": ("decision_maker", "a decision maker"),
    "withdraw": ("officer", "an officer"),
    "decline": ("officer", "an officer"),
    "prepare": ("officer", "an officer"),
}


def pending(award: Award) -> Variation | None:
    """The award's variation under way (asked for by the grant holder, or awaiting approval), if any."""
    return open_variation(award)


def already_open(variation: Variation) -> str:
    """Why another variation cannot be started on the award while this one is under way (to staff)."""
    if variation.state == ASKED:
        return (
            f"This award already has a variation asked for by the grant holder ({variation.reference}): "
            "prepare it for a decision or decline it first."
        )
    return f"This award already has a variation awaiting approval ({variation.reference})."


def one_at_a_time(award: Award) -> None:
    """Hold the award's row until commit: two variations started at once take turns."""
    lock_row(Award, award.id)


def request_variation(user: Any, award: Award, amount_typed: str, ends: tuple[str, str, str], reason: str) -> Variation:
    """Ask for the change; Invalid (by field) or NotAllowed write nothing."""
    require_officer(user, award)
    if award.state in states("award", "ended"):
        raise NotAllowed("The award has ended and can no longer be varied.")
    one_at_a_time(award)
    waiting = pending(award)
    if waiting is not None:
        raise NotAllowed(already_open(waiting))
    change = read_change(award, amount_typed, ends, reason)
    variation = Variation(
        award=award,
        number=next_number(award),
        old_amount_pence=award.amount_pence,
        new_amount_pence=change.new_amount_pence,
        old_ends_on=award.ends_on,
        new_ends_on=change.new_ends_on,
        reason=change.reason,
        requested_by_id=getattr(user, "id", None),
    )
    start_case(variation, "variation", user)
    commit_or_stale()
    return variation


# -- an officer prepares a grant holder's ask --------------------------------------------------------
def prepare_values(variation: Variation) -> dict[str, Any]:
    """The prepare form as first shown: the grant holder's figures and reason, to check and change."""
    ends = variation.new_ends_on
    return {
        "amount": pounds_text(variation.new_amount_pence),
        "ends_on": (str(ends.day), str(ends.month), str(ends.year)) if ends else ("", "", ""),
        "reason": variation.reason,
    }


def prepare(
    user: Any,
    variation: Variation,
    amount_typed: str,
    ends: tuple[str, str, str],
    reason: str,
    expected_version: int | None,
) -> str:
    """Send the grant holder's ask to a decision maker with the figures and reason the officer settled on.

    The same checks as an officer's own request (Invalid, by field); a stale version is a Conflict and
    changes nothing. The figures the grant holder asked for stay in the variation's history when changed.
    """
    change = read_change(variation.award, amount_typed, ends, reason)
    fields = {
        "new_amount_pence": change.new_amount_pence,
        "new_ends_on": change.new_ends_on,
        "reason": change.reason,
    }
    apply_transition(variation, "prepare", user, change.reason, expected_version=expected_version, fields=fields)
    return f"{variation.reference} has been sent for approval."


# -- the queues ------------------------------------------------------------------------------------
# Two lists, one page: the variations awaiting a decision maker's approval, and (?state=asked) the grant
# holders' asks waiting for an officer to prepare or decline them. Each lists the programmes where the user
# holds a role that acts on it there, leaving out the awards of organisations the user belongs to, so an
# officer's "Variations to prepare" count on Your work (grants.work_queues) is exactly what the list shows.
@dataclass(frozen=True)
class QueueKind:
    state: str
    title: str
    roles: frozenset[str]
    intro: str
    empty: str


QUEUES = {
    REQUESTED: QueueKind(
        REQUESTED,
        "Variations awaiting approval",
        VARIATION_ROLES,
        "Changes to awards' amounts and end dates waiting for a decision maker, oldest first.",
        "No variations are awaiting approval.",
    ),
    ASKED: QueueKind(
        ASKED,
        "Variations to prepare",
        OFFICER,
        "Changes grant holders have asked for, oldest first: check each, then prepare it for a decision or decline it.",
        "No grant holder has a change waiting to be prepared.",
    ),
}


def queue_kind(typed: str | None) -> QueueKind:
    """The list the address asks for (?state=asked); anything else is the approvals list."""
    return QUEUES.get(str(typed or ""), QUEUES[REQUESTED])


def _visible(user: Any, roles: frozenset[str]) -> list[ColumnElement[bool]]:
    clauses = [case_rules.of_award(Variation.award_id)(user)]
    programmes = access.programmes_with(user, roles)
    if programmes is not None:
        clauses.append(Award.programme_id.in_(programmes))
    return clauses


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


def queue(
    user: Any, page: int, per_page: int, sort: Sort | None = None, kind: QueueKind = QUEUES[REQUESTED]
) -> Page[Variation]:
    """Variations in the queue's state (longest waiting first unless `sort` says otherwise), on the
    programmes where the user acts on them, conflicts of interest left out."""
    query = (
        select(Variation)
        .join(Variation.award)
        .where(Variation.state == kind.state, *_visible(user, kind.roles))
        .options(contains_eager(Variation.award).joinedload(Award.organisation))
        .order_by(*QUEUE_SORTS.order_by(sort or QUEUE_SORTS.default))
    )
    return paginate(query, page, per_page)


@dataclass
class VariationPage:
    variation: Variation
    state_label: str
    options: list[Option]
    history: list[AuditEvent]
    requested_by: str
    queue: QueueKind  # the list it is on (or was on), for the way back
    asked_by_grant_holder: bool = False

    @property
    def allowed(self) -> list[str]:
        return [o.name for o in self.options if o.allowed]

    @property
    def blocked(self) -> list[Option]:
        return [o for o in self.options if not o.allowed]


def variation_page(user: Any, variation: Variation) -> VariationPage:
    requester = db.session.get(User, variation.requested_by_id) if variation.requested_by_id else None
    history = audit.history(variation)
    asked = any(e.action == "create" and e.to_state == ASKED for e in history)
    return VariationPage(
        variation=variation,
        state_label=state_labels("variation").get(variation.state, variation.state),
        options=engine().available(variation, user),
        history=history,
        requested_by=requester.name if requester else "Unknown",
        queue=QUEUES[ASKED] if variation.state == ASKED else QUEUES[REQUESTED],
        asked_by_grant_holder=asked,
    )


def refusal(user: Any, variation: Variation, name: str) -> str | None:
    """Why this user may not take this step on the programme's variations at all, or None."""
    role, who = DECISION_ROLES[name]
    if role in access.staff_roles(user, variation.award.programme_id):
        return None
    return f"Only {who} of this programme can do this."


def decide(user: Any, variation: Variation, name: str, reason: str, expected_version: int | None) -> str:
    """Approve, reject, withdraw or decline. Approving changes the award in the same transaction."""
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
