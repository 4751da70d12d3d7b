"""The kinds of case the apply area owns: rounds (calls for applications) and applications."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import joinedload

from grants import case_rules
from grants.apply.services import answers_summary
from grants.apply.summary import as_text
from grants.case_types import CaseType, Step
from grants.extensions import db
from grants.formatting import london, money
from grants.models import Application, Round
from grants.work_queues import Queue
from workflows import Context


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# -- rounds ------------------------------------------------------------------------------------------
def has_schedule(ctx: Context) -> str | None:
    """A round has an opening and a closing time, in that order."""
    subject = ctx.subject
    if subject.opens_at is None or subject.closes_at is None:
        return "Set the opening and closing times first."
    if _utc(subject.closes_at) <= _utc(subject.opens_at):
        return "The closing time must be after the opening time."
    return None


def round_facts(subject: Round) -> list[tuple[str, str]]:
    return [
        ("Programme", subject.programme.name),
        ("Title", subject.title),
        ("Opens", london(subject.opens_at)),
        ("Closes", london(subject.closes_at)),
        ("Most a project can ask for", money(subject.max_grant_pence)),
        ("Budget", money(subject.budget_pence)),
    ]


ROUND = CaseType(
    model=Round,
    label="Round",
    guards={"has_schedule": has_schedule},
    facts=round_facts,
    programme_clause=case_rules.by_programme(Round.programme_id),
    eager=lambda: [joinedload(Round.programme)],
)


# -- applications ------------------------------------------------------------------------------------
def round_accepts_submissions(ctx: Context) -> str | None:
    """The subject's round is open and its closing time has not passed."""
    round_ = ctx.subject.round
    closed = round_.closes_at is not None and ctx.now >= _utc(round_.closes_at)
    if closed:
        return f"The round closed on {ctx.local(round_.closes_at)}."
    if round_.state != "open":
        return "The round is not open for applications."
    return None


def assign_reference(ctx: Context) -> None:
    """Give the application its public reference (e.g. MSCF-R3-0042), numbered within its round."""
    subject = ctx.subject
    if subject.public_reference:
        return
    number = db.session.execute(
        update(Round)
        .where(Round.id == subject.round_id)
        .values(application_count=Round.application_count + 1)
        .returning(Round.application_count, Round.code)
    ).one()
    subject.public_reference = f"{number.code}-{number.application_count:04d}"


def submitted_copy(ctx: Context) -> str:
    return (
        f"Thank you. We have received your application {ctx.subject.reference}. "
        "Keep this email: it is your copy of what you sent.\n\n" + as_text(answers_summary(ctx.subject))
    )


def application_facts(subject: Application) -> list[tuple[str, str]]:
    return [
        ("Round", subject.round.title),
        ("Organisation", subject.organisation.name),
        ("Project", subject.project_title),
        ("Amount requested", money(subject.amount_requested_pence)),
        ("Submitted", london(subject.submitted_at) or "Not yet"),
    ]


APPLICATION = CaseType(
    model=Application,
    label="Application",
    guards={
        "round_accepts_submissions": round_accepts_submissions,
        # The application answers these itself (grants/models/applications.py).
        "screening_passed": case_rules.asks("screening_problem"),
        "meets_minimum_scores": case_rules.asks("minimum_score_problem"),
        "approvals_complete": case_rules.asks("approval_problem"),
    },
    effects={"assign_reference": assign_reference, **case_rules.EFFECTS},
    steps={"submit": Step(email_details=submitted_copy)},
    facts=application_facts,
    programme_clause=case_rules.through_round(Application.round_id),
    district_clause=case_rules.bid_in_district(Application.id),
    conflict_clause=case_rules.of_organisation(Application.organisation_id, Application.id),
    eager=lambda: [joinedload(Application.organisation), joinedload(Application.round)],
)

CASE_TYPES = [ROUND, APPLICATION]

OFFICERS = frozenset({"officer"})
WORK_QUEUES = [
    Queue("applications_to_screen", "Applications to screen", OFFICERS, "Check eligibility and due diligence",
          kind="application", states=("submitted",)),
    Queue("answers_awaited", "Questions sent to applicants, awaiting their answers", OFFICERS,
          kind="application", states=("information_requested",)),
    Queue("eligible_to_assess", "Eligible bids to send for assessment", OFFICERS,
          kind="application", states=("eligible",)),
    Queue("bids_in_assessment", "Bids with the panel's assessors", OFFICERS,
          "Follow up scores that are late", kind="application", states=("in_assessment",)),
]  # fmt: skip
