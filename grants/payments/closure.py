"""The end of an award's money: money coming back (underspend returned, clawbacks) and closure.

A recovery is written to the award's history ("recovery_recorded": recovered before → after,
with the reason). Closing records the final spend and applies the award's "close" transition
in one transaction: if the transition is refused, the final spend is not kept either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from grants import audit
from grants.extensions import db
from grants.formatting import money, pence_from_pounds, pounds_text
from grants.models import Award, MonitoringReturn, Recovery
from grants.models.awards import RECOVERY_KINDS
from grants.models.monitoring import FINAL
from grants.payments.services import (
    Invalid,
    before_award_message,
    commit_or_stale,
    parse_date,
    require_officer,
    typed_text,
)
from grants.workflow import apply_transition, engine
from grants.workflow_states import state_labels, states
from workflows import Option

REASON_MAX = 5000


@dataclass(frozen=True)
class FinalReturn:
    """The award's final return as closure needs it: which, in what state, and the total spend it reported."""

    id: int
    period_label: str
    state: str
    state_label: str
    spend_pence: int | None
    accepted: bool


@dataclass
class Money:
    """What an award's closure and recovery pages show about its money."""

    award: Award
    paid_pence: int
    recovered_pence: int
    state_label: str
    close: Option | None = None
    final_return: FinalReturn | None = None

    @property
    def recoverable_pence(self) -> int:
        return self.paid_pence - self.recovered_pence

    @property
    def unspent_pence(self) -> int:
        """Money paid that the final return says was not spent (and has not come back yet)."""
        if self.final_return is None or self.final_return.spend_pence is None:
            return 0
        return max(0, self.paid_pence - self.final_return.spend_pence - self.recovered_pence)

    @property
    def final_spend_typed(self) -> str | None:
        """The final spend to pre-fill: the total the final return reported, in pounds."""
        if self.final_return is None or self.final_return.spend_pence is None:
            return None
        return pounds_text(self.final_return.spend_pence)

    @property
    def kinds(self) -> dict[str, str]:
        return RECOVERY_KINDS


def final_return_of(award: Award) -> FinalReturn | None:
    """The award's final return (the latest, if it has more than one), or None."""
    found = db.session.scalar(
        select(MonitoringReturn)
        .where(MonitoringReturn.award_id == award.id, MonitoringReturn.kind == FINAL)
        .order_by(MonitoringReturn.due_date.desc(), MonitoringReturn.id.desc())
    )
    if found is None:
        return None
    return FinalReturn(
        id=found.id,
        period_label=found.period_label,
        state=found.state,
        state_label=state_labels("return").get(found.state, found.state),
        spend_pence=found.spend_to_date_pence,
        accepted=found.state in states("return", "ended"),
    )


def money_of(user: Any, award: Award) -> Money:
    close = next((o for o in engine().available(award, user) if o.name == "close"), None)
    return Money(
        award=award,
        paid_pence=award.paid_pence(),
        recovered_pence=sum(r.amount_pence for r in award.recoveries),
        state_label=state_labels("award").get(award.state, award.state),
        close=close,
        final_return=final_return_of(award),
    )


def _amount(typed: str, noun: str, example: str) -> tuple[int | None, str | None]:
    typed = typed.strip()
    if not typed:
        return None, f"Enter {noun}"
    if typed.replace(" ", "").lstrip("£").startswith("-"):
        return None, f"{noun[:1].upper()}{noun[1:]} must be £0 or more"
    amount = pence_from_pounds(typed)
    if amount is None:
        return None, f"Enter {noun} in pounds and pence, like {example}"
    return amount, None


def _reason(reason: str, missing: str, errors: dict[str, str]) -> str:
    reason = typed_text(
        errors, "reason", reason, missing, REASON_MAX, f"The reason must be {REASON_MAX:,} characters or fewer"
    )
    return reason


def record_recovery(
    user: Any,
    award: Award,
    kind: str,
    amount_typed: str,
    received: tuple[str, str, str],
    reason: str,
    *,
    today: date,
) -> Recovery:
    """Record money coming back on the award; Invalid (by field) writes nothing."""
    require_officer(user, award)
    figures = money_of(user, award)
    errors: dict[str, str] = {}
    if kind not in RECOVERY_KINDS:
        errors["kind"] = "Select whether this is underspend returned or money clawed back"
    amount, problem = _amount(amount_typed, "the amount received", "250 or 1,250.50")
    if problem:
        errors["amount"] = problem
    elif amount is not None and amount <= 0:
        errors["amount"] = "The amount received must be more than £0"
    elif amount is not None and amount > figures.recoverable_pence:
        errors["amount"] = (
            f"The amount received cannot be more than has been paid and not yet recovered "
            f"({money(figures.recoverable_pence)})"
        )
    day, date_problem = parse_date(received)
    if date_problem == "blank":
        errors["received_on"] = "Enter the date the money was received"
    elif date_problem:
        errors["received_on"] = f"The date received {date_problem}"
    elif day is not None and day > today:
        errors["received_on"] = "The date received cannot be in the future"
    elif day is not None and day < award.made_on:
        errors["received_on"] = before_award_message("The date received", award)
    reason = _reason(reason, "Enter the reason the money came back", errors)
    if errors:
        raise Invalid(errors)
    assert amount is not None and day is not None
    recovery = Recovery(
        award=award,
        kind=kind,
        amount_pence=amount,
        received_on=day,
        reason=reason,
        recorded_by_id=getattr(user, "id", None),
    )
    db.session.add(recovery)
    audit.record_on(
        award,
        actor=user,
        action="recovery_recorded",
        from_state=f"{money(figures.recovered_pence)} recovered",
        to_state=f"{money(figures.recovered_pence + amount)} recovered",
        reason=reason,
        data={"kind": kind, "amount": money(amount), "received_on": day.isoformat()},
    )
    commit_or_stale()
    return recovery


def close_award(user: Any, award: Award, final_spend_typed: str, reason: str, expected_version: int | None) -> str:
    """Record the final spend and close the award, in one transaction."""
    require_officer(user, award)
    figures = money_of(user, award)
    errors: dict[str, str] = {}
    spend, problem = _amount(final_spend_typed, "the final spend", "7500 or 7,500.50")
    if problem:
        errors["final_spend"] = problem
    elif spend is not None and spend > figures.paid_pence:
        errors["final_spend"] = f"The final spend cannot be more than has been paid ({money(figures.paid_pence)})"
    reason = _reason(reason, "Enter the reason for closing the award", errors)
    if errors:
        raise Invalid(errors)
    assert spend is not None
    before = award.final_spend_pence
    award.final_spend_pence = spend
    audit.record_on(
        award,
        actor=user,
        action="final_spend_recorded",
        from_state=None if before is None else money(before),
        to_state=money(spend),
        reason=reason,
    )
    apply_transition(award, "close", user, reason, expected_version=expected_version)
    return f"{award.reference} is closed. Final spend: {money(spend)} of {money(figures.paid_pence)} paid."
