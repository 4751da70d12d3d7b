"""Budgets guard decisions: approving a bid may not take its programme's budget stream past the year's
budget, nor be charged to a budget not set, unless a second decision maker approves it giving the reason.

The year is the financial year of the decision (a UK date), as the budgets report counts it. Committed:
the current amounts of the stream's awards decided in the year (not declined or cancelled), and the bids
of programmes charged to the stream approved in the year that have no award yet (their recommended
amount, or what they asked for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select

from grants import audit
from grants.extensions import db
from grants.formatting import london_to_utc, money
from grants.models import Application, Award, Budget, Programme, Recommendation, Round, Term
from grants.models.budgets import financial_year_label, financial_year_of
from grants.workflow_states import states


@dataclass(frozen=True)
class BudgetPosition:
    stream_label: str
    year: int
    budget_pence: int | None
    committed_pence: int

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)

    @property
    def left_pence(self) -> int | None:
        return None if self.budget_pence is None else self.budget_pence - self.committed_pence

    @property
    def in_words(self) -> str:
        """The position in a sentence: "£1,200.00 left of the Community Safety budget for 2026/27"."""
        budget = f"the {self.stream_label} budget for {self.year_label}"
        if self.budget_pence is None:
            return (
                f"No {self.stream_label} budget is set for {self.year_label}: {money(self.committed_pence)} committed"
            )
        if self.committed_pence > self.budget_pence:
            return f"{money(self.committed_pence - self.budget_pence)} over {budget} of {money(self.budget_pence)}"
        return f"{money(self.budget_pence - self.committed_pence)} left of {budget} of {money(self.budget_pence)}"

    def problem(self, amount_pence: int) -> str | None:
        """Why approving `amount_pence` more needs a second decision maker's reason, or None."""
        if self.budget_pence is None:
            return f"no {self.stream_label} budget is set for {self.year_label}"
        over = self.committed_pence + amount_pence - self.budget_pence
        if over > 0:
            return (
                f"it would take the {self.stream_label} budget for {self.year_label} of {money(self.budget_pence)} "
                f"over by {money(over)}"
            )
        return None

    def warning(self, amount_pence: int, what: str) -> str | None:
        """What approving `what` ("this bid") for `amount_pence` would do past the budget's total, said
        before it is decided; None within the budget (or with none set: the page says that once)."""
        if self.budget_pence is None:
            return None
        over = self.committed_pence + amount_pence - self.budget_pence
        if over <= 0:
            return None
        return (
            f"Approving {what} would take the {self.stream_label} budget for {self.year_label} of "
            f"{money(self.budget_pence)} over by {money(over)}: a second decision maker must also approve, "
            "giving the reason."
        )


def _bounds(year: int) -> tuple[datetime, datetime]:
    return london_to_utc(datetime.combine(date(year, 4, 1), time())), london_to_utc(
        datetime.combine(date(year + 1, 4, 1), time())
    )


def position(round_: Round, today: date) -> BudgetPosition | None:
    """The round's budget stream for the year of `today`: None when its programme is charged to no stream."""
    stream = db.session.scalar(select(Programme.budget_stream).where(Programme.id == round_.programme_id))
    if not stream:
        return None
    return stream_position(stream, today)


def stream_position(stream: str, today: date) -> BudgetPosition:
    """A budget stream's position for the financial year of `today` (four statements)."""
    year = financial_year_of(today)
    start, end = _bounds(year)
    budget = db.session.scalar(
        select(Budget.amount_pence).where(Budget.budget_stream == stream, Budget.financial_year == year)
    )
    awarded = db.session.scalar(
        select(func.coalesce(func.sum(Award.amount_pence), 0)).where(
            Award.budget_stream == stream,
            Award.decided_at >= start,
            Award.decided_at < end,
            Award.state.not_in(states("award", "fallen_away")),
        )
    )
    amount = func.coalesce(Recommendation.recommended_amount_pence, Application.amount_requested_pence)
    approved = db.session.scalar(
        select(func.coalesce(func.sum(amount), 0))
        .select_from(Application)
        .join(Round, Round.id == Application.round_id)
        .join(Programme, Programme.id == Round.programme_id)
        .outerjoin(Recommendation, Recommendation.application_id == Application.id)
        .where(
            Programme.budget_stream == stream,
            Application.state == "approved",
            Application.state_changed_at >= start,
            Application.state_changed_at < end,
            Application.id.not_in(select(Award.application_id).where(Award.application_id.is_not(None))),
        )
    )
    label = db.session.scalar(select(Term.label).where(Term.vocabulary == "budget_stream", Term.code == stream))
    return BudgetPosition(label or stream.replace("_", " "), year, budget, int(awarded or 0) + int(approved or 0))


def amount_of(application: Application) -> int:
    recommended = db.session.scalar(
        select(Recommendation.recommended_amount_pence).where(Recommendation.application_id == application.id)
    )
    return int(recommended if recommended is not None else application.amount_requested_pence)


def record_override(application: Application, user: Any, reason: str, problem: str) -> None:
    audit.record(
        actor=user,
        subject_type="application",
        subject_id=application.id,
        subject_reference=application.reference,
        action="approved_past_budget",
        reason=reason,
        data={"why_needed": problem},
    )
