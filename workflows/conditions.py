"""Named guards that definitions refer to.

A condition returns None when the transition may go ahead, or a sentence saying
why not (shown to officers). Conditions read the subject through plain
attributes, so they know nothing of any one programme.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from workflows.context import Context

Condition = Callable[[Context], str | None]
CONDITIONS: dict[str, Condition] = {}


def condition(name: str) -> Callable[[Condition], Condition]:
    def register(fn: Condition) -> Condition:
        CONDITIONS[name] = fn
        return fn

    return register


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@condition("round_accepts_submissions")
def round_accepts_submissions(ctx: Context) -> str | None:
    """The subject's round is open and its closing time has not passed."""
    round_ = ctx.subject.round
    if round_.state != "open":
        if round_.closes_at is not None and ctx.now >= _utc(round_.closes_at):
            return f"The round closed on {ctx.local(round_.closes_at)}."
        return "The round is not open for applications."
    if round_.closes_at is not None and ctx.now >= _utc(round_.closes_at):
        return f"The round closed on {ctx.local(round_.closes_at)}."
    return None


@condition("has_schedule")
def has_schedule(ctx: Context) -> str | None:
    """A round has an opening and a closing time, in that order."""
    subject = ctx.subject
    if subject.opens_at is None or subject.closes_at is None:
        return "Set the opening and closing times first."
    if _utc(subject.closes_at) <= _utc(subject.opens_at):
        return "The closing time must be after the opening time."
    return None


@condition("screening_passed")
def screening_passed(ctx: Context) -> str | None:
    return ctx.subject.screening_problem()


@condition("meets_minimum_scores")
def meets_minimum_scores(ctx: Context) -> str | None:
    return ctx.subject.minimum_score_problem()


@condition("approvals_complete")
def approvals_complete(ctx: Context) -> str | None:
    return ctx.subject.approval_problem()


@condition("every_criterion_scored")
def every_criterion_scored(ctx: Context) -> str | None:
    missing = ctx.subject.missing_criteria()
    if missing:
        return "Score every criterion first: " + ", ".join(missing) + "."
    return None


@condition("has_amount")
def has_amount(ctx: Context) -> str | None:
    if not ctx.subject.amount_pence or ctx.subject.amount_pence <= 0:
        return "The amount must be more than £0."
    return None


@condition("award_accepted")
def award_accepted(ctx: Context) -> str | None:
    """A payment may only be approved on an award the grantee has accepted."""
    award = ctx.subject.award
    if award.state not in {"accepted", "active"}:
        return "The award must be accepted by the grantee before a payment is approved."
    return None


@condition("within_unpaid_balance")
def within_unpaid_balance(ctx: Context) -> str | None:
    payment = ctx.subject
    unpaid = payment.award.unpaid_pence(excluding=payment)
    if payment.amount_pence > unpaid:
        return f"This payment is more than the award's unpaid balance (£{unpaid / 100:,.2f})."
    return None


# Awards, payments and variations answer their own readiness questions (a sentence, or None);
# these conditions only ask, so the engine stays free of any programme's rules.
@condition("offer_ready")
def offer_ready(ctx: Context) -> str | None:
    """An offer names its grant agreement terms and a date to reply by."""
    return ctx.subject.offer_problem()


@condition("acceptance_signed")
def acceptance_signed(ctx: Context) -> str | None:
    """A named signatory, their position, the date and the declaration."""
    return ctx.subject.acceptance_problem()


@condition("schedule_matches_award")
def schedule_matches_award(ctx: Context) -> str | None:
    """The live instalments add up to the award, to the penny."""
    return ctx.subject.schedule_problem()


@condition("final_spend_recorded")
def final_spend_recorded(ctx: Context) -> str | None:
    return ctx.subject.closure_problem()


@condition("return_accepted")
def return_accepted(ctx: Context) -> str | None:
    """An instalment tied to a monitoring return waits until that return is accepted."""
    return ctx.subject.return_problem()


@condition("payment_details_recorded")
def payment_details_recorded(ctx: Context) -> str | None:
    """The date paid and the finance system's reference, not before the award."""
    return ctx.subject.paid_details_problem()


@condition("variation_applicable")
def variation_applicable(ctx: Context) -> str | None:
    return ctx.subject.variation_problem()
