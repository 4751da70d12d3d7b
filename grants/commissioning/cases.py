"""The kind of case the commissioning area owns: a commissioned contract or strand of provision.

The contract definition (grants/definitions/contract.v2.toml) names these guards and effects. The
contract answers most questions itself (grants/models/commissioning.py); what needs other rows —
its allocations — is asked here.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.case_types import CaseType
from grants.extensions import db
from grants.formatting import london_date, money
from grants.models import Award, Contract
from grants.work_queues import Queue
from grants.workflow_states import states
from workflows import Context


def contract_facts(subject: Contract) -> list[tuple[str, str]]:
    return [
        ("Programme", subject.programme.name),
        ("Provider", subject.provider.name if subject.provider else "Not chosen yet"),
        ("Title", subject.title),
        ("Value", money(subject.amount_pence)),
        ("Ends", london_date(subject.end_date) or "Not set"),
    ]


# -- guards ------------------------------------------------------------------------------------------
def one_approval_enough(ctx: Context) -> str | None:
    if ctx.subject.needs_second_approval():
        return "Above £100,000 the award needs two decision makers: approve it as the first of two."
    return None


def second_approval_needed(ctx: Context) -> str | None:
    if not ctx.subject.needs_second_approval():
        return "At £100,000 or less one decision maker awards the contract: award it."
    return None


def another_decision_maker(ctx: Context) -> str | None:
    if ctx.user is not None and ctx.user.id == ctx.subject.approved_by_id:
        return "You gave the first approval: a second, different decision maker must approve it."
    return None


def within_extension_options(ctx: Context) -> str | None:
    return ctx.subject.extension_problem()


def unsettled_allocations(contract: Contract) -> list[str]:
    """The references of the contract's allocations still running (being paid, or not closed)."""
    ended = states("award", "ended")
    return list(
        db.session.scalars(
            select(Award.public_reference)
            .where(Award.contract_id == contract.id, Award.state.not_in(ended))
            .order_by(Award.public_reference)
        )
    )


def allocations_settled(ctx: Context) -> str | None:
    running = unsettled_allocations(ctx.subject)
    if running:
        return (
            f"{len(running)} allocation{'s are' if len(running) != 1 else ' is'} still being paid "
            f"({', '.join(running[:5])}{', …' if len(running) > 5 else ''}): close or cancel "
            f"{'them' if len(running) != 1 else 'it'} first."
        )
    return None


# -- effects -----------------------------------------------------------------------------------------
def record_approval(ctx: Context) -> None:
    ctx.subject.approved_by_id = ctx.user.id if ctx.user is not None else None
    ctx.subject.approved_at = ctx.now


def record_second_approval(ctx: Context) -> None:
    ctx.subject.second_approved_by_id = ctx.user.id if ctx.user is not None else None
    ctx.subject.second_approved_at = ctx.now


def clear_approval(ctx: Context) -> None:
    ctx.subject.approved_by_id = None
    ctx.subject.approved_at = None


CONTRACT = CaseType(
    model=Contract,
    label="Contract",
    plural="Contracts and strands",
    guards={
        **case_rules.GUARDS,
        "need_recorded": case_rules.asks("need_problem"),
        "direct_award_justified": case_rules.asks("direct_award_problem"),
        "contract_terms_set": case_rules.asks("terms_problem"),
        "one_approval_enough": one_approval_enough,
        "second_approval_needed": second_approval_needed,
        "another_decision_maker": another_decision_maker,
        "within_extension_options": within_extension_options,
        "allocations_settled": allocations_settled,
    },
    effects={
        "record_approval": record_approval,
        "record_second_approval": record_second_approval,
        "clear_approval": clear_approval,
    },
    facts=contract_facts,
    programme_clause=case_rules.by_programme(Contract.programme_id),
    conflict_clause=case_rules.of_organisation(Contract.provider_id),
    eager=lambda: [joinedload(Contract.provider), joinedload(Contract.programme)],
)

CASE_TYPES = [CONTRACT]

WORK_QUEUES = [
    Queue("contracts_to_approve", "Contract awards awaiting approval", frozenset({"decision_maker"}),
          kind="contract", states=("procurement", "awaiting_second_approval")),
]  # fmt: skip
