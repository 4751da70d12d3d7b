"""Round 3's assessment criteria (five, weighted, 0 to 5) and the demo's panel of assessors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from grants.extensions import db
from grants.models import (
    Criterion,
    Programme,
    RoleGrant,
    Round,
    User,
)


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
