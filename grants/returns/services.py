"""A grantee's monitoring returns: which they can see, what each asks and shows, sending one, and
signing one off (or sending it back) as a second member of the organisation.

Every return is looked up through the user's memberships: a return of another organisation is not
found (a 404, never a hint). Every change of state goes through grants.workflow.apply_transition
with the version the page showed, so two people acting at once cannot both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import access
from grants.apply import summary
from grants.apply.services import NotAllowed, choice_labels
from grants.errors import NotFound
from grants.extensions import db
from grants.formatting import money, whole_number
from grants.models import (
    AuditEvent,
    Award,
    Document,
    Membership,
    MonitoringReturn,
    MonitoringTarget,
    ReturnMetric,
)
from grants.models.applications import COMPLETED, NOT_STARTED
from grants.monitoring.metrics import METRICS, MONEY
from grants.returns.filling import ReturnFilling
from grants.workflow import apply_transition, engine
from grants.workflow_states import state_labels, states
from workflows import Conflict, TransitionRefused

__all__ = ["NotAllowed", "NotFound"]

# What a grantee reads for each state of a return (the definitions' labels are the officers' words).
PLAIN_STATES = {
    "scheduled": "Not open yet",
    "open": "To do",
    "overdue": "Overdue",
    "awaiting_sign_off": "Waiting for sign-off",
    "submitted": "Sent",
    "changes_requested": "Changes requested",
    "accepted": "Accepted",
    "waived": "Not needed",
}
SIGN_OFF, SEND_BACK = "sign_off", "send_back"
SUBMIT, SEND_FOR_SIGN_OFF = "submit", "send_for_sign_off"


def plain_state(ret: MonitoringReturn) -> str:
    return PLAIN_STATES.get(ret.state) or state_labels("return").get(ret.state, ret.state)


# -- finding returns ---------------------------------------------------------------------------------
def returns_of(user: Any) -> list[MonitoringReturn]:
    """The returns of every organisation the user belongs to: soonest due first."""
    return list(
        db.session.scalars(
            select(MonitoringReturn)
            .join(Award, Award.id == MonitoringReturn.award_id)
            .join(Membership, Membership.organisation_id == Award.organisation_id)
            .where(Membership.user_id == user.id)
            .options(joinedload(MonitoringReturn.award).joinedload(Award.organisation))
            .order_by(MonitoringReturn.due_date, MonitoringReturn.id)
        ).unique()
    )


@dataclass
class ReturnLists:
    to_do: list[MonitoringReturn]
    sent: list[MonitoringReturn]
    later: list[MonitoringReturn]


def your_returns(user: Any) -> ReturnLists:
    """The user's returns as the list page groups them: to do now, sent (and done with), not open yet."""
    waiting = states("return", "awaiting_grantee")
    upcoming = states("return", "upcoming")
    found = returns_of(user)
    return ReturnLists(
        to_do=[r for r in found if r.state in waiting],
        sent=[r for r in found if r.state not in waiting and r.state not in upcoming],
        later=[r for r in found if r.state in upcoming],
    )


def return_for(user: Any, return_id: int) -> MonitoringReturn:
    """The return if the user is a member of its organisation; NotFound otherwise (never a hint)."""
    ret = db.session.get(MonitoringReturn, return_id)
    if ret is None or not access.is_member(user, ret.owning_organisation_id()):
        raise NotFound(return_id)
    return ret


def filling(ret: MonitoringReturn) -> ReturnFilling:
    return ReturnFilling(ret)


# -- what a return shows -----------------------------------------------------------------------------
def has_form(ret: MonitoringReturn) -> bool:
    return ret.question_set_id is not None


def task_list(ret: MonitoringReturn) -> list[tuple[Any, str]]:
    if not has_form(ret):
        return []
    fill = filling(ret)
    saved = fill.rows()
    return [
        (section, saved[section.key].status if section.key in saved else NOT_STARTED)
        for section in fill.definition().sections
    ]


def incomplete_sections(ret: MonitoringReturn) -> list[Any]:
    return [section for section, status in task_list(ret) if status != COMPLETED]


def answers_summary(ret: MonitoringReturn) -> list[tuple[Any, list[summary.Row]]]:
    if not has_form(ret):
        return []
    fill = filling(ret)
    definition = fill.definition()
    answers = {key: row.answers.get("values", {}) for key, row in fill.rows().items()}
    return summary.rows(definition, answers, choice_labels(definition), fill.documents())


def comments(ret: MonitoringReturn) -> list[AuditEvent]:
    """Why the return came back to be changed: the officer's request, or the signer's.

    Only the comment that sent it back this time, and only while it can be changed.
    """
    if ret.state not in states("return", "fillable"):
        return []
    last = db.session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.subject_type == ret.__audit_type__,
            AuditEvent.subject_id == ret.id,
            AuditEvent.to_state.is_not(None),
        )
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    return [last] if last is not None and last.action in ("request_changes", SEND_BACK) else []


@dataclass(frozen=True)
class TargetRow:
    label: str
    baseline: str
    target: str
    actual: str


def _figure(metric: str, value: int | None) -> str:
    if value is None:
        return "Not reported"
    if metric in METRICS and METRICS[metric].kind == MONEY:
        return money(value)
    return f"{value:,}"


def against_targets(ret: MonitoringReturn) -> list[TargetRow]:
    """For each metric the award has a target for in this period: baseline, target and the return's actual."""
    targets = list(
        db.session.scalars(
            select(MonitoringTarget)
            .where(MonitoringTarget.award_id == ret.award_id, MonitoringTarget.period_label == ret.period_label)
            .order_by(MonitoringTarget.id)
        )
    )
    if not targets:
        return []
    actuals = dict(
        db.session.execute(
            select(ReturnMetric.metric, ReturnMetric.value).where(ReturnMetric.monitoring_return_id == ret.id)
        ).all()
    )
    return [
        TargetRow(
            label=METRICS[t.metric].label if t.metric in METRICS else t.metric,
            baseline=_figure(t.metric, t.baseline) if t.baseline is not None else "None set",
            target=_figure(t.metric, t.target),
            actual=_figure(t.metric, actuals.get(t.metric)),
        )
        for t in targets
    ]


def awaiting_sign_off(ret: MonitoringReturn) -> bool:
    return ret.state in states("return", "awaiting_sign_off")


def document_for(user: Any, return_id: int, document_id: int) -> Document:
    """A file uploaded to a return, for a member of its organisation or staff who may see the return's
    case page (programme, no conflict); NotFound for anyone else."""
    ret = db.session.get(MonitoringReturn, return_id)
    if ret is None or not (access.is_member(user, ret.owning_organisation_id()) or access.can_see_case(user, ret)):
        raise NotFound(return_id)
    document = db.session.get(Document, document_id)
    if document is None or document.monitoring_return_id != ret.id:
        raise NotFound(document_id)
    return document


def send_transition(ret: MonitoringReturn) -> str:
    """What sending means for this return: straight to the officer, or first to a second person for sign-off."""
    return SEND_FOR_SIGN_OFF if ret.sign_off_required else SUBMIT


def refusal(user: Any, ret: MonitoringReturn, transition: str) -> str | None:
    """Why this user may not take this step now (the definition's own words), or None if they may."""
    for option in engine().available(ret, user):
        if option.name == transition:
            return None if option.allowed else " ".join(option.reasons)
    return None if ret.state in states("return", "awaiting_sign_off") else "This return is not waiting for sign-off."


# -- sending, signing off, sending back ----------------------------------------------------------------
def _not_sendable(ret: MonitoringReturn) -> str:
    if ret.state in states("return", "return_accepted"):
        return "This return has already been accepted, so it cannot be sent again."
    if ret.state in states("return", "awaiting_review"):
        return "This return has already been sent to the grants officer."
    if ret.state in states("return", "awaiting_sign_off"):
        return "This return has already been sent for sign-off."
    return filling(ret).locked_reason()


def send(user: Any, ret: MonitoringReturn, expected_version: int | None) -> MonitoringReturn:
    """Send the return to the officer, or for sign-off where the plan asks for it.

    A second click (or a second tab) that finds it already sent by this user is told nothing new.
    """
    if ret.state not in states("return", "fillable"):
        raise NotAllowed(_not_sendable(ret))
    missing = incomplete_sections(ret)
    if missing:
        raise NotAllowed(
            "Complete every section before you send the return: " + ", ".join(s.title for s in missing) + "."
        )
    transition = send_transition(ret)
    try:
        apply_transition(ret, transition, user, expected_version=expected_version)
    except Conflict:
        db.session.rollback()
        raise NotAllowed(
            "Someone else in your organisation changed this return while you were looking at it. "
            "Check its answers and send it again."
        ) from None
    except TransitionRefused as exc:
        db.session.rollback()
        raise NotAllowed(" ".join(exc.reasons)) from None
    return ret


@dataclass(frozen=True)
class SignOff:
    position: str
    confirmed: bool


def sign_off(user: Any, ret: MonitoringReturn, answers: SignOff, expected_version: int | None) -> None:
    """A second member confirms the return, as their position at the organisation; it goes to the officer."""
    _check_signer(user, ret, SIGN_OFF)
    _act(user, ret, SIGN_OFF, None, expected_version, {"signer_position": answers.position})


def send_back(user: Any, ret: MonitoringReturn, comment: str, expected_version: int | None) -> None:
    """The signer returns it to be changed, saying why; it is open again for the organisation."""
    _check_signer(user, ret, SEND_BACK)
    _act(user, ret, SEND_BACK, comment, expected_version, {})


def _check_signer(user: Any, ret: MonitoringReturn, transition: str) -> None:
    if ret.state not in states("return", "awaiting_sign_off"):
        if ret.state in states("return", "awaiting_review") or ret.state in states("return", "ended"):
            raise NotAllowed("This return has already been signed off and sent.")
        raise NotAllowed("This return is not waiting for sign-off.")
    reason = refusal(user, ret, transition)
    if reason:
        raise NotAllowed(reason)


def _act(
    user: Any,
    ret: MonitoringReturn,
    transition: str,
    reason: str | None,
    expected_version: int | None,
    fields: dict[str, Any],
) -> None:
    try:
        apply_transition(ret, transition, user, reason, expected_version=expected_version, fields=fields)
    except Conflict:
        db.session.rollback()
        raise NotAllowed(
            "Someone else changed this return while you were looking at it. Check its current state and try again."
        ) from None
    except TransitionRefused as exc:
        db.session.rollback()
        raise NotAllowed(" ".join(exc.reasons)) from None


def version_from(text: str | None) -> int | None:
    return whole_number(text or "")
