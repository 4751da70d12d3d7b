"""What a grantee sees of each of their grants, and the staff see on the award page: the amount and
any variation, the payment schedule with what has been paid and when, the returns due and sent
with their state, the reminders sent about them, the conditions, the targets against what was
reported, and the next return to fill in.

`for_awards` reads any number of awards in a fixed number of statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants.errors import NotFound
from grants.extensions import db
from grants.models import Award, Membership, MonitoringReturn, Payment, Reminder, Variation
from grants.monitoring.targets import Figure, figures_for_awards
from grants.workflow_states import state_labels, states

KIND_LABELS = {"progress": "Progress report", "final": "Final report", "quarterly": "Quarterly return"}
RULE_LABELS = {
    "before": "Reminder before the due date",
    "due": "Due today",
    "overdue": "Overdue",
    "escalation": "Escalated",
}
AUDIENCES = {"organisation": "Your organisation", "officers": "The programme's officers", "lead": "The programme lead"}


def return_link(return_id: int) -> str:
    """The grantee's page for a return (the returns area's)."""
    return url_for("returns.show", return_id=return_id)


@dataclass(frozen=True)
class ReturnRow:
    id: int
    period_label: str
    kind: str
    kind_label: str
    due_date: date
    state: str
    state_label: str
    submitted_at: datetime | None
    fillable: bool
    ended: bool
    changes_asked: str | None = None  # the officer's comment while the grantee makes the changes


@dataclass(frozen=True)
class ReminderRow:
    period_label: str
    rule: str
    on_date: date
    audience: str

    @property
    def rule_label(self) -> str:
        for prefix, label in RULE_LABELS.items():
            if self.rule.startswith(prefix):
                return label
        return self.rule.replace("_", " ").capitalize()

    @property
    def audience_label(self) -> str:
        return AUDIENCES.get(self.audience, self.audience)


@dataclass
class GrantFacts:
    award: Award
    state_label: str
    payments: list[Payment] = field(default_factory=list)
    variations: list[Variation] = field(default_factory=list)
    returns: list[ReturnRow] = field(default_factory=list)
    reminders: list[ReminderRow] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def paid_pence(self) -> int:
        return sum(p.amount_pence for p in self.payments if p.state == "paid")

    @property
    def varied(self) -> bool:
        before = self.award.amount_at_decision_pence
        return before is not None and before != self.award.amount_pence

    @property
    def next_return(self) -> ReturnRow | None:
        """The earliest return the organisation can fill in and send now."""
        return next((r for r in self.returns if r.fillable), None)

    @property
    def next_return_link(self) -> str | None:
        found = self.next_return
        return return_link(found.id) if found else None

    @property
    def final_return(self) -> ReturnRow | None:
        return next((r for r in reversed(self.returns) if r.kind == "final"), None)


def for_awards(awards: list[Award]) -> list[GrantFacts]:
    """Each award's facts; six statements whatever the number of awards."""
    ids = [a.id for a in awards]
    award_labels = state_labels("award")
    facts = {a.id: GrantFacts(award=a, state_label=award_labels.get(a.state, a.state)) for a in awards}
    if not ids:
        return []
    for payment in db.session.scalars(
        select(Payment)
        .where(Payment.award_id.in_(ids), Payment.state.in_(states("payment", "live")))
        .order_by(Payment.instalment, Payment.id)
    ):
        facts[payment.award_id].payments.append(payment)
    for variation in db.session.scalars(
        select(Variation).where(Variation.award_id.in_(ids)).order_by(Variation.number)
    ):
        facts[variation.award_id].variations.append(variation)
    return_labels = state_labels("return")
    fillable, ended = states("return", "fillable"), states("return", "ended")
    periods: dict[int, str] = {}
    for found in db.session.execute(
        select(
            MonitoringReturn.id,
            MonitoringReturn.award_id,
            MonitoringReturn.period_label,
            MonitoringReturn.kind,
            MonitoringReturn.due_date,
            MonitoringReturn.state,
            MonitoringReturn.submitted_at,
            MonitoringReturn.review_comment,
            MonitoringReturn.reviewed_at,
        )
        .where(MonitoringReturn.award_id.in_(ids))
        .order_by(MonitoringReturn.due_date, MonitoringReturn.id)
    ):
        periods[found.id] = found.period_label
        facts[found.award_id].returns.append(
            ReturnRow(
                id=found.id,
                period_label=found.period_label,
                kind=found.kind,
                kind_label=KIND_LABELS.get(found.kind, found.kind),
                due_date=found.due_date,
                state=found.state,
                state_label=return_labels.get(found.state, found.state),
                submitted_at=found.submitted_at,
                fillable=found.state in fillable,
                ended=found.state in ended,
                changes_asked=found.review_comment if found.state in fillable and found.reviewed_at else None,
            )
        )
    if periods:
        for reminder, award_id in db.session.execute(
            select(Reminder, MonitoringReturn.award_id)
            .join(MonitoringReturn, MonitoringReturn.id == Reminder.monitoring_return_id)
            .where(MonitoringReturn.award_id.in_(ids))
            .order_by(Reminder.on_date, Reminder.id)
        ):
            facts[award_id].reminders.append(
                ReminderRow(
                    period_label=periods[reminder.monitoring_return_id],
                    rule=reminder.rule,
                    on_date=reminder.on_date,
                    audience=reminder.audience,
                )
            )
    for award_id, figures in figures_for_awards(ids).items():
        facts[award_id].figures = figures
    return [facts[i] for i in ids]


def for_award(award: Award) -> GrantFacts:
    return for_awards([award])[0]


def grantee_states() -> frozenset[str]:
    """Awards a grantee follows on "Your grants": accepted, running, suspended or closed."""
    return states("award", "published") - states("award", "awaiting_grantee") - {"preparing"}


def grants_of(user: Any) -> list[GrantFacts]:
    """The grants of the organisations the user belongs to, newest first."""
    awards = list(
        db.session.scalars(
            select(Award)
            .join(Membership, Membership.organisation_id == Award.organisation_id)
            .where(Membership.user_id == user.id, Award.state.in_(grantee_states()))
            .options(joinedload(Award.organisation), joinedload(Award.programme))
            .order_by(Award.id.desc())
        ).unique()
    )
    return for_awards(awards)


def grant_of(user: Any, award_id: int) -> GrantFacts:
    """One grant of the user's organisations; another organisation's award is a 404."""
    award = db.session.scalar(
        select(Award)
        .join(Membership, Membership.organisation_id == Award.organisation_id)
        .where(Award.id == award_id, Membership.user_id == user.id, Award.state.in_(grantee_states()))
        .options(joinedload(Award.organisation), joinedload(Award.programme))
    )
    if award is None:
        raise NotFound(str(award_id))
    return for_award(award)
