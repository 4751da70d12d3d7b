"""Setting up the ranking benchmark (not timed): two closed rounds of scored bids, with SQLAlchemy Core inserts.

Each round has weighted criteria, organisations, bids (applications) with districts and areas of focus,
submitted assessments by every assessor, scores (one in ten rescored later, so the append-only history is
there for the ranking's max(id) subquery to skip) and recommendations for a fifth of the bids.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import insert, select
from support_db import analyze
from support_fixtures import submitted_application, tag_rows

from grants.extensions import db
from grants.models import (
    Application,
    ApplicationTerm,
    Assessment,
    Criterion,
    Organisation,
    Programme,
    Recommendation,
    Round,
    Score,
    User,
)
from grants.setup.seed import seed_vocabularies

ASSESSORS = 5
CRITERIA = [  # name, weight, minimum score
    ("Need and evidence", "1.50", 2),
    ("Outcomes and measurement", "1.25", None),
    ("Value for money", "2.25", None),
    ("Deliverability and capacity", "1.00", None),
    ("Fit with Police and Crime Plan priorities", "0.75", None),
    ("Safeguarding", "1.00", None),
]
STATES = ("in_assessment",) * 7 + ("recommended", "reserve", "not_recommended")


def build(bids_by_round: dict[str, int], seed: int) -> None:
    """Vocabularies, a programme, assessors, and for each round: criteria, organisations, bids with
    tags, submitted assessments, scores (some rescored) and recommendations. Core inserts."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    seed_vocabularies()
    programme = Programme(code="RANK", name="Ranking benchmark programme", kind="grant_rounds")
    db.session.add(programme)
    db.session.flush()
    db.session.execute(
        insert(User.__table__),
        [
            {"email": f"assessor{i}@rank.example", "name": f"Assessor {i}", "password_hash": "x", "active": True}
            for i in range(ASSESSORS)
        ],
    )
    assessors = list(db.session.scalars(select(User.id).order_by(User.id)))

    for number, (code, bids) in enumerate(bids_by_round.items(), start=1):
        requested = [rng.randrange(50_000, 800_001, 50) for _ in range(bids)]
        round_id = db.session.execute(
            insert(Round.__table__).returning(Round.id),
            {
                "programme_id": programme.id,
                "number": number,
                "code": code,
                "title": f"Ranking benchmark round {number}",
                "budget_pence": sum(requested) * 2 // 5,  # the line falls about 40% of the way down
                "workflow": "round",
                "workflow_version": 1,
                "state": "closed",
                "state_changed_at": now,
                "version_id": 1,
                "application_count": bids,
                "moderation_spread": Decimal("5"),
            },
        ).scalar_one()
        db.session.execute(
            insert(Criterion.__table__),
            [
                {
                    "round_id": round_id,
                    "position": i,
                    "name": name,
                    "weight": Decimal(weight),
                    "scale_min": 0,
                    "scale_max": 5,
                    "minimum_score": minimum,
                    "descriptors": {},
                }
                for i, (name, weight, minimum) in enumerate(CRITERIA)
            ],
        )
        criteria = list(db.session.scalars(select(Criterion.id).where(Criterion.round_id == round_id)))
        organisation_ids = list(
            db.session.scalars(
                insert(Organisation.__table__).returning(Organisation.id, sort_by_parameter_order=True),
                [
                    {
                        "name": f"Rank Community Group {code} {i:04d}",
                        "org_type": "community_group",
                        "district": "leeds",
                        "version_id": 1,
                        "created_at": now,
                    }
                    for i in range(bids)
                ],
            )
        )
        application_ids = list(
            db.session.scalars(
                insert(Application.__table__).returning(Application.id, sort_by_parameter_order=True),
                [
                    submitted_application(
                        f"{code}-{i + 1:04d}",
                        round_id,
                        organisation_ids[i],
                        f"Project {i + 1}",
                        now,
                        amount_requested_pence=requested[i],
                        state=rng.choice(STATES),
                        version_id=5,
                    )
                    for i in range(bids)
                ],
            )
        )
        db.session.execute(insert(ApplicationTerm.__table__), tag_rows(rng, application_ids, fewest_areas=0))
        assessment_ids = list(
            db.session.scalars(
                insert(Assessment.__table__).returning(Assessment.id, sort_by_parameter_order=True),
                [
                    {
                        "application_id": application_id,
                        "assessor_id": assessor_id,
                        "assigned_at": now,
                        "declared_at": now,
                        "submitted_at": now,
                        "workflow": "assessment",
                        "workflow_version": 1,
                        "state": "submitted",
                        "state_changed_at": now,
                        "version_id": 4,
                    }
                    for application_id in application_ids
                    for assessor_id in assessors
                ],
            )
        )
        scores = []
        for assessment_id in assessment_ids:
            for criterion_id in criteria:
                first = rng.randint(0, 5)
                scores.append(
                    {
                        "assessment_id": assessment_id,
                        "criterion_id": criterion_id,
                        "score": first,
                        "comment": f"Score {first}: the evidence given, in a sentence or two of plain text.",
                        "created_at": now,
                    }
                )
        rescored = [
            {**row, "score": min(5, row["score"] + 1), "comment": "Rescored after reading again."}
            for row in rng.sample(scores, len(scores) // 10)
        ]
        for batch in range(0, len(scores), 10_000):
            db.session.execute(insert(Score.__table__), scores[batch : batch + 10_000])
        db.session.execute(insert(Score.__table__), rescored)  # later ids: these are the current scores
        moderated = rng.sample(application_ids, len(application_ids) // 5)
        db.session.execute(
            insert(Recommendation.__table__),
            [
                {
                    "application_id": application_id,
                    "moderated_score": Decimal(rng.randint(500, 3_800)) / 100,
                    "moderation_reason": "The panel agreed a score between the assessors'.",
                    "recommended_amount_pence": None if rng.random() < 0.5 else 50_000,
                    "amount_reason": "Part of the costs are not eligible.",
                    "feedback": "Feedback for the applicant.",
                    "updated_at": now,
                    "version_id": 1,
                }
                for application_id in moderated
            ],
        )
    analyze()
