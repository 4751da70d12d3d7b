"""Moderation: each bid's scores side by side, the assessors' weighted totals and their mean,
bids whose assessors disagree flagged, and the panel's moderated score with its reason.

The board reads three statements whatever the number of bids (criteria; bids with their
organisation and recommendation; current submitted scores). A moderated score is kept on
the bid's Recommendation row, guarded by its version_id: two officers moderating at once
cannot silently overwrite each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from grants import access, audit
from grants.decisions import scores
from grants.decisions.services import PanelConflict, PanelError, commit_or_conflict, panel_states
from grants.extensions import db
from grants.models import Application, Organisation, Recommendation, Round
from grants.models.base import utcnow
from grants.workflow_states import workflow_labels


@dataclass(frozen=True)
class ModerationBid:
    application_id: int
    reference: str
    organisation: str
    project_title: str
    state_label: str
    sheets: list[scores.AssessorSheet]
    mean_total: Decimal | None
    spread: Decimal | None
    flagged: bool
    moderated_score: Decimal | None
    moderation_reason: str | None


@dataclass(frozen=True)
class ModerationBoard:
    round: Round
    criteria: list[scores.CriterionInfo]
    bids: list[ModerationBid]
    spread_limit: Decimal
    maximum_total: Decimal

    @property
    def flagged(self) -> list[ModerationBid]:
        return [bid for bid in self.bids if bid.flagged]


def _bid(row: Any, sheets: list[scores.AssessorSheet], limit: Decimal, labels: dict[str, str]) -> ModerationBid:
    totals = [sheet.total for sheet in sheets]
    difference = scores.spread(totals)
    moderated = row.moderated_score
    return ModerationBid(
        application_id=row.id,
        reference=row.public_reference or f"Draft {row.id}",
        organisation=row.organisation,
        project_title=row.project_title,
        state_label=labels.get(row.state, row.state),
        sheets=sheets,
        mean_total=scores.mean(totals),
        spread=difference,
        flagged=difference is not None and difference > limit,
        moderated_score=None if moderated is None else scores.quantize(Decimal(moderated)),
        moderation_reason=row.moderation_reason,
    )


def _rows(round_: Round, application_ids: list[int] | None = None, viewer_id: int | None = None) -> list[Any]:
    query = (
        select(
            Application.id,
            Application.public_reference,
            Application.project_title,
            Application.state,
            Organisation.name.label("organisation"),
            Recommendation.moderated_score,
            Recommendation.moderation_reason,
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(Recommendation, Recommendation.application_id == Application.id)
        .where(Application.round_id == round_.id, Application.state.in_(panel_states()))
        .order_by(Application.public_reference, Application.id)
    )
    if application_ids is not None:
        query = query.where(Application.id.in_(application_ids))
    if viewer_id is not None:
        query = query.where(access.free_of_conflict(viewer_id, Application.organisation_id, Application.id))
    return list(db.session.execute(query))


def spread_limit(round_: Round) -> Decimal:
    return scores.quantize(Decimal(round_.moderation_spread if round_.moderation_spread is not None else 0))


def board(round_: Round, viewer_id: int | None = None, *, flagged_only: bool = False) -> ModerationBoard:
    """Every bid before the panel (but those the viewer has a conflict of interest on), by reference,
    with its submitted scores side by side."""
    criteria = scores.criteria_for(round_.id)
    limit = spread_limit(round_)
    sheets = scores.submitted_sheets(round_.id, panel_states(), criteria, with_comments=True)
    labels = workflow_labels(round_.application_workflow)
    bids = [_bid(row, sheets.get(row.id, []), limit, labels) for row in _rows(round_, viewer_id=viewer_id)]
    if flagged_only:
        bids = [bid for bid in bids if bid.flagged]
    return ModerationBoard(
        round=round_,
        criteria=criteria,
        bids=bids,
        spread_limit=limit,
        maximum_total=scores.maximum_total(criteria),
    )


def bid_board(application: Application) -> ModerationBoard:
    """One bid's scores, as the moderation form shows them above the form."""
    round_ = application.round
    criteria = scores.criteria_for(round_.id)
    limit = spread_limit(round_)
    sheets = scores.submitted_sheets(
        round_.id, panel_states(), criteria, application_ids=[application.id], with_comments=True
    )
    labels = workflow_labels(round_.application_workflow)
    bids = [_bid(row, sheets.get(row.id, []), limit, labels) for row in _rows(round_, [application.id])]
    return ModerationBoard(
        round=round_, criteria=criteria, bids=bids, spread_limit=limit, maximum_total=scores.maximum_total(criteria)
    )


def recommendation(application_id: int) -> Recommendation | None:
    return db.session.scalar(select(Recommendation).where(Recommendation.application_id == application_id))


def moderate(
    application: Application,
    user: Any,
    score: Decimal | None,
    reason: str | None,
    expected_version: int | None,
) -> Recommendation:
    """Record the panel's moderated score with its reason, and audit it (from and to).

    `expected_version` is the Recommendation's version_id when the form was loaded (None if
    the bid had none). Raises PanelError for a wrong score or no reason, PanelConflict when
    someone else saved the recommendation since (nothing is written then).
    """
    if application.state not in panel_states():
        raise PanelError({"score": "This bid has been decided, so its score can no longer be moderated"})
    criteria = scores.criteria_for(application.round_id)
    highest = scores.maximum_total(criteria)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if score is None:
        errors["score"] = "Enter the moderated score"
    elif score != score.quantize(scores.TWO_PLACES):
        errors["score"] = "Enter the moderated score with no more than 2 decimal places"
    elif score < 0 or score > highest:
        errors["score"] = f"The moderated score must be between 0 and {highest}"
    if not reason:
        errors["reason"] = "Enter the reason for the moderated score"
    if errors:
        raise PanelError(errors)
    assert score is not None

    current = recommendation(application.id)
    found = None if current is None else current.version_id
    if found != expected_version:
        raise PanelConflict(current)
    previous = None if current is None or current.moderated_score is None else Decimal(current.moderated_score)
    if current is None:
        current = Recommendation(application_id=application.id)
        db.session.add(current)
    current.moderated_score = scores.quantize(score)
    current.moderation_reason = reason
    current.updated_by_id = user.id
    current.updated_at = utcnow()
    audit.record_on(
        application,
        actor=user,
        action="moderate",
        reason=reason,
        data={
            "from_score": None if previous is None else str(scores.quantize(previous)),
            "to_score": str(scores.quantize(score)),
        },
    )
    commit_or_conflict(lambda: recommendation(application.id))
    return current
