"""Round 3 assessed and decided, as the decision of 9 February 2023 left it.

Every one of the 198 bids is screened; a handful are ineligible, with a reason the
applicant reads. The rest go to two assessors each (balanced across a panel of four),
who declare conflicts of interest and score the round's five criteria; one declares a
conflict and the officer assigns a replacement. The panel moderates the bids its
assessors disagreed on, ranks them, and recommends the 73 of `DEMO_R3_FUNDED` — the
highest scored — for exactly the amounts they asked for (£506,097.82 in all), holds the
next four in reserve and does not recommend the rest. The decision maker approves the
73 and rejects the others.

Every change of state goes through the workflow engine at its historical time, so the
audit trail is real; scores, screening checklists, recommendations and approvals,
which have no workflow of their own, are written in bulk.

The timeline (Europe/London), between the close on Friday 4 November 2022 and the
decision on Thursday 9 February 2023:

- 7-18 Nov 2022   officers screen the bids (two are asked for more information first)
- 21 Nov 10:00    eligible bids sent for assessment and assigned, two assessors each
- 22 Nov-13 Jan   assessors declare any conflict, score and submit
- 19 Jan 2023     panel meeting: moderation, ranking, recommendations
- 9 Feb 2023 14:00  the decision maker approves and rejects

A weighted total is the sum of score x weight; the weights add up to 10, so with the
0-5 scale a total is out of 50. Everything is drawn from a seeded random.Random, so
every load makes the same data. The plan is pure (no database); `assess_round3`
writes it.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations
from typing import Any

from sqlalchemy import insert, select

from grants.demo.round3 import DEMO_R3_FUNDED
from grants.extensions import db
from grants.formatting import london_to_utc
from grants.models import (
    Application,
    ApplicationSection,
    ApplicationTerm,
    Approval,
    Assessment,
    Criterion,
    Membership,
    Organisation,
    Programme,
    Recommendation,
    RoleGrant,
    Round,
    Score,
    ScreeningCheck,
    Term,
    User,
)
from grants.models.assessments import SCREENING_ITEMS
from grants.workflow import engine, start_case

SEED = 20230209


# -- the criteria --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CriterionSpec:
    name: str
    weight: Decimal
    guidance: str
    minimum_score: int | None = None


CRITERIA: tuple[CriterionSpec, ...] = (
    CriterionSpec(
        "Need and evidence",
        Decimal("2.5"),
        "How well the bid shows that the problem it tackles exists here and now: police or council "
        "figures, consultation with residents, referrals and waiting lists.",
    ),
    CriterionSpec(
        "Outcomes and measurement",
        Decimal("2"),
        "Whether the outcomes for people are clear and realistic, and how the group will measure them, "
        "with a starting point to compare against.",
    ),
    CriterionSpec(
        "Value for money",
        Decimal("2"),
        "Whether the costs are reasonable and explained for what the project will achieve and the number of "
        "people it reaches. Match funding and volunteer time count in its favour.",
    ),
    CriterionSpec(
        "Deliverability and capacity",
        Decimal("2"),
        "Whether the group can deliver the project on time: its experience, staff and volunteers, partners, "
        "venue and safeguarding. A bid must score at least 2 here to be funded.",
        minimum_score=2,
    ),
    CriterionSpec(
        "Fit with Police and Crime Plan priorities",
        Decimal("1.5"),
        "How directly the project serves the Police and Crime Plan's priorities and the round's areas of focus.",
    ),
)
SCALE_MIN, SCALE_MAX = 0, 5
DESCRIPTORS = {"0": "Unacceptable", "1": "Poor", "2": "Partial", "3": "Satisfactory", "4": "Good", "5": "Strong"}
TOTAL_WEIGHT = sum((c.weight for c in CRITERIA), Decimal(0))  # 10
MAX_TOTAL = int(SCALE_MAX * TOTAL_WEIGHT)  # 50
DELIVERY = 3  # the criterion with a minimum score
GUIDANCE_HEADING = "How we score applications:"


def weighted_total(scores: Sequence[int]) -> Decimal:
    """One assessor's weighted total (out of 50): the sum of score x weight."""
    return sum((Decimal(s) * c.weight for s, c in zip(scores, CRITERIA, strict=True)), Decimal(0))


def criteria_guidance() -> str:
    """The criteria and their weights, as applicants read them in the round's guidance."""
    parts = []
    for c in CRITERIA:
        share = f"{c.weight / TOTAL_WEIGHT * 100:.0f}%"
        text = f"{c.name.lower().replace('police and crime plan', 'Police and Crime Plan')} {share}"
        if c.minimum_score is not None:
            text += f" (a bid must score at least {c.minimum_score} out of {SCALE_MAX} here to be funded)"
        parts.append(text)
    return (
        f"{GUIDANCE_HEADING} assessors score each bid from {SCALE_MIN} ({DESCRIPTORS[str(SCALE_MIN)].lower()}) "
        f"to {SCALE_MAX} ({DESCRIPTORS[str(SCALE_MAX)].lower()}) against five criteria, weighted: "
        + "; ".join(parts)
        + "."
    )


def ensure_criteria(round_: Round) -> list[Criterion]:
    """The round's criteria (made if it has none), and the criteria in its guidance to applicants."""
    criteria = list(
        db.session.scalars(select(Criterion).where(Criterion.round_id == round_.id).order_by(Criterion.position))
    )
    if not criteria:
        criteria = [
            Criterion(
                round_id=round_.id,
                position=position,
                name=spec.name,
                guidance=spec.guidance,
                scale_min=SCALE_MIN,
                scale_max=SCALE_MAX,
                descriptors=dict(DESCRIPTORS),
                weight=spec.weight,
                minimum_score=spec.minimum_score,
                comment_required=True,
            )
            for position, spec in enumerate(CRITERIA, start=1)
        ]
        db.session.add_all(criteria)
        db.session.flush()
    if GUIDANCE_HEADING not in (round_.guidance or ""):
        round_.guidance = f"{round_.guidance or ''} {criteria_guidance()}".strip()
    return criteria


# -- the panel -----------------------------------------------------------------------------------
PANEL: tuple[tuple[str, str], ...] = (
    ("assessor@example.org", "Gareth Lloyd"),
    ("nasreen.akhtar@example.org", "Nasreen Akhtar"),
    ("helen.greenwood@example.org", "Helen Greenwood"),
    ("marcus.boateng@example.org", "Marcus Boateng"),
)
CONFLICTED = 1  # Nasreen Akhtar declares a conflict of interest on one bid


def panel_accounts(mscf: Programme, password_hash: str) -> list[User]:
    """The four assessors of the Round 3 panel, each an assessor on the MSCF only."""
    users = []
    for email, name in PANEL:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(name=name, email=email, password_hash=password_hash)
            db.session.add(user)
            db.session.flush()
        grant = db.session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.user_id == user.id, RoleGrant.role == "assessor", RoleGrant.programme_id == mscf.id
            )
        )
        if grant is None:
            db.session.add(RoleGrant(user_id=user.id, role="assessor", programme_id=mscf.id))
        users.append(user)
    db.session.flush()
    return users


# -- the plan (no database) ----------------------------------------------------------------------
def _local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return london_to_utc(datetime(year, month, day, hour, minute))


SCREENING_DAYS = [date(2022, 11, d) for d in (7, 8, 9, 10, 11, 14, 15, 16, 17, 18)]
ASSIGNED_AT = _local(2022, 11, 21, 10)
CONFLICT_AT = _local(2022, 11, 22, 8, 50)
REASSIGNED_AT = _local(2022, 11, 22, 11, 30)
PANEL_AT = _local(2023, 1, 19, 10)
DECISION_AT = _local(2023, 2, 9, 14)
SCORING_DAYS = [
    date(2022, 11, 22) + timedelta(days=n)
    for n in range((date(2023, 1, 13) - date(2022, 11, 22)).days + 1)
    if (date(2022, 11, 22) + timedelta(days=n)).weekday() < 5
    and not date(2022, 12, 23) <= date(2022, 11, 22) + timedelta(days=n) <= date(2023, 1, 2)
]
SESSIONS = ((9, 15), (13, 40), (19, 10))  # assessors score between other duties, evenings too

REJECTED = "Other projects scored higher against the criteria and the fund is limited."
REJECTED_BELOW_MINIMUM = (
    "The project did not reach the minimum score for deliverability and capacity, so it could not be funded."
)
RESERVE_REASON = "Next in line if a recommended project falls away before the decision."
TWO_INSTALMENTS = "The grant will be paid in two instalments: the second after we accept your first monitoring return."
SAFEGUARDING_CONDITION = "Send us your updated safeguarding policy, signed by your chair, before the first payment."

# Failed checks: the item that failed, the kinds of organisation it can happen to, the risk, and the
# reason the applicant reads.
INELIGIBLE: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    (
        "accounts",
        ("registered_charity", "cio"),
        "medium",
        "Your organisation's accounts were not filed with the Charity Commission: the accounts for the year to "
        "31 March 2021 were due by 31 January 2022 and are still shown as overdue. The Fund can only support "
        "organisations whose accounts are up to date. You are welcome to apply to a future round once they are filed.",
    ),
    (
        "organisation_verified",
        ("cic", "company_limited_by_guarantee"),
        "high",
        "Companies House shows a first notice of compulsory strike-off against your company, so we could not "
        "confirm it is in good standing. The Fund can only support organisations that are active on their register.",
    ),
    (
        "governing_document",
        ("community_group",),
        "medium",
        "You did not send a signed governing document. A constituted community group must send its constitution, "
        "signed and dated by two committee members, so we can check it is a not-for-profit group.",
    ),
    (
        "bank_details",
        (),
        "high",
        "The bank account you gave is in a person's name, not your organisation's. We can only pay grants into an "
        "account in the organisation's name that needs two unrelated people to authorise payments.",
    ),
    (
        "safeguarding_policy",
        (),
        "medium",
        "Your project works with children or adults at risk, but your organisation does not have a safeguarding "
        "policy of its own: the one you sent belongs to another organisation. The Fund cannot support such work "
        "without one.",
    ),
    (
        "accounts",
        ("registered_charity", "cio", "cic", "company_limited_by_guarantee"),
        "medium",
        "We could not see your latest annual accounts: none were sent with your application and the registers "
        "hold none for your last financial year. The Fund can only support organisations whose latest accounts "
        "we have seen.",
    ),
    (
        "governing_document",
        ("community_group",),
        "medium",
        "Your governing document allows profits to be shared among members, so your group is not a "
        "not-for-profit organisation and cannot receive a grant from the Fund.",
    ),
)
FAILED_NOTES = {
    "accounts": "Accounts overdue or missing on the register.",
    "organisation_verified": "Not in good standing on the register.",
    "governing_document": "Governing document missing or not for a not-for-profit group.",
    "bank_details": "Bank account in an individual's name.",
    "safeguarding_policy": "No safeguarding policy of its own.",
}
INFORMATION = (
    (
        "Please send your safeguarding policy: the file attached to your application could not be opened.",
        "We have attached our safeguarding policy again, as a PDF. Our committee adopted it in September 2022.",
    ),
    (
        "Please send a recent bank statement: the account name you gave is different from your organisation's name.",
        "The account is in our registered name; the bank shortens it on statements. A statement from October 2022 "
        "is attached.",
    ),
)
CHECKED_NOTES = {
    "registered_charity": "Charity Commission register checked: registered, accounts and annual return up to date.",
    "cio": "Charity Commission register checked: registered CIO, accounts up to date.",
    "cic": "Companies House checked: active, confirmation statement and accounts up to date.",
    "company_limited_by_guarantee": "Companies House and Charity Commission checked: active, accounts up to date.",
    "community_group": "Constitution seen, signed by the chair and secretary; bank statement in the group's name.",
    "school": "Checked against Get Information about Schools: open, maintained school.",
}
MEDIUM_RISK_NOTES = (
    "New organisation and its first grant from the Fund: pay in two instalments.",
    "The grant would be most of the group's yearly income: pay in two instalments.",
    "Treasurer and chair are related; the group has agreed a third signatory.",
)

COMMENTS: tuple[dict[str, tuple[str, ...]], ...] = (
    {
        "high": (
            "Strong local evidence of need in {place}: crime figures, referrals and what residents have said.",
            "Need is clearly evidenced and the group knows its area well; partners confirm the demand.",
        ),
        "mid": (
            "Need is described, but mostly from the group's own experience; little local data.",
            "A reasonable case for {place}, though the evidence is general rather than local.",
        ),
        "low": (
            "Need is asserted rather than evidenced: no local figures or consultation.",
            "Not clear why this is needed in {place} or how it adds to what is already there.",
        ),
    },
    {
        "high": (
            "Specific, measurable outcomes with a baseline and before-and-after measures.",
            "Realistic outcomes and a sensible plan to measure them.",
        ),
        "mid": (
            "Outcomes are reasonable, but the measures are mostly attendance counts.",
            "Some measurable outcomes; the survey needs a baseline to show change.",
        ),
        "low": (
            "Outcomes are vague and there is no real plan to measure them.",
            "The measures are outputs (sessions run), not outcomes for people.",
        ),
    },
    {
        "high": (
            "Good value at about £{per_head} a person reached; costs explained line by line.",
            "Modest, well-justified costs, with volunteer time and match funding on top.",
        ),
        "mid": (
            "Costs are reasonable overall, though some lines are not explained.",
            "Acceptable value at about £{per_head} a person reached.",
        ),
        "low": (
            "Expensive for the numbers reached (about £{per_head} a person).",
            "Budget lines are not explained and the staff costs look high.",
        ),
    },
    {
        "high": (
            "Experienced group with a track record of similar work; a realistic timetable.",
            "Named staff and volunteers, venue and partners in place; confident it will deliver.",
        ),
        "mid": (
            "A plausible plan, but it relies heavily on one or two volunteers.",
            "The timetable is tight and the project worker is not yet recruited.",
        ),
        "low": (
            "Not confident it can be delivered: no staff, volunteers or venue identified.",
            "Depends on partners and a venue not yet agreed, and the group has no track record.",
        ),
    },
    {
        "high": (
            "Tackles {area} directly: a strong fit with the Police and Crime Plan.",
            "A clear link to keeping people safe and to the round's areas of focus.",
        ),
        "mid": (
            "Some fit with the Plan, though the link to crime and safety is indirect.",
            "Fits the Plan's priorities in part; {area} is mentioned but not central.",
        ),
        "low": (
            "Little link to community safety or the Police and Crime Plan.",
            "A worthwhile project, but it is not really about crime or safety.",
        ),
    },
)
# What the panel tells an applicant about their weakest criterion.
KEEP_UP = (
    "keep collecting local evidence of need, such as referrals and waiting lists, for your monitoring returns",
    "record a starting point at the beginning so your monitoring can show the difference the project makes",
    "watch the cost per person reached, and tell us early if numbers fall short",
    "recruit and train volunteers early: the plan relies on a small team",
    "show in your monitoring how the project helps the Police and Crime Plan priorities",
)
IMPROVE = (
    "use local figures (police, council, school or health data) and what local people have told you to show the need",
    "say what will change for people and how you will measure it, with a starting point to compare against",
    "explain each budget line and how it helps reach the number of people you expect",
    "show who will run the project, their experience, and the partners and venue you have agreed",
    "explain how the project makes people safer, linking it to the Police and Crime Plan priorities and the "
    "areas of focus",
)


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
    slots = [
        london_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=9, minute=30)) + timedelta(minutes=22 * j)
        for day in SCREENING_DAYS
        for j in range(20)
    ]
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
        chosen.screening.at = _local(2022, 11, 14, 10, rng.randint(0, 50))
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
            start = london_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))
            start += timedelta(minutes=rng.randint(0, 40))
            if r.assigned_at == REASSIGNED_AT:
                start = _local(2022, 11, 23, 20, 5)
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
def bid_facts(round_: Round) -> tuple[list[BidFacts], dict[str, Application]]:
    rows = db.session.execute(
        select(Application, Organisation)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(Application.round_id == round_.id, Application.public_reference.is_not(None))
        .order_by(Application.public_reference)
    ).all()
    areas: dict[int, list[str]] = {}
    for application_id, label in db.session.execute(
        select(ApplicationTerm.application_id, Term.label)
        .join(Term, Term.id == ApplicationTerm.term_id)
        .join(Application, Application.id == ApplicationTerm.application_id)
        .where(Application.round_id == round_.id, Term.vocabulary == "area_of_focus")
        .order_by(ApplicationTerm.application_id, Term.position)
    ):
        areas.setdefault(application_id, []).append(label)
    vulnerable = {
        application_id
        for application_id, answers in db.session.execute(
            select(ApplicationSection.application_id, ApplicationSection.answers)
            .join(Application, Application.id == ApplicationSection.application_id)
            .where(Application.round_id == round_.id, ApplicationSection.section_key == "safeguarding")
        )
        if (answers or {}).get("values", {}).get("works_with_vulnerable") == "yes"
    }
    bids_of: dict[int, int] = {}
    for application, _organisation in rows:
        bids_of[application.organisation_id] = bids_of.get(application.organisation_id, 0) + 1
    facts = [
        BidFacts(
            reference=application.reference,
            amount_pence=application.amount_requested_pence,
            organisation=organisation.name,
            org_type=organisation.org_type,
            place=organisation.town or (organisation.district or "West Yorkshire").title(),
            people_reached=application.people_reached,
            areas=tuple(areas.get(application.id, ())),
            solo=bids_of[application.organisation_id] == 1,
            vulnerable=application.id in vulnerable,
        )
        for application, organisation in rows
    ]
    return facts, {application.reference: application for application, _organisation in rows}


def _step(subject: Any, name: str, user: Any, reason: str | None, at: datetime) -> None:
    """Apply a transition unless the subject is already past it (a demo loaded before this existed)."""
    transition = engine().definition_for(subject).transitions[name]
    if subject.state in transition.sources:
        engine().apply(subject, name, user, reason, now=at)


def _applicant(application: Application) -> User:
    user = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == application.organisation_id)
        .order_by(Membership.id)
    )
    assert user is not None, application.reference
    return user


def _bulk(model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert rows in one statement (executemany): no ORM objects, no audit rows."""
    if rows:
        db.session.execute(insert(model), rows)


def assess_round3(round_: Round, officer: User, decision_maker: User, panel: list[User]) -> None:
    """Screen, assess, recommend and decide Round 3's bids; does nothing if they have been assessed.

    Each stage applies its transitions without autoflush (the conditions they check read rows
    written in bulk, or flushed at the end of an earlier stage) and flushes once at its end:
    the same rows and audit trail, in a fraction of the time.
    """
    done = db.session.scalar(select(Assessment.id).join(Application).where(Application.round_id == round_.id).limit(1))
    if done is not None:
        return
    criteria = ensure_criteria(round_)
    facts, applications = bid_facts(round_)
    the_plan = plan(facts, round_.moderation_spread or Decimal("5"), round_.budget_pence or 51_000_000)
    eligible = [o for o in the_plan.outcomes if o.screening.ineligible is None]
    by_rank = sorted(eligible, key=lambda o: o.rank or 0)
    with db.session.no_autoflush:
        _screen(the_plan, applications, officer)
        made = _assign(eligible, applications, officer, panel)
        _score(made, criteria, panel)
        _recommend(by_rank, applications, officer)
        _decide(by_rank, applications, decision_maker)


def _screen(the_plan: AssessmentPlan, applications: dict[str, Application], officer: User) -> None:
    """Checklists in bulk, then each bid eligible or not, in the order the officers screened them."""
    screened = set(db.session.scalars(select(ScreeningCheck.application_id)))
    _bulk(
        ScreeningCheck,
        [
            {
                "application_id": applications[o.bid.reference].id,
                "answers": o.screening.answers,
                "fraud_risk": o.screening.fraud_risk,
                "notes": o.screening.notes,
                "updated_by_id": officer.id,
                "updated_at": o.screening.at,
                "version_id": 1,
            }
            for o in the_plan.outcomes
            if applications[o.bid.reference].id not in screened
        ],
    )
    for outcome in sorted(the_plan.outcomes, key=lambda o: o.screening.at):
        application = applications[outcome.bid.reference]
        screening = outcome.screening
        if screening.information is not None:
            question, answer, asked, answered = screening.information
            _step(application, "request_information", officer, question, asked)
            _step(application, "provide_information", _applicant(application), answer, answered)
        if screening.ineligible is not None:
            _step(application, "mark_ineligible", officer, screening.ineligible, screening.at)
        else:
            _step(application, "mark_eligible", officer, None, screening.at)
    db.session.flush()


def _assign(
    eligible: list[Outcome], applications: dict[str, Application], officer: User, panel: list[User]
) -> list[tuple[Review, Assessment]]:
    """Every eligible bid sent for assessment and its assessors assigned, in one go (and the replacement later)."""
    made: list[tuple[Review, Assessment]] = []
    initial = engine().registry.latest("assessment")
    for outcome in eligible:
        application = applications[outcome.bid.reference]
        _step(application, "start_assessment", officer, None, ASSIGNED_AT)
        for review in outcome.reviews:
            assessment = Assessment(
                application=application,
                assessor_id=panel[review.assessor].id,
                assigned_by_id=officer.id,
                assigned_at=review.assigned_at,
                workflow=initial.name,
                workflow_version=initial.version,
                state=initial.initial,
                state_changed_at=review.assigned_at,
            )
            db.session.add(assessment)
            made.append((review, assessment))
    db.session.flush()  # all in one go, so that each case below starts with its id
    for review, assessment in made:
        start_case(assessment, "assessment", officer, now=review.assigned_at)
    db.session.flush()
    return made


def _score(made: list[tuple[Review, Assessment]], criteria: list[Criterion], panel: list[User]) -> None:
    """Scores in bulk (append-only rows, not audited); then each assessor declares and submits, in time order."""
    rows = []
    for review, assessment in made:
        if review.submitted_at is None:
            continue
        step = (review.submitted_at - review.declared_at) / (len(criteria) + 1)
        for k, (criterion, score, comment) in enumerate(zip(criteria, review.scores, review.comments), start=1):
            rows.append(
                {
                    "assessment_id": assessment.id,
                    "criterion_id": criterion.id,
                    "score": score,
                    "comment": comment,
                    "created_at": review.declared_at + step * k,
                    "created_by_id": assessment.assessor_id,
                }
            )
    _bulk(Score, rows)
    for review, assessment in sorted(made, key=lambda pair: pair[0].declared_at):
        assessor = panel[review.assessor]
        assessment.declared_at = review.declared_at
        if review.conflict is not None:
            assessment.conflict_details = review.conflict
            engine().apply(assessment, "declare_conflict", assessor, review.conflict, now=review.declared_at)
            continue
        assert review.submitted_at is not None
        engine().apply(assessment, "declare_no_conflict", assessor, now=review.declared_at)
        engine().apply(assessment, "submit", assessor, now=review.submitted_at)
    db.session.flush()


def _recommend(by_rank: list[Outcome], applications: dict[str, Application], officer: User) -> None:
    """The panel: a recommendation (with feedback) for every eligible bid, then each bid marked in rank order."""
    recommended = set(db.session.scalars(select(Recommendation.application_id)))
    _bulk(
        Recommendation,
        [
            {
                "application_id": applications[o.bid.reference].id,
                "moderated_score": o.scores.moderated if o.scores else None,
                "moderation_reason": o.scores.moderation_reason if o.scores else None,
                "recommended_amount_pence": o.bid.amount_pence if o.tier == "funded" else None,
                "feedback": o.feedback,
                "conditions": o.conditions,
                "updated_by_id": officer.id,
                "updated_at": o.panel_at,
                "version_id": 1,
            }
            for o in by_rank
            if applications[o.bid.reference].id not in recommended
        ],
    )
    for outcome in by_rank:
        application = applications[outcome.bid.reference]
        assert outcome.panel_at is not None
        if outcome.tier == "funded":
            _step(application, "recommend", officer, None, outcome.panel_at)
        elif outcome.tier == "reserve":
            _step(application, "hold_in_reserve", officer, RESERVE_REASON, outcome.panel_at)
        else:
            _step(application, "do_not_recommend", officer, outcome.panel_reason, outcome.panel_at)
    db.session.flush()


def _decide(by_rank: list[Outcome], applications: dict[str, Application], decision_maker: User) -> None:
    """The decision: an approval for each recommended bid, then each approved or rejected, in rank order."""
    approved = set(db.session.scalars(select(Approval.application_id)))
    _bulk(
        Approval,
        [
            {
                "application_id": applications[o.bid.reference].id,
                "approver_id": decision_maker.id,
                "conditions": o.conditions,
                "created_at": DECISION_AT,
            }
            for o in by_rank
            if o.tier == "funded" and applications[o.bid.reference].id not in approved
        ],
    )
    for outcome in by_rank:
        application = applications[outcome.bid.reference]
        if outcome.tier == "funded":
            _step(application, "approve", decision_maker, None, DECISION_AT)
        else:
            reason = REJECTED_BELOW_MINIMUM if outcome.tier == "below_minimum" else REJECTED
            _step(application, "reject", decision_maker, reason, DECISION_AT)
    db.session.flush()
