"""The steps of an application that the decisions area owns: what approval and rejection emails say."""

from __future__ import annotations

from grants.case_types import Step
from grants.decisions.decisions import outcome_text

# The decision: the amount and conditions of an approval, and the panel's feedback.
APPLICATION_STEPS = {
    "approve": Step(email_details=lambda ctx: outcome_text(ctx.subject, "approve")),
    "reject": Step(email_details=lambda ctx: outcome_text(ctx.subject, "reject")),
}
