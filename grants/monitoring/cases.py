"""The kind of case the monitoring area owns: a monitoring return.

Its guards say when a return may be sent (every section of its form completed; straight to the
officers, or first to a second person at the organisation where the plan asks for sign-off), and
its effects record who signed, who reviewed, and who recorded a return on a grantee's behalf.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.case_types import Action, CaseType, Step
from grants.extensions import db
from grants.formatting import london, london_date, london_day
from grants.models import Award, MonitoringReturn, ReturnSection
from grants.models.applications import COMPLETED
from grants.work_queues import Queue
from workflows import Context, TransitionEvent


def return_complete(ctx: Context) -> str | None:
    """Every section of the return's form is completed (a return with no form has nothing to fill)."""
    subject: MonitoringReturn = ctx.subject
    if subject.question_set is None:
        return None
    keys = [section["key"] for section in subject.question_set.definition.get("sections", [])]
    completed = set(
        db.session.scalars(
            select(ReturnSection.section_key).where(
                ReturnSection.monitoring_return_id == subject.id, ReturnSection.status == COMPLETED
            )
        )
    )
    missing = [key for key in keys if key not in completed]
    if missing:
        return "Complete every section of the return first."
    return None


def sign_off_needed(ctx: Context) -> str | None:
    if not ctx.subject.sign_off_required:
        return "This return does not need signing off: send it to the officers."
    return None


def no_sign_off_needed(ctx: Context) -> str | None:
    if ctx.subject.sign_off_required:
        return "A second person at your organisation must sign this return off: send it for sign-off."
    return None


def signer_is_someone_else(ctx: Context) -> str | None:
    if ctx.user is not None and ctx.user.id == ctx.subject.sent_for_sign_off_by_id:
        return "The person who filled in the return cannot sign it off: ask another member of your organisation."
    return None


def due_date_not_passed(ctx: Context) -> str | None:
    """Reopening an overdue return needs a due date of today or later (Move the due date does both)."""
    if ctx.subject.due_date < london_day(ctx.now):
        return "Move the due date to today or later first: a return past its due date stays overdue."
    return None


def record_sent_for_sign_off(ctx: Context) -> None:
    ctx.subject.sent_for_sign_off_by_id = ctx.user.id if ctx.user is not None else None


def record_sign_off(ctx: Context) -> None:
    ctx.subject.signed_off_by_id = ctx.user.id if ctx.user is not None else None
    ctx.subject.signed_off_at = ctx.now


def sign_off(action: Action) -> TransitionEvent:
    """The signer's position at the organisation (chair, treasurer...) goes in with the sign-off, whichever
    page asked; the effect records who signed and when. Set only once the engine has let it through."""
    event = action.apply()
    position = str(action.fields.get("signer_position") or "").strip()
    if position:
        action.subject.signer_position = position[:200]
    return event


def record_review(ctx: Context) -> None:
    ctx.subject.reviewed_by_id = ctx.user.id if ctx.user is not None else None
    ctx.subject.reviewed_at = ctx.now
    ctx.subject.review_comment = ctx.reason


def record_on_behalf(ctx: Context) -> None:
    ctx.subject.recorded_by_id = ctx.user.id if ctx.user is not None else None
    ctx.subject.evidence_note = ctx.reason


def return_facts(subject: MonitoringReturn) -> list[tuple[str, str]]:
    return [
        *case_rules.award_facts(subject.award),
        ("Period", subject.period_label),
        ("Due", london_date(subject.due_date)),
        ("Submitted", london(subject.submitted_at) or "Not yet"),
    ]


MONITORING_RETURN = CaseType(
    model=MonitoringReturn,
    workflow="monitoring_return",
    label="Monitoring return",
    guards={
        "return_complete": return_complete,
        "sign_off_needed": sign_off_needed,
        "no_sign_off_needed": no_sign_off_needed,
        "signer_is_someone_else": signer_is_someone_else,
        "due_date_not_passed": due_date_not_passed,
    },
    effects={
        **case_rules.EFFECTS,
        "record_sent_for_sign_off": record_sent_for_sign_off,
        "record_sign_off": record_sign_off,
        "record_review": record_review,
        "record_on_behalf": record_on_behalf,
    },
    steps={"sign_off": Step(handler=sign_off)},
    facts=return_facts,
    programme_clause=case_rules.through_award(MonitoringReturn.award_id),
    district_clause=case_rules.award_in_district(MonitoringReturn.award_id),
    conflict_clause=case_rules.of_award(MonitoringReturn.award_id),
    eager=lambda: [joinedload(MonitoringReturn.award).joinedload(Award.organisation)],
)

CASE_TYPES = [MONITORING_RETURN]

WORK_QUEUES = [
    Queue("returns_to_review", "Monitoring returns to review", frozenset({"officer"}),
          "Accept them or ask for changes", kind="return", states=("submitted",)),
    Queue("returns_overdue", "Monitoring returns overdue", frozenset({"officer"}),
          "Chase the organisation", kind="return", states=("overdue",)),
]  # fmt: skip
