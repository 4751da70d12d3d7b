"""From the decision to now: how a round's "approved at decision" figures become its "current" ones.

Start from the applications approved at the decision (count and approved amount, as in
`grants.reports.committee`), then, award by award:

- awards declined or cancelled since (their approved amount falls away; when, and why, from
  the audit log's declined/cancelled transition),
- approved applications with no award yet,
- approved variations of the live awards' amounts (old → new, each audited as it was applied),
- any other difference between a live award's amount and its approved amount,
- live awards of the round whose application was not approved at the decision,

and end at the live awards at their current amount. Each step is built from rows, so the
steps add up to the current figures exactly (`Reconciliation.reconciles`), and the page can
name every project that moved. Three queries, whatever the size of the round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, or_, select

from grants.extensions import db
from grants.formatting import london_date, money
from grants.models import Application, AuditEvent, Award, Recommendation, Variation
from grants.reports.approvals import approved_amount, approved_at_decision, fallen_away

STEP_LABELS = {
    "declined": "Offer declined after the decision",
    "cancelled": "Award cancelled after the decision",
    "not_awarded": "Approved, but no award made yet",
    "varied": "Award amount varied",
    "other": "Awarded at a different amount from the approval",
    "without_decision": "Awarded without an approval at the decision",
}
SHORT = {
    "declined": "declined",
    "cancelled": "cancelled",
    "not_awarded": "not yet awarded",
    "varied": "varied",
    "other": "awarded at another amount",
    "without_decision": "awarded without a decision",
}
NAMED_IN_SENTENCE = 5


@dataclass(frozen=True)
class Item:
    reference: str  # the application's reference (the award's when it has none)
    award_reference: str | None
    amount_pence: int  # this project's effect on the total (negative when money falls away)
    detail: str


@dataclass(frozen=True)
class Step:
    key: str
    projects: int  # the change in the number of projects (negative when projects fall away)
    amount_pence: int  # the change in money
    items: list[Item]

    @property
    def label(self) -> str:
        return STEP_LABELS[self.key]


@dataclass(frozen=True)
class Reconciliation:
    decision_projects: int
    decision_pence: int
    steps: list[Step]  # only the steps with something in them, in STEP_LABELS order
    current_projects: int
    current_pence: int

    @property
    def reconciles(self) -> bool:
        return (
            self.decision_projects + sum(step.projects for step in self.steps) == self.current_projects
            and self.decision_pence + sum(step.amount_pence for step in self.steps) == self.current_pence
        )

    def sentence(self) -> str:
        """'73 approved at decision (£506,097.82); 1 declined (MSCF-R3-0042, £2,604.82); 72 current (£503,493.00)'."""
        parts = [f"{self.decision_projects} approved at decision ({money(self.decision_pence)})"]
        for step in self.steps:
            count = abs(step.projects) if step.projects else len(step.items)
            named = [f"{item.reference}, {money(abs(item.amount_pence))}" for item in step.items[:NAMED_IN_SENTENCE]]
            more = len(step.items) - NAMED_IN_SENTENCE
            if more > 0:
                named.append(f"and {more} more")
            change = ""
            if step.key in ("varied", "other"):
                change = f"{'+' if step.amount_pence >= 0 else '-'}{money(abs(step.amount_pence))}: "
            parts.append(f"{count} {SHORT[step.key]} ({change}{'; '.join(named)})")
        parts.append(f"{self.current_projects} current ({money(self.current_pence)})")
        return "; ".join(parts)


def _when(moment: datetime | None) -> str:
    return f" on {london_date(moment)}" if moment is not None else ""


def reconcile(round_id: int) -> Reconciliation:
    approved = approved_at_decision()
    rows = db.session.execute(
        select(
            Application.id,
            Application.public_reference,
            case((approved, 1), else_=0).label("approved"),
            approved_amount().label("decision_amount"),
            Award.id.label("award_id"),
            Award.public_reference.label("award_reference"),
            Award.state.label("award_state"),
            Award.amount_pence.label("award_amount"),
        )
        .select_from(Application)
        .outerjoin(Recommendation, Recommendation.application_id == Application.id)
        .outerjoin(Award, Award.application_id == Application.id)
        .where(Application.round_id == round_id, or_(approved, Award.id.is_not(None)))
        .order_by(Application.public_reference, Application.id)
    ).all()
    award_ids = select(Award.id).join(Application, Application.id == Award.application_id)
    award_ids = award_ids.where(Application.round_id == round_id)
    variations: dict[int, list[Any]] = {}
    for variation in db.session.execute(
        select(
            Variation.award_id,
            Variation.number,
            Variation.old_amount_pence,
            Variation.new_amount_pence,
            Variation.state_changed_at,
        )
        .where(
            Variation.award_id.in_(award_ids),
            Variation.state == "approved",
            Variation.new_amount_pence.is_not(None),
        )
        .order_by(Variation.award_id, Variation.number, Variation.id)
    ):
        variations.setdefault(variation.award_id, []).append(variation)
    endings: dict[int, Any] = {}
    for event in db.session.execute(
        select(AuditEvent.subject_id, AuditEvent.to_state, AuditEvent.occurred_at, AuditEvent.reason)
        .where(
            AuditEvent.subject_type == Award.__audit_type__,
            AuditEvent.to_state.in_(fallen_away()),
            AuditEvent.subject_id.in_(award_ids),
        )
        .order_by(AuditEvent.id)
    ):
        endings[event.subject_id] = event  # the latest

    steps: dict[str, list[Item]] = {key: [] for key in STEP_LABELS}
    counts = dict.fromkeys(STEP_LABELS, 0)
    decision_projects = decision_pence = current_projects = current_pence = 0
    for row in rows:
        reference = row.public_reference or row.award_reference or f"Application {row.id}"
        decided = int(row.decision_amount or 0)
        live = row.award_id is not None and row.award_state not in fallen_away()
        if row.approved:
            decision_projects += 1
            decision_pence += decided
        if live:
            current_projects += 1
            current_pence += int(row.award_amount)
        if not row.approved:
            if live:
                counts["without_decision"] += 1
                steps["without_decision"].append(
                    Item(reference, row.award_reference, int(row.award_amount), f"Award {row.award_reference}")
                )
            continue
        if row.award_id is None:
            counts["not_awarded"] -= 1
            steps["not_awarded"].append(Item(reference, None, -decided, f"Approved for {money(decided)}"))
            continue
        if not live:
            ending = endings.get(row.award_id)
            reason = f": {ending.reason}" if ending is not None and ending.reason else ""
            detail = f"Award {row.award_reference} {row.award_state}{_when(ending and ending.occurred_at)}{reason}"
            counts[row.award_state] -= 1
            steps[row.award_state].append(Item(reference, row.award_reference, -decided, detail))
            continue
        varied = 0
        for variation in variations.get(row.award_id, []):
            change = int(variation.new_amount_pence) - int(variation.old_amount_pence)
            varied += change
            steps["varied"].append(
                Item(
                    reference,
                    row.award_reference,
                    change,
                    f"Variation {variation.number}: {money(variation.old_amount_pence)} to "
                    f"{money(variation.new_amount_pence)}{_when(variation.state_changed_at)}",
                )
            )
        other = int(row.award_amount) - decided - varied
        if other:
            steps["other"].append(
                Item(
                    reference,
                    row.award_reference,
                    other,
                    f"Approved for {money(decided)}; awarded {money(int(row.award_amount) - varied)}",
                )
            )
    return Reconciliation(
        decision_projects=decision_projects,
        decision_pence=decision_pence,
        steps=[
            Step(key, counts[key], sum(item.amount_pence for item in items), items)
            for key, items in steps.items()
            if items
        ],
        current_projects=current_projects,
        current_pence=current_pence,
    )
