"""Guards and effects that several kinds of case share (their definitions name them)."""

from __future__ import annotations

from workflows import Context


def has_amount(ctx: Context) -> str | None:
    if not ctx.subject.amount_pence or ctx.subject.amount_pence <= 0:
        return "The amount must be more than £0."
    return None


def record_submission_time(ctx: Context) -> None:
    ctx.subject.submitted_at = ctx.now


GUARDS = {"has_amount": has_amount}
EFFECTS = {"record_submission_time": record_submission_time}
