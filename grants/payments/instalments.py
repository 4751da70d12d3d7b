"""Finance's work on instalments: the list of what falls due, and approving, paying, holding,
releasing and cancelling one instalment.

Every change goes through the payment workflow (payment v2), which decides who may do what
(finance approves and pays; officers and finance hold and release; officers cancel) and
checks the conditions (award accepted, within the unpaid balance, tied return accepted, date
and reference recorded). A stale form is a Conflict: of two people marking one instalment
paid at once, one wins, one audit row is written, and the other is told.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import contains_eager, joinedload

from grants import access, audit
from grants.extensions import db
from grants.formatting import london_today, pounds_text
from grants.listing import Column, Sort, SortSpec, csv_lines
from grants.models import AuditEvent, Award, Organisation, Payment
from grants.pagination import Page, paginate
from grants.payments.services import (
    PAYMENT_ROLES,
    Invalid,
    before_award_message,
    parse_date,
    roles_on,
    typed_text,
)
from grants.workflow import apply_transition, engine
from grants.workflow_states import state_labels, states
from workflows import Option, TransitionEvent

REFERENCE_MAX = 64
# The reason a person must give, by action, in the words the form uses.
REASON_MISSING = {
    "hold": "Enter the reason for holding the payment",
    "release": "Enter the reason for releasing the hold",
    "cancel": "Enter the reason for cancelling the payment",
}
ACTIONS = ("approve", "mark_paid", "hold", "release", "cancel")
# Which actions a state offers, and to whom (the workflow checks again when it is applied).
OFFERED: dict[str, list[tuple[str, frozenset[str]]]] = {
    "scheduled": [
        ("approve", frozenset({"finance"})),
        ("hold", frozenset({"finance", "officer"})),
        ("cancel", frozenset({"officer"})),
    ],
    "approved": [("mark_paid", frozenset({"finance"})), ("hold", frozenset({"finance", "officer"}))],
    "held": [("release", frozenset({"finance", "officer"})), ("cancel", frozenset({"officer"}))],
}
NOT_CANCELLED = ""
OUTSTANDING = "outstanding"  # what Payments due opens on: every instalment not yet paid or cancelled
ACTION_ROLES = {
    "approve": frozenset({"finance"}),
    "mark_paid": frozenset({"finance"}),
    "hold": frozenset({"finance", "officer"}),
    "release": frozenset({"finance", "officer"}),
    "cancel": frozenset({"officer"}),
}
WHO = {"finance": "finance staff", "officer": "an officer"}


@dataclass(frozen=True)
class Filters:
    due_from: date | None = None
    due_to: date | None = None
    state: str = OUTSTANDING  # "" is every instalment not cancelled

    @property
    def any(self) -> bool:
        return self.due_from is not None or self.due_to is not None or self.state != OUTSTANDING


@dataclass(frozen=True)
class DueRow:
    payment: Payment
    state_label: str
    actions: tuple[str, ...]

    @property
    def overdue(self) -> bool:
        """Due before today (London) and not yet paid or cancelled."""
        ended = states("payment", "ended")
        return self.payment.state not in ended and self.payment.due_on < london_today()

    @property
    def waits_for(self) -> str | None:
        ret = self.payment.monitoring_return
        if ret is None:
            return None
        return f"{ret.period_label} return" + ("" if ret.state == "accepted" else " (not yet accepted)")


@dataclass(frozen=True)
class DueList:
    page: Page[DueRow]
    total_pence: int


def state_choices() -> list[tuple[str, str]]:
    return [
        (OUTSTANDING, "Not yet paid (scheduled, approved or held)"),
        (NOT_CANCELLED, "Any state but cancelled"),
        *state_labels("payment").items(),
    ]


def _visible(user: Any) -> ColumnElement[bool] | None:
    """None: every programme; otherwise a clause keeping the programmes the user works on."""
    grants = access.staff_grants(user)
    if grants.get(access.ALL_PROGRAMMES, frozenset()) & PAYMENT_ROLES:
        return None
    ids = [pid for pid, roles in grants.items() if pid is not None and roles & PAYMENT_ROLES]
    return Award.programme_id.in_(ids)


def _conditions(user: Any, filters: Filters) -> list[ColumnElement[bool]]:
    wanted: list[ColumnElement[bool]] = [access.free_of_conflict(user.id, Award.organisation_id)]
    visible = _visible(user)
    if visible is not None:
        wanted.append(visible)
    if filters.state == OUTSTANDING:
        wanted.append(Payment.state.not_in(states("payment", "ended")))
    else:
        wanted.append(Payment.state == filters.state if filters.state else Payment.state != "cancelled")
    if filters.due_from is not None:
        wanted.append(Payment.due_on >= filters.due_from)
    if filters.due_to is not None:
        wanted.append(Payment.due_on <= filters.due_to)
    return wanted


# The list's columns: it opens on the earliest due first (outstanding only: Filters).
SORTS = SortSpec(
    columns={
        "due": Column("Due", (Payment.due_on, Award.public_reference, Payment.instalment)),
        "reference": Column("Instalment", (Award.public_reference, Payment.instalment)),
        "organisation": Column("Organisation", (Organisation.name,)),
        "amount": Column("Amount", (Payment.amount_pence,)),
        "state": Column("State", (Payment.state,)),
    },
    default=Sort("due", "asc"),
    tie_breaker=Payment.id,
)


def _query(user: Any, filters: Filters, sort: Sort | None = None) -> Select[Any]:
    return (
        select(Payment)
        .join(Payment.award)
        .join(Award.organisation)
        .where(and_(*_conditions(user, filters)))
        .options(
            contains_eager(Payment.award).contains_eager(Award.organisation),
            joinedload(Payment.monitoring_return),
        )
        .order_by(*SORTS.order_by(sort or SORTS.default))
    )


def actions_for(user: Any, payment: Payment) -> tuple[str, ...]:
    """The actions to offer on this instalment, from its state and the user's roles (no queries)."""
    roles = roles_on(user, payment.award.programme_id)
    return tuple(name for name, who in OFFERED.get(payment.state, []) if roles & who)


def refusal(user: Any, payment: Payment, action: str) -> str | None:
    """Why this user may not take this action on the programme's instalments at all, or None."""
    if roles_on(user, payment.award.programme_id) & ACTION_ROLES[action]:
        return None
    return "Only " + " or ".join(WHO[r] for r in sorted(ACTION_ROLES[action])) + " of this programme can do this."


def list_due(user: Any, filters: Filters, page: int, per_page: int, sort: Sort | None = None) -> DueList:
    """One page of instalments (by due date unless `sort` says otherwise): the same few statements
    whatever the page size."""
    found = paginate(_query(user, filters, sort), page, per_page)
    total = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_pence), 0))
        .select_from(Payment)
        .join(Award, Award.id == Payment.award_id)
        .where(and_(*_conditions(user, filters)))
    )
    labels = state_labels("payment")
    rows = [DueRow(p, labels.get(p.state, p.state), actions_for(user, p)) for p in found.items]
    return DueList(
        page=Page(items=rows, page=found.page, per_page=found.per_page, total=found.total),
        total_pence=int(total or 0),
    )


DUE_CSV_HEADER = ("Due", "Instalment", "Award", "Organisation", "Amount (£)", "State", "Paid on", "Waits for")


def due_csv(user: Any, filters: Filters, sort: Sort | None = None) -> Iterator[str]:
    """The list as CSV, every page of it, with the same filters and order (streamed: memory stays flat)."""
    labels = state_labels("payment")

    def row(payment: Payment) -> list[Any]:
        line = DueRow(payment, labels.get(payment.state, payment.state), ())
        return [
            payment.due_on.isoformat(),
            payment.reference,
            payment.award.public_reference,
            payment.award.organisation.name,
            pounds_text(payment.amount_pence),
            line.state_label + (" (overdue)" if line.overdue else ""),
            payment.paid_on.isoformat() if payment.paid_on else "",
            line.waits_for or "",
        ]

    return csv_lines(DUE_CSV_HEADER, _query(user, filters, sort), row)


# -- one instalment ------------------------------------------------------------------------------
@dataclass
class PaymentPage:
    payment: Payment
    state_label: str
    options: list[Option]
    history: list[AuditEvent]
    show_bank_details: bool
    actions: tuple[str, ...]
    labels: dict[str, str]

    def problems(self, name: str) -> list[str]:
        """Why this action cannot be taken now; none for an action the page's form completes
        (marking paid needs the date and reference that its form asks for)."""
        option = next((o for o in self.options if o.name == name), None)
        if option is None:
            return []
        reasons = list(option.reasons)
        if name == "mark_paid" and self.payment.paid_on is None:
            reasons = [r for r in reasons if r != self.payment.paid_details_problem()]
        return reasons

    @property
    def others_blocked(self) -> list[Option]:
        """Actions out of this state that are not this user's to take now, with why."""
        return [o for o in self.options if not o.allowed and o.name not in self.actions]


def payment_page(user: Any, payment: Payment) -> PaymentPage:
    labels = state_labels("payment")
    return PaymentPage(
        payment=payment,
        state_label=labels.get(payment.state, payment.state),
        labels=labels,
        options=engine().available(payment, user),
        history=audit.history(payment),
        show_bank_details="finance" in roles_on(user, payment.award.programme_id),
        actions=actions_for(user, payment),
    )


def _done(event: TransitionEvent, payment: Payment) -> str:
    definition = engine().registry.get(event.workflow, event.workflow_version)
    label = definition.transitions[event.transition].label
    return f"{label}: done. {payment.reference} is now {definition.states[event.to_state].label.lower()}."


def approve(user: Any, payment: Payment, expected_version: int | None) -> str:
    """Approve for payment. Approvals on one award take turns (the payment case type's handler locks
    its row, whichever page asks), so two approved at once cannot together go over the unpaid balance."""
    return _done(apply_transition(payment, "approve", user, expected_version=expected_version), payment)


def _paid_on(parts: tuple[str, str, str], award: Award, today: date) -> tuple[date | None, str | None]:
    day, problem = parse_date(parts)
    if problem == "blank":
        return None, "Enter the date the payment was made"
    if problem:
        return None, f"The date paid {problem}"
    assert day is not None
    if day > today:
        return None, "The date paid cannot be in the future"
    if day < award.made_on:
        return None, before_award_message("The date paid", award)
    return day, None


def mark_paid(
    user: Any,
    payment: Payment,
    paid_on: tuple[str, str, str],
    reference: str,
    expected_version: int | None,
    *,
    today: date,
) -> str:
    """Record the date paid and finance's reference, and mark the instalment paid, in one transaction."""
    errors: dict[str, str] = {}
    day, problem = _paid_on(paid_on, payment.award, today)
    if problem:
        errors["paid_on"] = problem
    reference = typed_text(
        errors,
        "finance_reference",
        reference,
        "Enter the finance system reference",
        REFERENCE_MAX,
        f"The finance system reference must be {REFERENCE_MAX} characters or fewer",
    )
    if errors:
        raise Invalid(errors)
    fields = {"paid_on": day, "finance_reference": reference}
    return _done(
        apply_transition(payment, "mark_paid", user, expected_version=expected_version, fields=fields), payment
    )


def act(user: Any, payment: Payment, name: str, reason: str, expected_version: int | None) -> str:
    """Hold, release or cancel, each with the reason the person gave."""
    reason = reason.strip()
    if not reason:
        raise Invalid({"reason": REASON_MISSING[name]})
    return _done(apply_transition(payment, name, user, reason, expected_version=expected_version), payment)
