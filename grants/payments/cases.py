"""The kinds of case the payments area owns: instalments (payments) and variations of an award.

Approving an instalment locks its award's row first, whichever page asked, so two approvals on
one award take turns and can never together go over the unpaid balance. Marking one paid records
the date and the finance system's reference in the same transaction as the change of state.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import joinedload

from grants import audit, case_rules
from grants.case_types import Action, CaseType, Step
from grants.formatting import london_date, london_today, money
from grants.models import Award, Payment, Variation
from grants.monitoring.schedule import reschedule
from grants.payments import bank_checks, variation_rules
from grants.payments.services import award_for_update
from grants.work_queues import Queue
from grants.workflow_states import states
from workflows import Conflict, Context, TransitionEvent, TransitionRefused


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


def record_payment_time(ctx: Context) -> None:
    ctx.subject.paid_at = ctx.now


def bank_details_ready(ctx: Context) -> str | None:
    """Nothing is approved or paid to an organisation without its bank details, nor after they changed
    until finance has verified the new ones."""
    answer: str | None = ctx.subject.award.organisation.bank_details_problem()
    return answer


def separate_duties(ctx: Context) -> str | None:
    """Segregation of duties: the finance user who approved an instalment does not also mark it paid
    (unless the programme says one person may do both)."""
    payment = ctx.subject
    if not payment.award.programme.separate_payment_duties or payment.approved_by_id is None:
        return None
    if payment.approved_by_id == getattr(ctx.user, "id", None):
        return "You approved this instalment for payment, so another finance user must mark it paid."
    return None


def record_approver(ctx: Context) -> None:
    ctx.subject.approved_by_id = getattr(ctx.user, "id", None)


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
        *case_rules.award_facts(subject.award),
        ("Instalment", str(subject.instalment)),
        ("Amount", money(subject.amount_pence)),
        ("Due", london_date(subject.due_on)),
        ("Paid", london_date(subject.paid_on) or "Not yet"),
        ("Finance system reference", subject.finance_reference or "None yet"),
    ]


PAYMENT = CaseType(
    model=Payment,
    label="Payment",
    guards={
        "award_accepted": award_accepted,
        "within_unpaid_balance": within_unpaid_balance,
        # The instalment answers these itself (grants/models/awards.py): a tied return accepted; the date
        # paid and the finance reference recorded, not before the award.
        "return_accepted": case_rules.asks("return_problem"),
        "payment_details_recorded": case_rules.asks("paid_details_problem"),
        "bank_details_ready": bank_details_ready,
        "separate_duties": separate_duties,
    },
    effects={"record_payment_time": record_payment_time, "record_approver": record_approver},
    steps={"approve": Step(handler=approve), "mark_paid": Step(handler=mark_paid)},
    facts=payment_facts,
    programme_clause=case_rules.through_award(Payment.award_id),
    district_clause=case_rules.award_in_district(Payment.award_id),
    conflict_clause=case_rules.of_award(Payment.award_id),
    eager=lambda: [joinedload(Payment.award).joinedload(Award.organisation)],
)


# -- variations --------------------------------------------------------------------------------------
def apply_variation(ctx: Context) -> None:
    """Change the award as the variation says, and write the money change to the award's own history."""
    changes = ctx.subject.apply_to_award()
    for change in changes:
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
    if any(change["action"] == "end_date_varied" for change in changes):
        # The returns not sent yet follow the award's new end date (grants.monitoring.schedule).
        reschedule(ctx.subject.award, ctx.user, ctx.now, why=f"Award varied ({ctx.subject.reference})")


def withdrawn_by_its_holder(ctx: Context) -> str | None:
    """Whoever holds a variation withdraws it: the grant holder their own ask while it is with the
    officers (an officer declines it instead, with a reason the organisation is emailed); an officer
    one awaiting a decision maker's approval."""
    roles = ctx.host.roles_for(ctx.user, ctx.subject)
    if ctx.subject.state == "asked":
        if "applicant" not in roles:
            return "The grant holder may withdraw their own ask; an officer declines it instead, with a reason."
    elif "officer" not in roles:
        return "Only an officer can withdraw a variation that is awaiting approval."
    return None


def prepare_variation(action: Action) -> TransitionEvent:
    """An officer sends a grant holder's ask to a decision maker with the figures and reason they settled
    on (the page's `fields`; without them, as asked), checked as an officer's own request is. Figures
    changed from the grant holder's are recorded on the variation's history before they go."""
    variation = action.subject
    if action.expected_version is not None and variation.version_id != action.expected_version:
        raise Conflict(variation)
    amount = action.fields.get("new_amount_pence", variation.new_amount_pence)
    ends = action.fields.get("new_ends_on", variation.new_ends_on)
    problems = list(variation_rules.figure_problems(variation.award, amount, ends).values())
    if amount is None and ends is None:
        problems.insert(0, variation_rules.OFFICER_WORDS.nothing + ".")
    if problems:
        raise TransitionRefused(problems)
    asked = (variation.new_amount_pence, variation.new_ends_on)
    variation.new_amount_pence, variation.new_ends_on = amount, ends
    variation.reason = action.fields.get("reason") or variation.reason
    event = action.apply()
    if (amount, ends) != asked:
        audit.record_on(
            variation,
            actor=action.user,
            action="asked_figures_changed",
            from_state=variation_rules.figures_in_brief(*asked),
            to_state=variation_rules.figures_in_brief(amount, ends),
            reason=action.reason,
            data={
                "amount_pence": [asked[0], amount],
                "ends_on": [d.isoformat() if d else None for d in (asked[1], ends)],
            },
            at=event.at,
        )
    return event


def asked_for(ctx: Context) -> str:
    """What the grant holder asked for, in the email that declines it."""
    variation = ctx.subject
    change = variation_rules.change_in_words(
        variation.new_amount_pence, variation.old_amount_pence, variation.new_ends_on, variation.old_ends_on
    )
    return f"You asked for: {change[:1].lower()}{change[1:]}."


def variation_facts(subject: Variation) -> list[tuple[str, str]]:
    return [
        *case_rules.award_facts(subject.award),
        ("Amount now", money(subject.award.amount_pence)),
        ("New amount", money(subject.new_amount_pence) if subject.new_amount_pence is not None else "No change"),
        ("New end date", london_date(subject.new_ends_on) or "No change"),
        ("Why", subject.reason),
    ]


VARIATION = CaseType(
    model=Variation,
    label="Award variation",
    guards={
        "variation_applicable": case_rules.asks("variation_problem"),
        "withdrawn_by_its_holder": withdrawn_by_its_holder,
    },
    effects={"apply_variation": apply_variation},
    steps={"prepare": Step(handler=prepare_variation), "decline": Step(email_details=asked_for)},
    # One decision varying many allocations tells each provider and the officers once (grants.commissioning.uplifts).
    quiet=lambda context: context.subject.uplift_id is not None,
    facts=variation_facts,
    programme_clause=case_rules.through_award(Variation.award_id),
    district_clause=case_rules.award_in_district(Variation.award_id),
    conflict_clause=case_rules.of_award(Variation.award_id),
    eager=lambda: [joinedload(Variation.award).joinedload(Award.organisation)],
)

CASE_TYPES = [PAYMENT, VARIATION]

FINANCE = frozenset({"finance"})


def _due_by_today() -> dict[str, Any]:
    """Payments due, narrowed to the scheduled instalments due by today (its date fields)."""
    today = london_today()
    return {"state": "scheduled", "to-day": today.day, "to-month": today.month, "to-year": today.year}


WORK_QUEUES = [
    Queue("instalments_to_approve", "Instalments due, to approve", FINANCE,
          "Check the conditions are met and approve for payment", kind="payment", states=("scheduled",),
          where=lambda: Payment.due_on <= london_today(), endpoint="payments.due", endpoint_args=_due_by_today),
    Queue("instalments_to_pay", "Approved instalments to pay", FINANCE, "Add them to a payment run",
          kind="payment", states=("approved",), endpoint="payments.due", endpoint_args=lambda: {"state": "approved"}),
    Queue("instalments_held", "Instalments on hold", FINANCE | {"officer"}, kind="payment", states=("held",),
          endpoint="payments.due", endpoint_args=lambda: {"state": "held"}),
    Queue("instalments_blocked", "Approved instalments waiting for bank details", FINANCE,
          "The payment run page says why for each", count=bank_checks.blocked_count, endpoint="payments.new_run"),
    Queue("bank_details_changed", "Organisations whose bank details changed, to check", FINANCE,
          "Check the new details with the organisation before anything more is paid",
          count=bank_checks.waiting_count, endpoint="payments.bank_details"),
    Queue("variations_to_decide", "Variations awaiting approval", frozenset({"decision_maker"}),
          kind="variation", states=("requested",)),
    Queue("variations_to_prepare", "Variations to prepare", frozenset({"officer"}),
          "Grant holders' asks to change their grants: prepare each for a decision, or decline it",
          kind="variation", states=("asked",), endpoint="payments.variation_queue",
          endpoint_args=lambda: {"state": "asked"}),
]  # fmt: skip
