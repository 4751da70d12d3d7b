"""The demo's Mayor's Safer Communities Fund rounds 1 to 4, walked as far as open, and their form."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from grants.apply.question_set_admin import load_shipped
from grants.demo.awards import Steps, walk
from grants.demo.clock import local, on
from grants.extensions import db
from grants.models import Programme, Round
from grants.workflow import start_case

ROUND3_SCORES_DUE = date(2023, 1, 13)


def mscf_rounds(mscf: Programme, users: dict[str, Any]) -> tuple[dict[int, Round], dict[int, Steps]]:
    """Every round, walked as far as open; the steps that follow (closing, decision) are returned."""
    officer, decision = users["officer"], users["decision_maker"]
    today = datetime.now(UTC).date()
    specs = [
        (1, "Round 1", local(2021, 10, 4), local(2021, 11, 5, 12), 600_000, date(2022, 2, 10)),
        (2, "Round 2", local(2022, 3, 7), local(2022, 4, 8, 12), 600_000, date(2022, 7, 14)),
        (3, "Round 3", local(2022, 10, 3), local(2022, 11, 4, 12), 800_000, date(2023, 2, 9)),
        (
            4,
            "Round 4",
            local(*(today - timedelta(days=21)).timetuple()[:3]),
            local(*(today + timedelta(days=60)).timetuple()[:3], 12),
            800_000,
            None,
        ),
    ]
    rounds: dict[int, Round] = {}
    later: dict[int, Steps] = {}
    for number, title, opens, closes, cap, decided in specs:
        code = f"MSCF-R{number}"
        found = db.session.scalar(select(Round).where(Round.code == code))
        if found is not None:
            rounds[number] = found
            continue
        round_ = Round(
            programme_id=mscf.id,
            number=number,
            code=code,
            title=f"Mayor's Safer Communities Fund {title}",
            guidance=(
                "Grants for grassroots projects that make West Yorkshire's communities safer. "
                f"You can ask for up to £{cap // 100:,}. Projects must deliver in West Yorkshire "
                "(Bradford, Calderdale, Kirklees, Leeds or Wakefield) and tackle one or more areas of focus."
            ),
            opens_at=opens,
            closes_at=closes,
            max_grant_pence=cap,
            min_grant_pence=50_000,
            budget_pence=51_000_000 if number == 3 else 50_000_000,
            delivery_starts_on=(decided or today) + timedelta(days=30) if decided else date(today.year + 1, 4, 1),
            delivery_ends_on=(decided or today) + timedelta(days=395) if decided else date(today.year + 2, 3, 31),
            decision_on=decided,
            # Scores are due ahead of the panel: round 3's assessors had until 13 January 2023 (its
            # panel met on the 19th); the others two weeks before their decision.
            assessment_due_on=ROUND3_SCORES_DUE if number == 3 else decided - timedelta(days=14) if decided else None,
        )
        start_case(round_, "round", officer, now=opens - timedelta(days=30))
        walk(round_, [("publish", officer, None, opens - timedelta(days=14)), ("open", None, None, opens)])
        steps: Steps = []
        if decided:
            steps += [
                ("close", None, None, closes),
                ("start_assessment", officer, None, closes + timedelta(days=3)),
                (
                    "record_decision",
                    decision,
                    None,
                    on(decided, 0) + timedelta(hours=14),
                ),
            ]
            if number < 3:
                steps.append(("complete", officer, None, closes + timedelta(days=200)))
        later[number] = steps
        rounds[number] = round_
    return rounds, later


MSCF_ELIGIBLE_TYPES = [
    "registered_charity",
    "cio",
    "cic",
    "company_limited_by_guarantee",
    "community_group",
    "school",
]


def give_forms(rounds: dict[int, Round]) -> None:
    """Round 3's question set, used by Rounds 3 and 4; grassroots organisations may apply, not public bodies."""

    question_set = load_shipped("mscf-round-3.v1")
    for round_ in rounds.values():
        if round_.number >= 3 and round_.question_set_id is None:
            round_.question_set_id = question_set.id
        if round_.allowed_org_types is None:
            round_.allowed_org_types = MSCF_ELIGIBLE_TYPES
    db.session.flush()
