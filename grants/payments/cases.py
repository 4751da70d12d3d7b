"""The kinds of case the payments area owns: instalments (payments) and variations of an award.

Approving an instalment locks its award's row first, whichever page asked, so two approvals on
one award take turns and can never together go over the unpaid balance. Marking one paid records
the date and the finance system's reference in the same transaction as the change of state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import audit
from grants.case_types import Action, CaseType, Step
from grants.formatting import london_date, money
from grants.models import Award, Payment, Variation
from grants.payments.services import award_for_update
from grants.workflow_states import states
from workflows import Context, TransitionEvent


# -- payments ----------------------------------------------------------------------------------------
def award_accepted(ctx: Context) -> str | None:
    """A payment may only be approved on an award the grantee has accepted."""
    if ctx.subject.award.state not in states("award", "in_delivery"):
        return "The award must be accepted by the grantee before a payment is approved."
    return None


def within_unpaid_balance(ctx: Context) -> str | None:
    payment = ctx.subject
    unpaid = payment.award.unpaid_pence(excluding=payment)
    if payment.amount_pence > unpaid:
        return f"This payment is more than the award's unpaid balance ({money(unpaid)})."
    return None


def return_accepted(ctx: Context) -> str | None:
    """An instalment tied to a monitoring return waits until that return is accepted."""
    return ctx.subject.return_problem()


def payment_details_recorded(ctx: Context) -> str | None:
    """The date paid and the finance system's reference, not before the award."""
    return ctx.subject.paid_details_problem()


def record_payment_time(ctx: Context) -> None:
    ctx.subject.paid_at = ctx.now


def approve(action: Action) -> TransitionEvent:
    """Approvals on one award take turns: its row is locked (PostgreSQL) and read afresh."""
    award_for_update(action.subject.award_id)
    return action.apply()


def mark_paid(action: Action) -> TransitionEvent:
    """The date paid and the finance reference, when the page gave them, go in with the change."""
    payment = action.subject
    if "paid_on" in action.fields:
        payment.paid_on = action.fields["paid_on"]
    if "finance_reference" in action.fields:
        payment.finance_reference = action.fields["finance_reference"]
    return action.apply()


def payment_facts(subject: Payment) -> list[tuple[str, str]]:
    return [
        ("Award", subject.award.reference),
        ("Organisation", subject.award.organisation.name),
        ("Instalment", str(subject.instalment)),
        ("Amount", money(subject.amount_pence)),
        ("Due", london_date(subject.due_on)),
        ("Paid", london_date(subject.paid_on) or "Not yet"),
        ("Finance system reference", subject.finance_reference or "None yet"),
    ]


def _by_award(column: Any) -> Any:
    return lambda ids: column.in_(select(Award.id).where(Award.programme_id.in_(ids)))


PAYMENT = CaseType(
    kind="payment",
    model=Payment,
    workflow="payment",
    label="Payment",
    plural="Payments",
    guards={
        "award_accepted": award_accepted,
        "within_unpaid_balance": within_unpaid_balance,
        "return_accepted": return_accepted,
        "payment_details_recorded": payment_details_recorded,
    },
    effects={"record_payment_time": record_payment_time},
    steps={"approve": Step(handler=approve), "mark_paid": Step(handler=mark_paid)},
    facts=payment_facts,
    programme_clause=_by_award(Payment.award_id),
    eager=lambda: [joinedload(Payment.award).joinedload(Award.organisation)],
)


# -- variations --------------------------------------------------------------------------------------
def variation_applicable(ctx: Context) -> str | None:
    return ctx.subject.variation_problem()


def apply_variation(ctx: Context) -> None:
    """Change the award as the variation says, and write the money change to the award's own history."""
    for change in ctx.subject.apply_to_award():
        award = change["subject"]
        audit.record_on(
            award,
            actor=ctx.user,
            action=change["action"],
            from_state=change["before"],
            to_state=change["after"],
            reason=ctx.reason or getattr(ctx.subject, "reason", None),
            data={"by": ctx.subject.reference},
            at=ctx.now,
        )


def variation_facts(subject: Variation) -> list[tuple[str, str]]:
    return [
        ("Award", subject.award.reference),
        ("Organisation", subject.award.organisation.name),
        ("Amount now", money(subject.award.amount_pence)),
        ("New amount", money(subject.new_amount_pence) if subject.new_amount_pence is not None else "No change"),
        ("New end date", london_date(subject.new_ends_on) or "No change"),
        ("Why", subject.reason),
    ]


VARIATION = CaseType(
    kind="variation",
    model=Variation,
    workflow="variation",
    label="Award variation",
    plural="Award variations",
    guards={"variation_applicable": variation_applicable},
    effects={"apply_variation": apply_variation},
    facts=variation_facts,
    programme_clause=_by_award(Variation.award_id),
    eager=lambda: [joinedload(Variation.award).joinedload(Award.organisation)],
)

CASE_TYPES = [PAYMENT, VARIATION]
