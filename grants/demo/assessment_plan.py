"""Round 3's assessment planned without the database: screening, scores, moderation, ranking, outcomes."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

from grants.demo.assessment_criteria import (
    CONFLICTED,
    CRITERIA,
    DELIVERY,
    MAX_TOTAL,
    PANEL,
    SCALE_MAX,
    SCALE_MIN,
    weighted_total,
)
from grants.demo.assessment_text import (
    ASSIGNED_AT,
    CHECKED_NOTES,
    COMMENTS,
    CONFLICT_AT,
    FAILED_NOTES,
    IMPROVE,
    INELIGIBLE,
    INFORMATION,
    KEEP_UP,
    MEDIUM_RISK_NOTES,
    PANEL_AT,
    REASSIGNED_AT,
    SAFEGUARDING_CONDITION,
    SCORING_DAYS,
    SCREENING_DAYS,
    SESSIONS,
    TWO_INSTALMENTS,
)
from grants.demo.clock import local, on
from grants.demo.round3_plan import DEMO_R3_FUNDED
from grants.models.assessments import SCREENING_ITEMS

SEED = 20230209


@dataclass(frozen=True)
class BidFacts:
    """What the plan needs to know of one bid."""

    reference: str
    amount_pence: int
    organisation: str
    org_type: str
    place: str
    people_reached: int | None
    areas: tuple[str, ...]
    solo: bool  # the organisation's only bid in the round
    vulnerable: bool = False  # works with children or adults at risk

    @property
    def funded(self) -> bool:
        return self.reference in DEMO_R3_FUNDED


@dataclass
class Screening:
    answers: dict[str, str]
    fraud_risk: str
    notes: str
    at: datetime
    ineligible: str | None = None
    information: tuple[str, str, datetime, datetime] | None = None  # asked, answered, when, when


@dataclass
class Review:
    """One assessor's assessment of one bid."""

    assessor: int  # index into PANEL
    assigned_at: datetime
    declared_at: datetime
    scores: tuple[int, ...] = ()
    comments: tuple[str, ...] = ()
    submitted_at: datetime | None = None
    conflict: str | None = None


@dataclass
class ScoreSet:
    """Two assessors' scores for one bid, and the panel's moderated score if they disagreed."""

    first: tuple[int, ...]
    second: tuple[int, ...]
    moderated: Decimal | None = None
    moderation_reason: str | None = None
    order: tuple[int, ...] = tuple(range(len(CRITERIA)))  # breaks ties between criteria in the feedback

    @property
    def mean(self) -> Decimal:
        total = weighted_total(self.first) + weighted_total(self.second)
        return (total / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def score(self) -> Decimal:
        """What the bid ranks by: the moderated score if the panel recorded one, else the mean."""
        return self.moderated if self.moderated is not None else self.mean

    def criterion_mean(self, index: int) -> Decimal:
        return Decimal(self.first[index] + self.second[index]) / 2


@dataclass
class Outcome:
    """Where one bid ends: screening, reviews, and the panel's and decision maker's view."""

    bid: BidFacts
    screening: Screening
    reviews: list[Review] = field(default_factory=list)
    scores: ScoreSet | None = None
    tier: str = "ineligible"  # funded | reserve | not_recommended | below_minimum | ineligible
    rank: int | None = None
    feedback: str | None = None
    conditions: str | None = None
    panel_reason: str | None = None
    panel_at: datetime | None = None


@dataclass
class AssessmentPlan:
    outcomes: list[Outcome]  # in reference order
    funding_line: Decimal
    eligible: int


def _clamp(value: float) -> int:
    return max(SCALE_MIN, min(SCALE_MAX, round(value)))


def _scored(rng: random.Random, truth: Sequence[float], below: bool) -> list[int]:
    """One assessor's scores: near the bid's true worth on each criterion."""
    scores = [_clamp(value + rng.gauss(0, 0.35)) for value in truth]
    if below:  # under the minimum on deliverability, whoever scores it
        scores[DELIVERY] = min(scores[DELIVERY], 1)
    return scores


def _score_sets(rng: random.Random, count: int, spread: Decimal) -> list[ScoreSet]:
    """`count` pairs of scores: most pairs agree within `spread`, ten do not, nine fail the minimum."""
    sets: list[ScoreSet] = []
    for i in range(count):
        below, disagree = i < 9, 9 <= i < 19
        level = rng.triangular(1.7, 4.9, 3.1)
        if below:
            level = min(level, 2.6)
        truth = [level + rng.gauss(0, 0.45) for _ in CRITERIA]
        if below:
            truth[DELIVERY] = rng.uniform(0.3, 1.2)
        first = _scored(rng, truth, below)
        if disagree:
            second = list(first)
            direction = -1 if sum(first) > 12 else 1
            while abs(weighted_total(second) - weighted_total(first)) <= spread:
                k = rng.randrange(len(CRITERIA))
                second[k] = _clamp(second[k] + direction * rng.choice((1, 2)))
        else:
            for _ in range(30):
                second = _scored(rng, truth, below)
                if abs(weighted_total(second) - weighted_total(first)) <= spread:
                    break
            else:
                second = list(first)
        score_set = ScoreSet(tuple(first), tuple(second), order=tuple(rng.sample(range(len(CRITERIA)), len(CRITERIA))))
        if disagree:
            differs = max(
                range(len(CRITERIA)),
                key=lambda k: abs(score_set.first[k] - score_set.second[k]) * CRITERIA[k].weight,
            )
            shift = Decimal(rng.choice(("-1.5", "-1", "-0.5", "0.5", "1", "1.5")))
            score_set.moderated = min(Decimal(MAX_TOTAL), max(Decimal(0), score_set.mean + shift))
            gap = abs(weighted_total(score_set.first) - weighted_total(score_set.second))
            view = "the higher" if shift > 0 else "the lower"
            score_set.moderation_reason = (
                f"The assessors' totals differed by {gap}. The panel discussed "
                f"{CRITERIA[differs].name.lower().replace('police and crime plan', 'Police and Crime Plan')} "
                f"and agreed {view} view was nearer the evidence in the bid."
            )
        sets.append(score_set)
    return sets


def _ranked(sets: list[ScoreSet], boundaries: Iterable[int]) -> list[ScoreSet]:
    """The sets best first, with no tie across a boundary (the funding line, the end of the reserve list)."""
    order = sorted(sets, key=lambda s: -s.score)
    for boundary in boundaries:
        while order[boundary - 1].score <= order[boundary].score:
            lower = order[boundary]
            if lower.moderated is not None:
                lower.moderated -= Decimal("0.5")
            else:  # one point off the higher total: the two stay within the spread
                higher = lower.first if weighted_total(lower.first) >= weighted_total(lower.second) else lower.second
                k = max(range(len(CRITERIA)), key=lambda k: higher[k])
                lowered = higher[:k] + (higher[k] - 1,) + higher[k + 1 :]
                if higher is lower.first:
                    lower.first = lowered
                else:
                    lower.second = lowered
            order = sorted(sets, key=lambda s: -s.score)
    return order


def _comment(rng: random.Random, index: int, score: int, bid: BidFacts) -> str:
    level = "high" if score >= 4 else "mid" if score == 3 else "low"
    per_head = f"{bid.amount_pence / 100 / bid.people_reached:,.0f}" if bid.people_reached else "?"
    return rng.choice(COMMENTS[index][level]).format(
        place=bid.place, per_head=per_head, area=bid.areas[0] if bid.areas else "community safety"
    )


def _name(index: int) -> str:
    return CRITERIA[index].name.lower().replace("police and crime plan", "Police and Crime Plan")


def _feedback(outcome: Outcome, line: Decimal, eligible: int) -> str:
    scores = outcome.scores
    assert scores is not None and outcome.rank is not None
    order = sorted(range(len(CRITERIA)), key=lambda k: (-scores.criterion_mean(k), scores.order.index(k)))
    best, second, worst = order[0], order[1], order[-1]
    if outcome.tier == "funded":
        text = (
            f"The panel recommended your project for funding in full (£{outcome.bid.amount_pence / 100:,.2f}). "
            f"It scored {scores.score} out of {MAX_TOTAL} and ranked {outcome.rank} of {eligible} eligible bids; "
            f"it was strongest on {_name(best)}, and on {_name(second)}."
        )
        if scores.criterion_mean(worst) < 4:
            text += f" To make the most of the grant, {KEEP_UP[worst]}."
        return text
    if outcome.tier == "reserve":
        return (
            f"The panel held your application in reserve: it scored {scores.score} out of {MAX_TOTAL}, just below "
            f"the funding line of {line}, and would have been offered a grant had a recommended project fallen "
            f"away. It was strongest on {_name(best)}. To strengthen a future bid, {IMPROVE[worst]}."
        )
    if outcome.tier == "below_minimum":
        return (
            f"The panel could not recommend your application: deliverability and capacity scored "
            f"{scores.criterion_mean(DELIVERY)} out of {SCALE_MAX} on average, below the minimum of "
            f"{CRITERIA[DELIVERY].minimum_score} that every funded project must reach. To strengthen a future bid, "
            f"{IMPROVE[DELIVERY]}."
        )
    return (
        f"The panel scored your application {scores.score} out of {MAX_TOTAL}; the funding line fell at {line}, "
        f"and the fund was not large enough for every good project. It was strongest on {_name(best)} and weakest "
        f"on {_name(worst)}: to strengthen a future bid, {IMPROVE[worst]}."
    )


def plan(bids: Sequence[BidFacts], spread: Decimal = Decimal("5"), budget_pence: int = 51_000_000) -> AssessmentPlan:
    """Where each of Round 3's bids ends, the same every time."""
    rng = random.Random(SEED)
    funded_total = sum(b.amount_pence for b in bids if b.funded)
    left_over = budget_pence - funded_total

    # Screening: seven ineligible (organisations with one bid, none funded), two asked for more first.
    slots = [on(day, 9, 30) + timedelta(minutes=22 * j) for day in SCREENING_DAYS for j in range(20)]
    outcomes = []
    for bid, at in zip(bids, slots):
        risk = "medium" if rng.random() < 0.12 else "low"
        notes = CHECKED_NOTES.get(bid.org_type, "Registers checked.")
        if risk == "medium":
            notes += " " + rng.choice(MEDIUM_RISK_NOTES)
        outcomes.append(Outcome(bid, Screening(dict.fromkeys(SCREENING_ITEMS, "pass"), risk, notes, at)))
    candidates = [o for o in outcomes if not o.bid.funded and o.bid.solo]
    for item, org_types, risk, reason in INELIGIBLE:
        fitting = [
            o
            for o in candidates
            if (not org_types or o.bid.org_type in org_types) and (item != "safeguarding_policy" or o.bid.vulnerable)
        ] or candidates
        chosen = rng.choice(fitting)
        candidates.remove(chosen)
        chosen.screening.answers[item] = "fail"
        chosen.screening.fraud_risk = risk
        chosen.screening.notes = FAILED_NOTES[item] + " Ineligible: the applicant is told why."
        chosen.screening.ineligible = reason
    asked = [o for o in candidates if o.bid.solo and o.screening.at.date() <= date(2022, 11, 9)]
    for (question, answer), chosen in zip(INFORMATION, rng.sample(asked, len(INFORMATION))):
        answered = chosen.screening.at + timedelta(days=1, hours=4, minutes=rng.randint(0, 50))
        chosen.screening.information = (question, answer, chosen.screening.at, answered)
        chosen.screening.at = local(2022, 11, 14, 10, rng.randint(0, 50))
        chosen.screening.notes += " Information asked for and received."

    # Scores, ranked: the 73 funded bids first, then four in reserve (each asking for more than the
    # budget left over, so the funding line falls after the 73), then the rest.
    eligible = [o for o in outcomes if o.screening.ineligible is None]
    funded = [o for o in eligible if o.bid.funded]
    others = [o for o in eligible if not o.bid.funded]
    reserve = rng.sample([o for o in others if o.bid.amount_pence > max(left_over, 400_000)], 4)
    rest = [o for o in others if o not in reserve]
    rng.shuffle(funded)
    rng.shuffle(rest)
    sets = _ranked(_score_sets(rng, len(eligible), spread), (len(funded), len(funded) + len(reserve)))
    line = sets[len(funded) - 1].score
    for rank, (outcome, score_set) in enumerate(zip(funded + reserve + rest, sets), start=1):
        outcome.scores, outcome.rank = score_set, rank
        if outcome.bid.funded:
            outcome.tier = "funded"
        elif outcome in reserve:
            outcome.tier = "reserve"
        elif score_set.criterion_mean(DELIVERY) < (CRITERIA[DELIVERY].minimum_score or 0):
            outcome.tier = "below_minimum"
        else:
            outcome.tier = "not_recommended"
        outcome.panel_at = PANEL_AT + timedelta(minutes=rank - 1)
    assert all(o.scores and o.scores.criterion_mean(DELIVERY) >= 2 for o in funded + reserve)

    # Two assessors per bid, the six pairs of four in turn; one conflict, reassigned to the least loaded.
    pairs = list(combinations(range(len(PANEL)), 2))
    for i, outcome in enumerate(eligible):
        assert outcome.scores is not None
        for assessor, scores in zip(pairs[i % len(pairs)], (outcome.scores.first, outcome.scores.second)):
            comments = tuple(_comment(rng, k, s, outcome.bid) for k, s in enumerate(scores))
            outcome.reviews.append(Review(assessor, ASSIGNED_AT, ASSIGNED_AT, scores, comments))
    conflicted = rng.choice([o for o in funded if any(r.assessor == CONFLICTED for r in o.reviews)])
    load = [sum(1 for o in eligible for r in o.reviews if r.assessor == a) for a in range(len(PANEL))]
    review = next(r for r in conflicted.reviews if r.assessor == CONFLICTED)
    on_bid = {r.assessor for r in conflicted.reviews}
    replacement = min((a for a in range(len(PANEL)) if a not in on_bid), key=lambda a: (load[a], a))
    conflicted.reviews.append(
        Review(replacement, REASSIGNED_AT, REASSIGNED_AT, review.scores, review.comments)  # takes over its view
    )
    review.scores, review.comments = (), ()
    review.declared_at = CONFLICT_AT
    review.conflict = f"I volunteer with {conflicted.bid.organisation} and know the people running the project well."

    # When each assessor declared and submitted: through their list, three sessions a working day.
    for assessor in range(len(PANEL)):
        mine = [r for o in eligible for r in o.reviews if r.assessor == assessor and r.conflict is None]
        for k, r in enumerate(mine):
            day = SCORING_DAYS[k * len(SCORING_DAYS) // len(mine)]
            hour, minute = SESSIONS[k % len(SESSIONS)]
            start = on(day, hour, minute)
            start += timedelta(minutes=rng.randint(0, 40))
            if r.assigned_at == REASSIGNED_AT:
                start = local(2022, 11, 23, 20, 5)
            r.declared_at = start
            r.submitted_at = start + timedelta(minutes=rng.randint(20, 55))

    for outcome in eligible:
        outcome.feedback = _feedback(outcome, line, len(eligible))
        if outcome.tier == "funded":
            conditions = []
            if outcome.screening.fraud_risk != "low":
                conditions.append(TWO_INSTALMENTS)
            if rng.random() < 0.06:
                conditions.append(SAFEGUARDING_CONDITION)
            outcome.conditions = " ".join(conditions) or None
        elif outcome.tier == "below_minimum":
            assert outcome.scores is not None
            outcome.panel_reason = (
                f"Deliverability and capacity averaged {outcome.scores.criterion_mean(DELIVERY)}, below the minimum "
                f"of {CRITERIA[DELIVERY].minimum_score}."
            )
        elif outcome.tier == "not_recommended":
            assert outcome.scores is not None
            outcome.panel_reason = (
                f"Ranked {outcome.rank} of {len(eligible)}: below the funding line "
                f"({outcome.scores.score} against {line} out of {MAX_TOTAL})."
            )
    return AssessmentPlan(outcomes=outcomes, funding_line=line, eligible=len(eligible))


# -- writing it ----------------------------------------------------------------------------------
