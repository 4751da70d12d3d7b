"""Assessors' side of assessing: the conflict declaration and scoring (their list of bids: worklist.py).

The conflict rule: once an assessor declares a conflict of interest (or the officer removes
the assignment), the bid no longer exists for that assessor. Every read of an assessor's
assessments goes through `visible_assessments(user)`, the one place that rule is written:
the list, the declaration and scoring pages here, and any export or API that shows an
assessor their bids must start from it too. A bid it does not return is a 404, never a hint.

Scores are append-only: saving adds a Score row only for a criterion whose score or comment
changed, so every earlier score is kept. Saving a draft also moves the assessment's
version_id on, so a page left open in another tab is stale and cannot overwrite it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from grants.access import can_see_application, visible_assessments  # noqa: F401  (the conflict rule; tests use it from here)
from grants.apply.services import NoQuestionSet, answers_summary, documents_of
from grants.errors import FieldErrors, NotFound
from grants.extensions import db
from grants.models import Application, Assessment, Criterion, Document, Score, User
from grants.transactions import commit_or_conflict
from grants.workflow import apply_transition
from workflows import Conflict, TransitionRefused

ASSESSOR = "assessor"
# An assessor never sees an assessment in these states: a declared conflict, a removed assignment.
COMMENT_MAX = 10_000
DETAILS_MAX = 5_000
PLACES = Decimal("0.01")


class ScoresLocked(Exception):
    """The scores have been submitted; only an officer can reopen them."""


class NotAllowed(Exception):
    """The step cannot be taken now; the message says why, in words for the assessor."""


class ScoringError(FieldErrors):
    """What the assessor typed is wrong; nothing was saved.

    `errors` maps a field name (score-<criterion id>, comment-<criterion id>) to its message,
    in the order the criteria are shown.
    """


def now() -> datetime:
    return datetime.now(UTC)


# -- what an assessor may see --------------------------------------------------------------------
def assessment_for(user: Any, assessment_id: int) -> Assessment:
    """The user's own visible assessment, or NotFound (never a hint why)."""
    assessment = db.session.scalar(visible_assessments(user).where(Assessment.id == assessment_id))
    if assessment is None:
        raise NotFound(assessment_id)
    return assessment


# -- the declaration -----------------------------------------------------------------------------
def declare(user: Any, assessment: Assessment, has_conflict: bool, details: str, expected_version: int | None) -> None:
    """Record the assessor's answer. A conflict takes the bid away from them (officers are emailed).

    Answering "no" once scoring has begun changes nothing.
    """
    details = details.strip()
    if has_conflict:
        if not details:
            raise NotAllowed("Enter details of your conflict of interest")
        assessment.conflict_details = details
        assessment.declared_at = now()
        _act(user, assessment, "declare_conflict", details, expected_version)
    elif assessment.state == "assigned":
        assessment.declared_at = now()
        _act(user, assessment, "declare_no_conflict", None, expected_version)


def _act(user: Any, assessment: Assessment, name: str, reason: str | None, expected_version: int | None) -> None:
    try:
        apply_transition(assessment, name, user, reason, expected_version=expected_version)
    except TransitionRefused as exc:
        raise NotAllowed(" ".join(exc.reasons)) from None


# -- scoring -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Typed:
    """What the assessor typed for one criterion, as text ('' when nothing was chosen)."""

    score: str = ""
    comment: str = ""


def criteria_of(assessment: Assessment) -> list[Criterion]:
    return list(
        db.session.scalars(
            select(Criterion)
            .where(Criterion.round_id == assessment.application.round_id)
            .order_by(Criterion.position, Criterion.id)
        )
    )


def saved_values(assessment: Assessment) -> dict[int, Typed]:
    """The latest saved score and comment per criterion, as the form shows them."""
    return {
        criterion_id: Typed(str(score.score), score.comment)
        for criterion_id, score in assessment.current_scores().items()
    }


def _clean_comment(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def check_scores(criteria: list[Criterion], typed: dict[int, Typed], *, complete: bool) -> dict[int, tuple[int, str]]:
    """The valid scores and comments by criterion id, or ScoringError naming every problem.

    A draft may leave criteria unscored; `complete` (submitting) needs every criterion scored,
    with a comment wherever the criterion requires one.
    """
    errors: dict[str, str] = {}
    valid: dict[int, tuple[int, str]] = {}
    for criterion in criteria:
        given = typed.get(criterion.id, Typed())
        raw = given.score.strip()
        comment = _clean_comment(given.comment)
        score_field, comment_field = f"score-{criterion.id}", f"comment-{criterion.id}"
        if raw:
            try:
                score = int(raw)
            except ValueError:
                score = None
            if score is None or not criterion.scale_min <= score <= criterion.scale_max:
                errors[score_field] = (
                    f"Score for {criterion.name} must be between {criterion.scale_min} and {criterion.scale_max}"
                )
            else:
                valid[criterion.id] = (score, comment)
        elif complete:
            errors[score_field] = f"Select a score for {criterion.name}"
        elif comment:
            errors[score_field] = f"Select a score for {criterion.name} to save its comment"
        if len(comment) > COMMENT_MAX:
            errors[comment_field] = f"Comment for {criterion.name} must be {COMMENT_MAX:,} characters or fewer"
        elif complete and criterion.comment_required and not comment:
            errors[comment_field] = f"Enter a comment for {criterion.name}"
    if errors:
        raise ScoringError(errors)
    return valid


def _changed_rows(user: Any, assessment: Assessment, valid: dict[int, tuple[int, str]]) -> list[Score]:
    current = assessment.current_scores()
    rows = []
    for criterion_id, (score, comment) in valid.items():
        saved = current.get(criterion_id)
        if saved is not None and saved.score == score and saved.comment == comment:
            continue
        rows.append(
            Score(
                assessment_id=assessment.id,
                criterion_id=criterion_id,
                score=score,
                comment=comment,
                created_by_id=user.id,
            )
        )
    return rows


def _ready_to_score(assessment: Assessment, expected_version: int | None) -> None:
    if assessment.state == "submitted":
        raise ScoresLocked(assessment.id)
    if assessment.state != "scoring":
        raise NotAllowed("Declare any conflict of interest before you score this bid.")
    if expected_version is None or expected_version != assessment.version_id:
        raise Conflict(assessment)


def save_draft(user: Any, assessment: Assessment, typed: dict[int, Typed], expected_version: int | None) -> int:
    """Save the scores given so far; returns how many criteria changed (0: nothing to save).

    Raises ScoresLocked, NotAllowed, Conflict (a stale page) or ScoringError; nothing is saved then.
    """
    _ready_to_score(assessment, expected_version)
    valid = check_scores(criteria_of(assessment), typed, complete=False)
    rows = _changed_rows(user, assessment, valid)
    if not rows:
        return 0
    db.session.add_all(rows)
    flag_modified(assessment, "state")  # the assessment changed too: its version_id moves on
    commit_or_conflict(lambda: Conflict(assessment))
    return len(rows)


def submit(user: Any, assessment: Assessment, typed: dict[int, Typed], expected_version: int | None) -> None:
    """Save what was typed and submit, in one transaction: every criterion scored, comments given."""
    _ready_to_score(assessment, expected_version)
    valid = check_scores(criteria_of(assessment), typed, complete=True)
    db.session.add_all(_changed_rows(user, assessment, valid))
    _act(user, assessment, "submit", None, expected_version)


# -- what the scoring page shows -----------------------------------------------------------------
@dataclass(frozen=True)
class AssessorScores:
    """One assessor's submitted scores on a bid, and their weighted total (Σ score × weight)."""

    name: str
    scores: dict[int, int]
    weighted_total: Decimal


def weighted_total(criteria: list[Criterion], scores: dict[int, int]) -> Decimal:
    """Σ score × weight, exactly, to 2 decimal places (half up)."""
    total = sum(
        (Decimal(scores[c.id]) * Decimal(c.weight) for c in criteria if c.id in scores),
        Decimal(0),
    )
    return total.quantize(PLACES, rounding=ROUND_HALF_UP)


def _latest_scores(assessment_ids: list[int]) -> dict[int, dict[int, int]]:
    if not assessment_ids:
        return {}
    latest = (
        select(func.max(Score.id))
        .where(Score.assessment_id.in_(assessment_ids))
        .group_by(Score.assessment_id, Score.criterion_id)
    ).scalar_subquery()
    found: dict[int, dict[int, int]] = {}
    for assessment_id, criterion_id, score in db.session.execute(
        select(Score.assessment_id, Score.criterion_id, Score.score).where(Score.id.in_(latest))
    ):
        found.setdefault(assessment_id, {})[criterion_id] = score
    return found


def submitted_scores(assessment: Assessment, criteria: list[Criterion]) -> list[AssessorScores]:
    """Every submitted assessment of this bid, this assessor's first — only once theirs is submitted.

    Before then it returns nothing at all, so no other assessor's score can reach the page.
    """
    if assessment.state != "submitted":
        return []
    others = db.session.execute(
        select(Assessment.id, User.name)
        .join(User, User.id == Assessment.assessor_id)
        .where(Assessment.application_id == assessment.application_id, Assessment.state == "submitted")
        .order_by(case((Assessment.id == assessment.id, 0), else_=1), Assessment.id)  # this assessor first
    ).all()
    scores = _latest_scores([row.id for row in others])
    return [
        AssessorScores(
            name="You" if row.id == assessment.id else row.name,
            scores=scores.get(row.id, {}),
            weighted_total=weighted_total(criteria, scores.get(row.id, {})),
        )
        for row in others
    ]


@dataclass
class ScoringSheet:
    """Everything the scoring page shows for one assessment."""

    assessment: Assessment
    application: Application
    criteria: list[Criterion]
    saved: dict[int, Typed]
    summary: list[tuple[Any, list[Any]]]
    documents: list[Document]
    side_by_side: list[AssessorScores] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.assessment.state == "submitted"

    @property
    def due_on(self) -> date | None:
        """When the scores are due: the round's assessment due date, else its decision date."""
        round_ = self.application.round
        return round_.assessment_due_on or round_.decision_on

    @property
    def own_total(self) -> Decimal:
        return weighted_total(self.criteria, {k: int(v.score) for k, v in self.saved.items()})


def scoring_sheet(assessment: Assessment) -> ScoringSheet:
    application = db.session.scalar(
        select(Application)
        .options(joinedload(Application.organisation))
        .where(Application.id == assessment.application_id)
    )
    assert application is not None
    criteria = criteria_of(assessment)
    try:
        summary = answers_summary(application)
    except NoQuestionSet:
        summary = []  # a bid made without an online form has no answers to show
    return ScoringSheet(
        assessment=assessment,
        application=application,
        criteria=criteria,
        saved=saved_values(assessment),
        summary=summary,
        documents=list(documents_of(application).values()),
        side_by_side=submitted_scores(assessment, criteria),
    )


def declaration_facts(assessment: Assessment) -> dict[str, str]:
    """The only things an assessor sees of a bid before declaring: organisation, project, round."""
    application = db.session.scalar(
        select(Application)
        .options(joinedload(Application.organisation))
        .where(Application.id == assessment.application_id)
    )
    assert application is not None
    return {
        "reference": application.reference,
        "organisation": application.organisation.name,
        "project_title": application.project_title,
        "round": application.round.title,
    }
