"""The steps of an application that the decisions area owns: what approval and rejection emails say."""

from __future__ import annotations

from grants.case_types import Step
from grants.decisions import moderation_queue
from grants.decisions.decisions import outcome_subject, outcome_text
from grants.work_queues import Queue

# The decision: the amount and conditions of an approval, and the panel's feedback.
APPLICATION_STEPS = {
    "approve": Step(
        email_subject=lambda ctx: outcome_subject(ctx.subject, "approve"),
        email_details=lambda ctx: outcome_text(ctx.subject, "approve"),
    ),
    "reject": Step(
        email_subject=lambda ctx: outcome_subject(ctx.subject, "reject"),
        email_details=lambda ctx: outcome_text(ctx.subject, "reject"),
    ),
}

WORK_QUEUES = [
    Queue("bids_to_moderate", "Bids needing moderation", frozenset({"officer"}),
          "Their assessors' totals differ by more than the round allows: agree a moderated score",
          count=moderation_queue.count, endpoint="decisions.needing_moderation"),
    Queue("rounds_to_decide", "Rounds whose panel has reported, to decide", frozenset({"decision_maker"}),
          "Open the round, then make the panel decision", kind="round", states=("assessing",)),
    Queue("bids_to_decide", "Bids awaiting a panel decision", frozenset({"decision_maker"}),
          "Approve or reject with the panel's recommendation in view",
          kind="application", states=("recommended", "reserve", "not_recommended")),
]  # fmt: skip
