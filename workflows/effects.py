"""Named side effects that definitions refer to.

Effects run inside the transaction that applies the transition; emails are
queued through the host (the outbox), never sent from here.
"""

from __future__ import annotations

from collections.abc import Callable

from workflows.context import Context

Effect = Callable[[Context], None]
EFFECTS: dict[str, Effect] = {}


def effect(name: str) -> Callable[[Effect], Effect]:
    def register(fn: Effect) -> Effect:
        EFFECTS[name] = fn
        return fn

    return register


@effect("record_submission_time")
def record_submission_time(ctx: Context) -> None:
    ctx.subject.submitted_at = ctx.now


@effect("assign_reference")
def assign_reference(ctx: Context) -> None:
    """Give the subject its public reference (e.g. MSCF-R3-0042) if it has none."""
    ctx.host.assign_reference(ctx.subject)


@effect("record_payment_time")
def record_payment_time(ctx: Context) -> None:
    ctx.subject.paid_at = ctx.now


@effect("email_organisation")
def email_organisation(ctx: Context) -> None:
    """Tell the members of the subject's organisation what happened, and why."""
    ctx.host.notify(ctx, audience="organisation")


@effect("email_officers")
def email_officers(ctx: Context) -> None:
    """Tell the officers of the subject's programme that it needs them."""
    ctx.host.notify(ctx, audience="officers")


@effect("record_offer_time")
def record_offer_time(ctx: Context) -> None:
    ctx.subject.offered_at = ctx.now


@effect("record_acceptance_time")
def record_acceptance_time(ctx: Context) -> None:
    ctx.subject.accepted_at = ctx.now
    ctx.subject.accepted_by_id = getattr(ctx.user, "id", None)


@effect("apply_variation")
def apply_variation(ctx: Context) -> None:
    """Change the award as the variation says, and write the money change to the award's own history."""
    for change in ctx.subject.apply_to_award():
        ctx.host.record_change(ctx, **change)
