"""Assign assessors to the bids selected on the applications list, through the round's own bulk assignment
(`grants.assessment.assigning.assign`, limited to the selection): choose the assessors and how many per bid,
check what will happen, then assign. The selection must be bids of one round."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grants import access
from grants.assessment import assigning
from grants.cases import batch
from grants.errors import FieldErrors
from grants.workflow_states import states

ASSIGN = "assign"  # the batch action's name on the applications list's form
KIND = "application"


class NotOneRound(Exception):
    """The selected bids are in more than one round (the message says how many)."""


def may_assign(user: Any, kind: str) -> bool:
    return kind == KIND and "officer" in access.staff_roles(user)


@dataclass
class BidRow:
    id: int
    reference: str
    description: str
    state: str
    why_not: str = ""  # why it will not be given assessors (empty: it will)


@dataclass
class AssignPlan:
    round: Any
    rows: list[BidRow]
    pool: list[assigning.Assessor]
    not_found: int = 0

    @property
    def assignable(self) -> list[BidRow]:
        return [row for row in self.rows if not row.why_not]

    @property
    def left_out(self) -> list[BidRow]:
        return [row for row in self.rows if row.why_not]


def plan(user: Any, subjects: Sequence[Any], not_found: int = 0) -> AssignPlan:
    """Which of the selected bids the round's assessors can be given, and who may assess them."""
    rounds = {subject.round_id for subject in subjects}
    if len(rounds) != 1:
        raise NotOneRound(
            f"The selected bids are in {len(rounds)} rounds: assign assessors to one round's bids at a time"
        )
    round_ = subjects[0].round
    officer = "officer" in access.staff_roles(user, round_.programme_id)
    assessable = states(KIND, "assessable")
    rows = []
    for subject in subjects:
        state = batch.state_label(subject)
        if not officer:
            why = "Only a grants officer on this programme can send bids for assessment."
        elif subject.state not in assessable:
            why = f"Only eligible bids, or bids in assessment, are given assessors: this one is {state.lower()}."
        else:
            why = ""
        rows.append(BidRow(subject.id, subject.reference, batch.describe(subject), state, why))
    return AssignPlan(round=round_, rows=rows, pool=assigning.assessor_pool(round_), not_found=not_found)


def assign(user: Any, plan: AssignPlan, assessor_ids: list[int], per_bid: int | None) -> assigning.AssignResult:
    """The round's bulk assignment, for the selected bids that can take assessors (AssignInvalid: why not)."""
    return assigning.assign(user, plan.round, assessor_ids, per_bid, only=[row.id for row in plan.assignable])


def check(plan: AssignPlan, assessor_ids: list[int], per_bid: int | None) -> list[assigning.Assessor]:
    """The chosen assessors, if the request can be carried out (FieldErrors: which field, and why not)."""
    pool = {assessor.id: assessor for assessor in plan.pool}
    chosen = [pool[i] for i in dict.fromkeys(assessor_ids) if i in pool]
    errors = {}
    if not chosen or len(chosen) != len(set(assessor_ids)):
        errors["assessors"] = "Choose the assessors to share the bids between"
    if per_bid is None or not 1 <= per_bid <= assigning.MAX_PER_BID:
        errors["per_bid"] = f"Enter the number of assessors per bid as a whole number from 1 to {assigning.MAX_PER_BID}"
    elif chosen and per_bid > len(chosen):
        errors["per_bid"] = f"Each bid needs {per_bid} different assessors but you chose {len(chosen)}"
    if not plan.assignable:
        errors["assessors"] = "None of the selected bids can be given assessors"
    if errors:
        raise FieldErrors(errors)
    return chosen
