"""A round's assessment due date: the day assessors' scores are due (shown to them and in their
emails; with none set, the decision date stands in). Officers set it; each change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, joinedload

from grants import access, audit
from grants.assessors.cases import ASSESSMENT, NOT_SUBMITTED, london_today, past_due
from grants.assessors.worklist import PLAIN_STATES
from grants.extensions import db
from grants.form_fields import month_number
from grants.models import Application, Assessment, Round
from grants.pagination import Page, paginate
from grants.transactions import conflicts_as
from workflows import Conflict

FIELD = "assessment_due_on"
OFFICER = frozenset({"officer"})
REAL_DATE = "The assessment due date must be a real date, like 14 3 2027"


class DueDateProblem(ValueError):
    """What is wrong with the date typed, in words for the officer."""


def parse(day: str, month: str, year: str) -> date:
    """The date typed in three boxes (the month a number or a name), or DueDateProblem."""
    parts = [" ".join((p or "").replace("\x00", "").split()) for p in (day, month, year)]
    if not any(parts):
        raise DueDateProblem("Enter the assessment due date")
    missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
    if missing:
        raise DueDateProblem(f"The assessment due date must include a {' and a '.join(missing)}")
    month_of_year = month_number(parts[1])
    if not (parts[0].isdigit() and len(parts[0]) <= 2 and parts[2].isdigit() and len(parts[2]) == 4):
        raise DueDateProblem(REAL_DATE)
    if month_of_year is None:
        raise DueDateProblem(REAL_DATE)
    try:
        return date(int(parts[2]), month_of_year, int(parts[0]))
    except ValueError:
        raise DueDateProblem(REAL_DATE) from None


def due_on(round_: Round) -> date | None:
    """When assessors' scores are due: the round's assessment due date, else its decision date."""
    return round_.assessment_due_on or round_.decision_on


def set_due_date(
    user: Any, round_: Round, typed: tuple[str, ...], expected_version: int | None, now: datetime | None = None
) -> date:
    """Set the round's assessment due date from what was typed (audited assessment_due_date_set).

    DueDateProblem for a date that is not real or falls after the decision date; Conflict when the
    round changed since the form was shown."""
    new_due = parse(*typed[:3])
    if round_.decision_on is not None and new_due > round_.decision_on:
        raise DueDateProblem(
            f"The assessment due date must be on or before the decision date ({round_.decision_on:%-d %B %Y})"
        )
    if expected_version is not None and expected_version != round_.version_id:
        raise Conflict(round_)
    old = round_.assessment_due_on
    if new_due == old:
        return new_due
    with conflicts_as(lambda: Conflict(round_)):
        audit.record_on(
            round_,
            actor=user,
            action="assessment_due_date_set",
            from_state=f"{old:%-d %B %Y}" if old else "",
            to_state=f"{new_due:%-d %B %Y}",
            data={"from": old.isoformat() if old else None, "to": new_due.isoformat()},
            at=now,
        )
        round_.assessment_due_on = new_due
        db.session.commit()
    return new_due


@dataclass(frozen=True)
class OverdueRow:
    id: int
    reference: str
    project_title: str
    organisation: str
    round_title: str
    assessor: str
    state: str
    due_on: date
    days_late: int


def overdue_query(user: Any, today: date) -> Select[Any]:
    """The officer's overdue assessments (what the "Assessments overdue" work queue counts: the same
    states, programmes where they are an officer, no conflicts), the longest overdue first."""
    clauses = [Assessment.state.in_(NOT_SUBMITTED), past_due(today)]
    programmes = access.programmes_with(user, OFFICER)
    if programmes is not None and ASSESSMENT.programme_clause is not None:
        clauses.append(ASSESSMENT.programme_clause(programmes))
    if ASSESSMENT.conflict_clause is not None:
        clauses.append(ASSESSMENT.conflict_clause(user))
    due = func.coalesce(Round.assessment_due_on, Round.decision_on)
    return (
        select(Assessment)
        .join(Assessment.application)
        .join(Application.round)
        .where(*clauses)
        .options(
            contains_eager(Assessment.application).contains_eager(Application.round),
            contains_eager(Assessment.application).joinedload(Application.organisation),
            joinedload(Assessment.assessor),
        )
        .order_by(due, Application.public_reference, Assessment.id)
    )


def overdue_page(user: Any, page: int, per_page: int, today: date | None = None) -> Page[OverdueRow]:
    """A page of the officer's overdue assessments: two statements whatever the page size."""
    today = today or london_today()
    found = paginate(overdue_query(user, today), page, per_page)
    rows = []
    for assessment in found.items:
        application = assessment.application
        due = due_on(application.round)
        assert due is not None  # noqa: S101 - past_due only finds rounds with a date
        rows.append(
            OverdueRow(
                id=assessment.id,
                reference=application.reference,
                project_title=application.project_title,
                organisation=application.organisation.name,
                round_title=application.round.title,
                assessor=assessment.assessor.name,
                state=PLAIN_STATES.get(assessment.state, assessment.state),
                due_on=due,
                days_late=(today - due).days,
            )
        )
    return Page(items=rows, page=found.page, per_page=found.per_page, total=found.total)
