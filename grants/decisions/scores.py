"""Assessors' submitted scores for a round, read in one set-based query, and the Decimal sums on them.

Scores are append-only: an assessor's current score on a criterion is the row with the
highest id for that (assessment, criterion). Only submitted assessments count. A weighted
total is Σ score × weight, exact in Decimal (weights have two decimal places and scores
are whole numbers, so a total always has two decimal places); a mean is rounded half up
to two decimal places, the way it is shown everywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, select

from grants.extensions import db
from grants.models import Application, Assessment, Criterion, Score, User

TWO_PLACES = Decimal("0.01")
SUBMITTED = "submitted"


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    name: str
    weight: Decimal
    scale_min: int
    scale_max: int
    minimum_score: int | None

    @property
    def max_weighted(self) -> Decimal:
        return self.scale_max * self.weight

    @property
    def weight_hundredths(self) -> int:
        """The weight in hundredths (weights are Numeric(6, 2)): 1.5 → 150, 2.25 → 225."""
        return int(self.weight * 100)


@dataclass
class AssessorSheet:
    """One assessor's current scores on one bid (submitted assessments only)."""

    assessment_id: int
    assessor: str
    scores: dict[int, int] = field(default_factory=dict)
    comments: dict[int, str] = field(default_factory=dict)
    total: Decimal = Decimal("0.00")


def quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_total(scores: dict[int, int], weights: dict[int, int]) -> Decimal:
    """Σ score × weight (criterion id → weight in hundredths; other criteria add nothing).

    Worked in whole hundredths (weights have two decimal places, scores are whole numbers),
    so the sum is exact, then given back as a Decimal with two decimal places.
    """
    hundredths = sum(score * weights[criterion_id] for criterion_id, score in scores.items() if criterion_id in weights)
    return Decimal(hundredths).scaleb(-2).quantize(TWO_PLACES)


def mean(values: Iterable[Decimal]) -> Decimal | None:
    values = list(values)
    if not values:
        return None
    return quantize(sum(values, Decimal("0")) / len(values))


def spread(values: Iterable[Decimal]) -> Decimal | None:
    """Highest total less lowest total (None with fewer than two assessors)."""
    values = list(values)
    if len(values) < 2:
        return None
    return max(values) - min(values)


def maximum_total(criteria: Sequence[CriterionInfo]) -> Decimal:
    """The highest weighted total a bid can get: Σ scale_max × weight."""
    return quantize(sum((c.max_weighted for c in criteria), Decimal("0")))


def criteria_for(round_id: int) -> list[CriterionInfo]:
    rows = db.session.execute(
        select(
            Criterion.id,
            Criterion.name,
            Criterion.weight,
            Criterion.scale_min,
            Criterion.scale_max,
            Criterion.minimum_score,
        )
        .where(Criterion.round_id == round_id)
        .order_by(Criterion.position, Criterion.id)
    ).all()
    return [
        CriterionInfo(
            id=row.id,
            name=row.name,
            weight=Decimal(row.weight),
            scale_min=row.scale_min,
            scale_max=row.scale_max,
            minimum_score=row.minimum_score,
        )
        for row in rows
    ]


def _latest(round_id: int, states: Collection[str], application_ids: Sequence[int] | None = None) -> Any:
    """The id of each current score (the highest id per assessment and criterion) of the round's
    submitted assessments on bids in `states`: a max(id) subquery to join."""
    scope = [Application.round_id == round_id, Application.state.in_(states), Assessment.state == SUBMITTED]
    if application_ids is not None:
        scope.append(Application.id.in_(application_ids))
    return (
        select(func.max(Score.id).label("id"))
        .join(Assessment, Assessment.id == Score.assessment_id)
        .join(Application, Application.id == Assessment.application_id)
        .where(*scope)
        .group_by(Score.assessment_id, Score.criterion_id)
        .subquery("latest")
    )


def submitted_sheets(
    round_id: int,
    states: Collection[str],
    criteria: Sequence[CriterionInfo],
    *,
    application_ids: Sequence[int] | None = None,
    with_comments: bool = False,
) -> dict[int, list[AssessorSheet]]:
    """Every submitted assessment's current scores, by application id: one statement.

    The current score per (assessment, criterion) is the one with the highest id (a
    max(id) subquery, joined). Sheets come in assessor-name order, each with its weighted total.
    """
    latest = _latest(round_id, states, application_ids)
    columns: list[Any] = [Assessment.application_id, Assessment.id, User.name, Score.criterion_id, Score.score]
    if with_comments:
        columns.append(Score.comment)
    query = (
        select(*columns)
        .select_from(Score)
        .join(latest, latest.c.id == Score.id)
        .join(Assessment, Assessment.id == Score.assessment_id)
        .join(User, User.id == Assessment.assessor_id)
    )
    weights = {c.id: c.weight_hundredths for c in criteria}
    sheets: dict[int, dict[int, AssessorSheet]] = {}
    # Plain rows through the session's connection (no ORM loading), fetched at once: tens of thousands.
    for row in db.session.connection().execute(query).all():
        application_id, assessment_id, assessor, criterion_id, score = row[:5]
        if criterion_id not in weights:
            continue
        by_assessment = sheets.get(application_id)
        if by_assessment is None:
            by_assessment = sheets[application_id] = {}
        sheet = by_assessment.get(assessment_id)
        if sheet is None:
            sheet = by_assessment[assessment_id] = AssessorSheet(assessment_id=assessment_id, assessor=assessor)
        sheet.scores[criterion_id] = score
        if with_comments:
            sheet.comments[criterion_id] = row[5] or ""
    result: dict[int, list[AssessorSheet]] = {}
    for application_id, by_assessment in sheets.items():
        found = sorted(by_assessment.values(), key=lambda sheet: (sheet.assessor, sheet.assessment_id))
        for sheet in found:
            sheet.total = weighted_total(sheet.scores, weights)
        result[application_id] = found
    return result


@dataclass
class BidTotals:
    """A bid's submitted assessments, summed by the database: what the ranking needs."""

    totals: list[Decimal] = field(default_factory=list)  # one weighted total per assessment
    minimum_scores: dict[int, list[int]] = field(default_factory=dict)  # criterion id → scores given


def submitted_totals(round_id: int, states: Sequence[str], criteria: Sequence[CriterionInfo]) -> dict[int, BidTotals]:
    """Each submitted assessment's weighted total, and its scores on criteria with a minimum,
    by application id: one statement returning a row per assessment, not per score.

    The database sums score × weight in whole hundredths (an exact integer on any database);
    the total comes back as a Decimal with two decimal places.
    """
    if not criteria:
        return {}
    latest = _latest(round_id, states)
    hundredths = case({c.id: c.weight_hundredths for c in criteria}, value=Score.criterion_id, else_=0)
    minimums = [c for c in criteria if c.minimum_score is not None]
    columns: list[Any] = [Assessment.application_id, Assessment.id, func.sum(Score.score * hundredths)]
    columns += [func.max(case((Score.criterion_id == c.id, Score.score))) for c in minimums]
    query = (
        select(*columns)
        .select_from(Score)
        .join(latest, latest.c.id == Score.id)
        .join(Assessment, Assessment.id == Score.assessment_id)
        .group_by(Assessment.application_id, Assessment.id)
        .order_by(Assessment.id)
    )
    found: dict[int, BidTotals] = {}
    for row in db.session.connection().execute(query).all():
        bid = found.get(row[0])
        if bid is None:
            bid = found[row[0]] = BidTotals()
        bid.totals.append(Decimal(int(row[2] or 0)).scaleb(-2).quantize(TWO_PLACES))
        for criterion, score in zip(minimums, row[3:]):
            if score is not None:
                bid.minimum_scores.setdefault(criterion.id, []).append(int(score))
    return found


def below_minimum(sheets: Sequence[AssessorSheet], criteria: Sequence[CriterionInfo]) -> list[str]:
    """The criteria with a minimum whose mean submitted score is below it (or that have none).

    The same rule as Application.minimum_score_problem, worked out from scores already read.
    """
    given: dict[int, list[int]] = {}
    for sheet in sheets:
        for criterion_id, score in sheet.scores.items():
            given.setdefault(criterion_id, []).append(score)
    return minimum_problems(given, criteria)


def minimum_problems(given: dict[int, list[int]], criteria: Sequence[CriterionInfo]) -> list[str]:
    """Why a bid with these scores (criterion id → scores) cannot be recommended, if it cannot."""
    problems = []
    for criterion in criteria:
        if criterion.minimum_score is None:
            continue
        scores = given.get(criterion.id)
        if not scores:
            problems.append(f"{criterion.name} has no submitted scores")
        elif Decimal(sum(scores)) / len(scores) < criterion.minimum_score:
            problems.append(f"{criterion.name} scores below the minimum of {criterion.minimum_score}")
    return problems
