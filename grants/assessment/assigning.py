"""Assigning assessors to bids: in bulk with a balanced load, one at a time, and after a conflict.

Rules that hold however an assignment is made:
- an assessor is someone with the assessor role on the round's programme (or on every programme);
- nobody is assigned the same bid twice (an assessor who declared a conflict on it, or whose
  assignment was removed, is never assigned it again);
- each assignment is an Assessment case on the `assessment` workflow, started by the officer.

Bulk assignment gives each bid up to N active assessments. It walks the bids in reference
order and gives each the least-loaded assessors it may have, counting the assessments they
already hold in the round, so loads end within one of each other when nothing stops it.
Running it again only fills the gaps. Each bid is committed on its own, with its move from
eligible to in assessment, so a bid someone else changed meanwhile is skipped, not half-done.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from grants import access, audit, mail
from grants.email_wording.case_values import round_values
from grants.email_wording.catalogue import ASSESSORS_ASSIGNED
from grants.email_wording.wording import override, rendered
from grants.errors import FieldErrors
from grants.extensions import db
from grants.formatting import london_date
from grants.models import Application, Assessment, AuditEvent, Membership, RoleGrant, Round, User
from grants.models.base import utcnow
from grants.notifications import page_address
from grants.workflow import apply_transition, start_case
from grants.workflow_states import states
from workflows import Conflict, TransitionRefused

MAX_PER_BID = 10


class AssignInvalid(FieldErrors):
    """The request cannot be carried out as asked; `errors` names the field and says why."""


@dataclass(frozen=True)
class Assessor:
    id: int
    name: str
    email: str
    load: int  # active assessments of bids in this round


# -- who can assess ----------------------------------------------------------------------------
def pool_users(round_: Round) -> list[User]:
    granted = select(RoleGrant.user_id).where(
        RoleGrant.role == "assessor",
        or_(RoleGrant.programme_id == round_.programme_id, RoleGrant.programme_id.is_(None)),
    )
    return list(
        db.session.scalars(select(User).where(User.id.in_(granted), User.active.is_(True)).order_by(User.name, User.id))
    )


def round_bids(round_: Round) -> Any:
    return select(Application.id).where(Application.round_id == round_.id)


def _loads(round_: Round) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Assessment.assessor_id, func.count())
            .where(Assessment.application_id.in_(round_bids(round_)))
            .where(Assessment.state.in_(states("assessment", "live")))
            .group_by(Assessment.assessor_id)
        ).all()
    )


def assessor_pool(round_: Round) -> list[Assessor]:
    """Everyone who may assess this round's bids, with how many they hold now, by name."""
    loads = _loads(round_)
    return [Assessor(id=u.id, name=u.name, email=u.email, load=loads.get(u.id, 0)) for u in pool_users(round_)]


MEMBER = "member of the applicant organisation"


def _taken(application_ids: Any) -> dict[int, dict[int, str]]:
    """For each bid, everyone who may not be given it: every assessor who has (or had) an assessment
    of it, with its state, and every member of the organisation that made it (a conflict of interest)."""
    taken: dict[int, dict[int, str]] = {}
    members = db.session.execute(
        select(Application.id, Membership.user_id)
        .join(Membership, Membership.organisation_id == Application.organisation_id)
        .where(Application.id.in_(application_ids))
    )
    for application_id, user_id in members:
        taken.setdefault(application_id, {})[user_id] = MEMBER
    rows = db.session.execute(
        select(Assessment.application_id, Assessment.assessor_id, Assessment.state).where(
            Assessment.application_id.in_(application_ids)
        )
    )
    for application_id, assessor_id, state in rows:
        taken.setdefault(application_id, {})[assessor_id] = state
    return taken


def _new_assessment(user: Any, application_id: int, assessor_id: int, now: datetime) -> Assessment:
    assessment = Assessment(
        application_id=application_id, assessor_id=assessor_id, assigned_by_id=user.id, assigned_at=now
    )
    start_case(assessment, "assessment", user, now=now)
    return assessment


# -- bulk --------------------------------------------------------------------------------------
@dataclass
class AssignResult:
    created: int = 0
    assessors: int = 0  # how many of the chosen assessors were given a new bid
    moved: int = 0  # bids moved from eligible to in assessment
    bids: int = 0  # bids considered
    short: list[str] = field(default_factory=list)  # bids left with fewer than N assessors
    skipped: list[str] = field(default_factory=list)  # bids someone else changed meanwhile

    @property
    def summary(self) -> str:
        if not self.created:
            text = "No new assignments: every bid already has its assessors."
        else:
            assignments = "assignment" if self.created == 1 else "assignments"
            people = "assessor" if self.assessors == 1 else "assessors"
            text = f"{self.created:,} {assignments} to {self.assessors} {people}."
        if self.moved:
            text += f" {self.moved:,} {'bid' if self.moved == 1 else 'bids'} sent for assessment."
        return text


def _check_request(round_: Round, assessor_ids: list[int], per_bid: int | None) -> list[Assessor]:
    errors = {}
    pool = {assessor.id: assessor for assessor in assessor_pool(round_)}
    chosen = [pool[i] for i in dict.fromkeys(assessor_ids) if i in pool]
    if not chosen or len(chosen) != len(set(assessor_ids)):
        errors["assessors"] = "Choose the assessors to share the bids between"
    if per_bid is None or not 1 <= per_bid <= MAX_PER_BID:
        errors["per_bid"] = f"Enter the number of assessors per bid as a whole number from 1 to {MAX_PER_BID}"
    elif chosen and per_bid > len(chosen):
        errors["per_bid"] = (
            f"Each bid needs {per_bid} different assessors but you chose {len(chosen)}: "
            "choose more assessors or fewer per bid"
        )
    if errors:
        raise AssignInvalid(errors)
    return chosen


def _check_can_send(user: Any, round_: Round) -> None:
    """Sending a bid for assessment is an officer's step: an administrator without the role cannot."""
    if "officer" in access.staff_roles(user, round_.programme_id):
        return
    eligible = db.session.scalar(
        select(Application.id).where(Application.round_id == round_.id, Application.state == "eligible").limit(1)
    )
    if eligible is not None:
        raise AssignInvalid({"assessors": "Only a grants officer on this programme can send bids for assessment"})


def assign(
    user: Any, round_: Round, assessor_ids: list[int], per_bid: int | None, only: list[int] | None = None
) -> AssignResult:
    """Give every eligible or in-assessment bid of the round up to `per_bid` active assessors (`only`: just
    these bids of the round, as a batch chosen on the applications list)."""
    chosen = _check_request(round_, assessor_ids, per_bid)
    _check_can_send(user, round_)
    assert per_bid is not None
    order = {assessor.id: index for index, assessor in enumerate(chosen)}
    load = {assessor.id: assessor.load for assessor in chosen}
    query = (
        select(Application.id, Application.public_reference, Application.state, Application.version_id)
        .where(Application.round_id == round_.id, Application.state.in_(states("application", "assessable")))
        .order_by(Application.public_reference, Application.id)
    )
    if only is not None:
        query = query.where(Application.id.in_(only))
    bids = db.session.execute(query).all()
    taken = _taken([bid.id for bid in bids])
    result = AssignResult(bids=len(bids))
    given: set[int] = set()
    told: dict[int, list[str]] = {}
    now = utcnow()
    for bid in bids:
        reference = bid.public_reference or f"Draft {bid.id}"
        had = taken.get(bid.id, {})
        active = sum(1 for state in had.values() if state in states("assessment", "live"))
        candidates = sorted((a for a in order if a not in had), key=lambda a: (load[a], order[a]))
        picks = candidates[: max(0, per_bid - active)]
        if active + len(picks) < per_bid:
            result.short.append(reference)
        if not picks and not (bid.state == "eligible" and active):
            continue
        try:
            for assessor_id in picks:
                _new_assessment(user, bid.id, assessor_id, now)
            if bid.state == "eligible" and active + len(picks) > 0:
                application = db.session.get(Application, bid.id)
                assert application is not None
                apply_transition(application, "start_assessment", user, expected_version=bid.version_id, now=now)
                result.moved += 1
            else:
                db.session.commit()
        except (Conflict, TransitionRefused, IntegrityError):
            db.session.rollback()
            result.skipped.append(reference)
            continue
        for assessor_id in picks:
            load[assessor_id] += 1
            given.add(assessor_id)
            told.setdefault(assessor_id, []).append(reference)
        result.created += len(picks)
    result.assessors = len(given)
    audit.record_on(
        round_,
        actor=user,
        action="assign_assessors",
        data={
            "assessors": list(order),
            "per_bid": per_bid,
            "created": result.created,
            "moved": result.moved,
            "short": result.short,
            "skipped": result.skipped,
        },
    )
    tell_assessors(round_, told, now)
    db.session.commit()
    return result


def tell_assessors(round_: Round, given: dict[int, list[str]], now: datetime) -> None:
    """One email to each assessor given bids in this pass, written for them: how many, which, by
    when the panel needs them, and where to score (in the outbox, inside the caller's transaction)."""
    if not given:
        return
    emails = {row.id: row.email for row in db.session.execute(select(User.id, User.email).where(User.id.in_(given)))}
    where = page_address("assessors.index", {})
    template = override(round_.programme_id, ASSESSORS_ASSIGNED)
    if round_.assessment_due_on:
        when = f" by {london_date(round_.assessment_due_on)}"
    else:
        when = f" before the panel decides on {london_date(round_.decision_on)}" if round_.decision_on else ""
    for assessor_id, references in sorted(given.items()):
        count = len(references)
        bids = "1 bid" if count == 1 else f"{count} bids"
        body = [
            f"You have been asked to score {bids} for {round_.title}{when}:",
            "",
            *(f"- {reference}" for reference in references),
            "",
            "For each bid, first say whether you have a conflict of interest: if you do, you will not see it",
            "again and an officer will give it to someone else. Then score it against the round's criteria.",
            "",
            f"Your bids to score: {where}",
        ]
        subject, text = f"{bids} to score for {round_.title}{when}", "\n".join(body)
        if template is not None:  # the programme's own wording
            subject, text = rendered(template.subject, template.body, round_values(round_, references))
        mail.queue_email(
            to=emails[assessor_id],
            subject=subject,
            body=text,
            key=f"assigned:{round_.id}:{assessor_id}:{now.isoformat()}",
        )


# -- one at a time -------------------------------------------------------------------------------
def choices_for(round_: Round, application_ids: list[int]) -> dict[int, list[Assessor]]:
    """For each bid, the assessors who may still be given it (never had it), least loaded first."""
    pool = assessor_pool(round_)
    taken = _taken(application_ids)
    return {
        application_id: sorted(
            (a for a in pool if a.id not in taken.get(application_id, {})), key=lambda a: (a.load, a.name, a.id)
        )
        for application_id in application_ids
    }


def _assign_one(user: Any, round_: Round, application: Application, assessor_id: int | None) -> Assessment:
    if application.state not in states("application", "assessable"):
        raise AssignInvalid({"assessor": "This bid is not being assessed, so it cannot be given another assessor"})
    allowed = {a.id for a in choices_for(round_, [application.id])[application.id]}
    if assessor_id is None or assessor_id not in allowed:
        raise AssignInvalid(
            {"assessor": "Choose an assessor who has not already been given this bid and has no conflict with it"}
        )
    return _new_assessment(user, application.id, assessor_id, utcnow())


def _refuse_duplicate() -> AssignInvalid:
    db.session.rollback()
    return AssignInvalid({"assessor": "That assessor has just been given this bid by someone else"})


def add_assessor(user: Any, round_: Round, application: Application, assessor_id: int | None) -> Assessment:
    """Give a bid one more assessor (for instance after removing an assignment)."""
    try:
        assessment = _assign_one(user, round_, application, assessor_id)
        audit.record_on(
            assessment,
            actor=user,
            action="assign",
            data={"assessor_id": assessment.assessor_id},
        )
        tell_assessors(round_, {assessment.assessor_id: [application.reference]}, utcnow())
        db.session.commit()
    except IntegrityError:
        raise _refuse_duplicate() from None
    return assessment


def reassigned_to(assessment_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Where each of these conflicted assessments was reassigned to, and when (from the audit log)."""
    if not assessment_ids:
        return {}
    rows = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "assessment",
            AuditEvent.subject_id.in_(assessment_ids),
            AuditEvent.action == "reassign",
        )
    )
    return {row.subject_id: dict(row.data or {}, at=row.occurred_at) for row in rows}


def reassign(user: Any, conflicted: Assessment, assessor_id: int | None) -> Assessment:
    """Give a bid whose assessor declared a conflict to another assessor; audited on the conflicted one."""
    if conflicted.state != "conflicted":
        raise AssignInvalid({"assessor": "Only an assessment with a declared conflict is reassigned here"})
    # Two officers reassigning the same conflict at once: the second waits here, then finds it done.
    db.session.execute(select(Assessment.id).where(Assessment.id == conflicted.id).with_for_update())
    if reassigned_to([conflicted.id]).get(conflicted.id):
        raise AssignInvalid({"assessor": "This bid has already been reassigned"})
    application = conflicted.application
    try:
        new = _assign_one(user, application.round, application, assessor_id)
        audit.record_on(
            conflicted,
            actor=user,
            action="reassign",
            data={
                "from_assessor_id": conflicted.assessor_id,
                "to_assessor_id": new.assessor_id,
                "to_assessment_id": new.id,
            },
        )
        tell_assessors(application.round, {new.assessor_id: [application.reference]}, utcnow())
        db.session.commit()
    except IntegrityError:
        raise _refuse_duplicate() from None
    return new


def remove_assignment(user: Any, assessment: Assessment, reason: str | None, expected_version: int | None) -> str:
    """Take a bid away from an assessor (workflow 'remove', reason required)."""
    apply_transition(assessment, "remove", user, reason, expected_version=expected_version)
    return f"{assessment.assessor.name} no longer assesses {assessment.application.reference}."


def can_assign(application: Application) -> bool:
    """Whether the bid can be given to (more) assessors: eligible, or already in assessment."""
    return application.state in states("application", "assessable")
