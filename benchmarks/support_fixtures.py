"""Rows that several benchmarks set up (not timed) the same way: a programme with its officer, a round opened
through the workflow engine, submitted applications and their districts and areas of focus (Core insert rows).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from grants.extensions import db
from grants.models import Programme, RoleGrant, Round, Term, User
from grants.workflow import apply_transition, start_case


def programme_with_officer(code: str, name: str, officer: User) -> Programme:
    """A grant-rounds programme, with `officer` granted the officer role on it (flushed, not committed)."""
    programme = Programme(code=code, name=name, kind="grant_rounds")
    db.session.add(programme)
    db.session.flush()
    db.session.add(RoleGrant(user_id=officer.id, role="officer", programme_id=programme.id))
    return programme


def open_round(programme: Programme, officer: User, now: datetime, code: str, title: str, **columns: Any) -> Round:
    """Round 1 of `programme`, open since 30 days before `now` (`columns`: closes_at, grant limits, ...).

    Walked draft -> scheduled -> open through the workflow engine, as the officer and the scheduler would
    have: started 45 days ago, published 40 days ago, opened 30 days ago."""
    round_ = Round(
        programme_id=programme.id, number=1, code=code, title=title, opens_at=now - timedelta(days=30), **columns
    )
    start_case(round_, "round", officer, now=now - timedelta(days=45))
    db.session.commit()
    apply_transition(round_, "publish", officer, now=now - timedelta(days=40))
    apply_transition(round_, "open", None, now=now - timedelta(days=30))
    return round_


def submitted_application(
    reference: str, round_id: int, organisation_id: int, title: str, now: datetime, **columns: Any
) -> dict[str, Any]:
    """A row for a Core insert into applications: submitted `now`, in the application workflow; `columns` add
    the rest (amount_requested_pence, state, version_id, ...)."""
    return {
        "public_reference": reference,
        "round_id": round_id,
        "organisation_id": organisation_id,
        "project_title": title,
        **columns,
        "created_at": now,
        "submitted_at": now,
        "workflow": "application",
        "workflow_version": 1,
        "state_changed_at": now,
    }


def tag_rows(rng: random.Random, application_ids: list[int], fewest_areas: int) -> list[dict[str, int]]:
    """Rows for application_terms: each application in one or two districts, and in `fewest_areas` to two
    areas of focus."""
    terms = db.session.execute(select(Term.id, Term.vocabulary)).all()
    districts = [t.id for t in terms if t.vocabulary == "district"]
    areas = [t.id for t in terms if t.vocabulary == "area_of_focus"]
    return [
        {"application_id": application_id, "term_id": term_id}
        for application_id in application_ids
        for term_id in {*rng.sample(districts, rng.randint(1, 2)), *rng.sample(areas, rng.randint(fewest_areas, 2))}
    ]
