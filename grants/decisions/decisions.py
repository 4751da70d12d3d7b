"""The decision maker's decision on the panel's recommendation: approve or reject, bid by bid
or as a batch, with conditions; a second approval above £100,000 (GovS 015).

Approving records an Approval row for this decision maker (one per person per bid), then
applies the workflow's 'approve' transition, whose condition approvals_complete decides
whether enough different decision makers have approved. Recording an approval also bumps
the bid's version, so two decision makers acting on one bid at once are serialised: the
second is told someone else changed it, and trying again finds the first's approval.
Rejecting applies 'reject' with the reason. Both email the organisation (the workflow's
email_organisation effect), with the panel's feedback: see `outcome_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import flag_modified

from grants import audit
from grants.decisions import budget_guard
from grants.decisions.moderation import recommendation
from grants.decisions.ranking import RankedRow, rank_round
from grants.decisions.services import PanelConflict, commit_or_conflict
from grants.extensions import db
from grants.formatting import london_today, money
from grants.models import Application, Approval, Round, User
from grants.models.applications import SECOND_APPROVAL_ABOVE_PENCE
from grants.workflow import apply_transition, engine
from grants.workflow_states import states
from workflows import Conflict, TransitionRefused

ACTIONS = ("approve", "reject")


@dataclass(frozen=True)
class DecisionRow:
    row: RankedRow
    approvers: list[str]
    approved_by_me: bool
    over_budget: str | None = None  # the warning, when approving this bid would pass the budget's total

    @property
    def needs_two(self) -> bool:
        return self.row.recommended_pence > SECOND_APPROVAL_ABOVE_PENCE

    @property
    def waiting(self) -> bool:
        """Approved by someone, but not yet by enough different decision makers."""
        return bool(self.approvers) and self.needs_two and len(self.approvers) < 2


@dataclass(frozen=True)
class DecisionBoard:
    round: Round
    to_decide: list[DecisionRow]
    not_recommended: list[RankedRow]
    decided: dict[str, int]
    budget: budget_guard.BudgetPosition | None = None
    withheld: int = 0  # bids before the panel the viewer has a conflict of interest on (not shown)
    round_budget_pence: int | None = None  # the ranking's: its funding line is where this runs out
    line_after: int | None = None  # the rank of the last bid above the funding line

    @property
    def to_decide_pence(self) -> int:
        return sum(item.row.recommended_pence for item in self.to_decide)

    @property
    def all_over_budget(self) -> str | None:
        """The warning when approving every bid waiting would pass the budget's total."""
        if self.budget is None or len(self.to_decide) < 2:
            return None
        return self.budget.warning(self.to_decide_pence, f"all {len(self.to_decide)} recommended and reserve bids")


@dataclass(frozen=True)
class Outcome:
    application_id: int
    reference: str
    result: str  # approved | waiting | rejected | refused | conflict
    message: str


def board(round_: Round, user: Any) -> DecisionBoard:
    """The bids recommended and in reserve (in rank order) with their approvals; those not recommended."""
    ranking = rank_round(round_, viewer_id=user.id)
    approvals: dict[int, list[tuple[int, str]]] = {}
    query = (
        select(Approval.application_id, Approval.approver_id, User.name)
        .join(User, User.id == Approval.approver_id)
        .join(Application, Application.id == Approval.application_id)
        .where(Application.round_id == round_.id, Application.state.in_(states("application", "recommended")))
        .order_by(Approval.id)
    )
    for application_id, approver_id, name in db.session.execute(query):
        approvals.setdefault(application_id, []).append((approver_id, name))
    budget = budget_guard.position(round_, london_today())
    to_decide = [
        DecisionRow(
            row=row,
            approvers=[name for _id, name in approvals.get(row.application_id, [])],
            approved_by_me=any(approver == user.id for approver, _name in approvals.get(row.application_id, [])),
            over_budget=budget.warning(row.recommended_pence, "this bid") if budget else None,
        )
        for row in ranking.rows
        if row.state in states("application", "recommended") and not row.withheld
    ]
    decided: dict[str, int] = {}
    for row in ranking.rows:
        if row.state in ("approved", "unsuccessful"):
            decided[row.state] = decided.get(row.state, 0) + 1
    return DecisionBoard(
        round=round_,
        to_decide=to_decide,
        not_recommended=[row for row in ranking.rows if row.state == "not_recommended" and not row.withheld],
        decided=decided,
        withheld=sum(1 for row in ranking.rows if row.withheld and row.state not in ("approved", "unsuccessful")),
        budget=budget,
        round_budget_pence=ranking.budget_pence,
        line_after=ranking.line_after,
    )


def _state_label(application: Application) -> str:
    definition = engine().definition_for(application)
    state = definition.states.get(application.state)
    return state.label.lower() if state else application.state


def _own_approval(application: Application, user: Any) -> Approval | None:
    return db.session.scalar(
        select(Approval).where(Approval.application_id == application.id, Approval.approver_id == user.id)
    )


def _others(application: Application, user: Any) -> int:
    return int(
        db.session.scalar(
            select(func.count(Approval.id)).where(
                Approval.application_id == application.id, Approval.approver_id != user.id
            )
        )
        or 0
    )


def approve(
    application: Application,
    user: Any,
    conditions: str | None = None,
    budget_reason: str | None = None,
    today: date | None = None,
) -> Outcome:
    """Record this decision maker's approval, then approve the bid if approvals are now complete.

    Past the year's budget of the programme's stream, or with no budget set, a bid needs a second
    decision maker, who gives the reason (budget_guard)."""
    application_id, reference = application.id, application.reference
    definition = engine().definition_for(application)
    if application.state not in definition.transitions["approve"].sources:
        return Outcome(
            application.id,
            reference,
            "refused",
            f"{reference} is {_state_label(application)}, so it cannot be approved.",
        )
    conditions = (conditions or "").strip() or None
    guard = budget_guard.position(application.round, today or london_today())
    over = guard.problem(budget_guard.amount_of(application)) if guard else None
    override = " ".join((budget_reason or "").split())
    if over:
        mine, others = _own_approval(application, user), _others(application, user)
        if mine is None and others and not override:
            return Outcome(
                application.id,
                reference,
                "refused",
                f"{reference}: {over}. As the second decision maker, give the reason for approving it past the budget.",
            )
        if mine is not None and not others:
            return Outcome(
                application.id,
                reference,
                "waiting",
                f"{reference}: you have approved it already; {over}, so it waits for a second decision maker.",
            )
    recorded_now = False
    if _own_approval(application, user) is None:
        db.session.add(Approval(application_id=application.id, approver_id=user.id, conditions=conditions))
        flag_modified(application, "state_changed_at")  # bump the version: one approver at a time
        recorded_now = True
        try:
            commit_or_conflict(lambda: None, flush_only=True)
        except PanelConflict:
            return _conflict(application_id, reference)
    if over and _others(application, user) == 0:
        return _waiting(
            application,
            user,
            conditions,
            f"a second decision maker: {over}",
            f"{reference}: your approval is recorded, but {over}: a second decision maker must approve it, "
            "giving the reason.",
        )
    if over:
        budget_guard.record_override(application, user, override, over)
    problem = application.approval_problem()
    if problem:
        if recorded_now:
            return _waiting(
                application,
                user,
                conditions,
                "a second approval by another decision maker",
                f"{reference}: your approval is recorded. It is waiting for a second approval by another "
                "decision maker (awards above £100,000 need two).",
            )
        return Outcome(
            application.id,
            reference,
            "waiting",
            f"{reference}: you have approved it already. It is waiting for a second approval by another "
            "decision maker.",
        )
    try:
        apply_transition(application, "approve", user)
    except Conflict:
        return _conflict(application_id, reference)
    except TransitionRefused as exc:
        return Outcome(application_id, reference, "refused", f"{reference}: " + " ".join(exc.reasons))
    rec = recommendation(application.id)
    amount = (
        rec.recommended_amount_pence
        if rec is not None and rec.recommended_amount_pence is not None
        else application.amount_requested_pence
    )
    return Outcome(application.id, reference, "approved", f"{reference} is approved for {money(amount)}.")


def _waiting(application: Application, user: Any, conditions: str | None, waiting_for: str, message: str) -> Outcome:
    """Audit this decision maker's approval as recorded and waiting for `waiting_for`; commit; say so."""
    application_id, reference = application.id, application.reference
    audit.record(
        actor=user,
        subject_type="application",
        subject_id=application_id,
        subject_reference=reference,
        action="record_approval",
        reason=conditions,
        data={"waiting_for": waiting_for},
    )
    try:
        commit_or_conflict(lambda: None)
    except PanelConflict:
        return _conflict(application_id, reference)
    return Outcome(application_id, reference, "waiting", message)


def reject(application: Application, user: Any, reason: str | None) -> Outcome:
    application_id, reference = application.id, application.reference
    try:
        apply_transition(application, "reject", user, reason)
    except Conflict:
        return _conflict(application_id, reference)
    except TransitionRefused as exc:
        return Outcome(application_id, reference, "refused", f"{reference}: " + " ".join(exc.reasons))
    return Outcome(application.id, reference, "rejected", f"{reference} is rejected: it is now unsuccessful.")


def _conflict(application_id: int, reference: str) -> Outcome:
    return Outcome(
        application_id,
        reference,
        "conflict",
        f"{reference}: someone else changed it while you were deciding. Check its state below and try again.",
    )


def decide(
    round_: Round,
    user: Any,
    action: str,
    application_ids: Sequence[int],
    *,
    reason: str | None = None,
    conditions: str | None = None,
) -> list[Outcome]:
    """Approve or reject each chosen bid of the round in turn (each one committed on its own).

    Bids of other rounds, or not before the decision maker, are skipped: they cannot be
    chosen on the page.
    """
    if action not in ACTIONS:
        raise ValueError(action)
    wanted = sorted(set(application_ids))
    if not wanted:
        return []
    applications = list(
        db.session.scalars(
            select(Application)
            .where(
                Application.id.in_(wanted),
                Application.round_id == round_.id,
                Application.state.in_(states("application", "decidable")),
            )
            .order_by(Application.public_reference, Application.id)
        )
    )
    outcomes = []
    for application in applications:  # each commit expires the rest: they reload as they come
        if action == "approve":
            outcomes.append(approve(application, user, conditions, budget_reason=reason))
        else:
            outcomes.append(reject(application, user, reason))
    return outcomes


def summarise(outcomes: Sequence[Outcome]) -> list[str]:
    """What to tell the decision maker: approvals and rejections counted, anything else one by one."""
    messages: list[str] = []
    for result, verb in (("approved", "approved"), ("rejected", "rejected: they are now unsuccessful")):
        done = [outcome for outcome in outcomes if outcome.result == result]
        if len(done) == 1:
            messages.append(done[0].message)
        elif done:
            messages.append(f"{len(done)} bids {verb}: " + ", ".join(o.reference for o in done) + ".")
    messages += [outcome.message for outcome in outcomes if outcome.result not in ("approved", "rejected")]
    return messages


def approved_amount(application: Application) -> int:
    """The amount approved: the panel's recommended amount, else the amount asked for."""
    rec = recommendation(application.id)
    if rec is not None and rec.recommended_amount_pence is not None:
        return rec.recommended_amount_pence
    return application.amount_requested_pence


def outcome_subject(application: Application, transition: str) -> str:
    """The outcome email's subject, for the organisation: what happened and, if approved, how much."""
    if transition == "approve":
        return f"Your application {application.reference} has been approved: {money(approved_amount(application))}"
    return f"Your application {application.reference} has not been funded"


def outcome_text(application: Application, transition: str) -> str | None:
    """What an approval or rejection email adds: amount, conditions and the panel's feedback."""
    rec = recommendation(application.id)
    lines: list[str] = []
    if transition == "approve":
        lines.append(
            f"Amount approved: {money(approved_amount(application))}. We will send you a grant offer to accept."
        )
        conditions = [rec.conditions] if rec is not None and rec.conditions else []
        conditions += [
            text
            for text in db.session.scalars(
                select(Approval.conditions)
                .where(Approval.application_id == application.id, Approval.conditions.is_not(None))
                .order_by(Approval.id)
            )
            if text and text not in conditions
        ]
        if conditions:
            lines += ["", "Conditions of the grant:", *conditions]
    if rec is not None and rec.feedback:
        if lines:
            lines.append("")
        lines += ["Feedback from the assessment panel:", rec.feedback]
    return "\n".join(lines) or None
