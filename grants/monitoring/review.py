"""The officers' review of a monitoring return: what it says, and accepting it, asking for changes,
recording it on the grantee's behalf or waiving it.

Staff reach a return through a role on its award's programme (officers, finance, decision makers
and admins read it; only officers act, as the monitoring_return workflow says). Every action goes
through the workflow with the version the page showed, so two officers reviewing one return at
once cannot both win: the second gets a Conflict and nothing of theirs is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grants import access, audit
from grants.apply import summary
from grants.apply.services import choice_labels, definition_of
from grants.errors import NotFound
from grants.extensions import db
from grants.models import AuditEvent, Award, Document, MonitoringReturn, ReturnSection, User
from grants.monitoring import targets
from grants.workflow import apply_transition, engine
from grants.workflow_states import state_labels
from workflows import Option

VIEW_ROLES = access.CASE_PAGE_ROLES
REASON_MAX = 5000

# The officer's actions on a return, in the order the page offers them: (label of the reason box,
# the message when it is left empty; None when the action takes no reason).
ACTIONS: dict[str, tuple[str, str] | None] = {
    "accept": None,
    "request_changes": (
        "What needs changing (the grantee sees this)",
        "Enter what the grantee needs to change",
    ),
    "record_on_behalf": (
        "The evidence received, and how it came (for example, by email from the treasurer on 3 May)",
        "Enter the evidence you received and how it came",
    ),
    "waive": ("Reason for waiving the return", "Enter the reason for waiving the return"),
}

KIND_LABELS = {"progress": "Progress report", "final": "Final report", "quarterly": "Quarterly return"}


class Invalid(ValueError):
    """What was typed cannot be used: messages by field."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def return_for_staff(return_id: int, user: Any) -> MonitoringReturn:
    """The return, if the user reads cases on its award's programme; anyone else gets a 404."""
    found = db.session.get(
        MonitoringReturn,
        return_id,
        options=[joinedload(MonitoringReturn.award).joinedload(Award.organisation)],
    )
    if (
        found is None
        or not access.staff_roles(user, found.award.programme_id) & VIEW_ROLES
        or access.has_conflict(user, found)
    ):
        raise NotFound(str(return_id))
    return found


@dataclass(frozen=True)
class ReviewPage:
    monitoring_return: MonitoringReturn
    state_label: str
    kind_label: str
    people: dict[int, str]
    answers: list[tuple[Any, list[summary.Row]]]
    documents: list[Document]
    figures: list[targets.Figure]
    history: list[AuditEvent]
    labels: dict[str, str]
    options: list[Option]

    @property
    def actions(self) -> list[Option]:
        """The officer's actions this user may take now, in the page's order."""
        allowed = {o.name: o for o in self.options if o.allowed and o.name in ACTIONS}
        return [allowed[name] for name in ACTIONS if name in allowed]

    def person(self, user_id: int | None) -> str:
        return self.people.get(user_id, "") if user_id is not None else ""


def _answers(subject: MonitoringReturn) -> tuple[list[tuple[Any, list[summary.Row]]], list[Document]]:
    documents = list(
        db.session.scalars(select(Document).where(Document.monitoring_return_id == subject.id).order_by(Document.id))
    )
    if subject.question_set is None:
        return [], documents
    definition = definition_of(subject.question_set)
    sections = db.session.scalars(select(ReturnSection).where(ReturnSection.monitoring_return_id == subject.id))
    answers = {row.section_key: (row.answers or {}).get("values", {}) for row in sections}
    by_question = {d.question_key: d for d in documents}
    return summary.rows(definition, answers, choice_labels(definition), by_question), documents


def review_page(user: Any, subject: MonitoringReturn) -> ReviewPage:
    ids = {
        subject.sent_for_sign_off_by_id,
        subject.signed_off_by_id,
        subject.reviewed_by_id,
        subject.recorded_by_id,
    } - {None}
    people = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    answers, documents = _answers(subject)
    labels = state_labels("return")
    return ReviewPage(
        monitoring_return=subject,
        state_label=labels.get(subject.state, subject.state),
        kind_label=KIND_LABELS.get(subject.kind, subject.kind),
        people=people,
        answers=answers,
        documents=documents,
        figures=targets.figures_for_return(subject),
        history=audit.history(subject),
        labels=labels,
        options=engine().available(subject, user),
    )


def act(user: Any, subject: MonitoringReturn, action: str, reason: str, expected_version: int | None) -> str:
    """Take one of the officer's actions; Invalid (by field) when a reason it needs is missing.

    Raises the workflow's TransitionRefused or Conflict; nothing changes then."""
    if action not in ACTIONS:
        raise NotFound(action)
    reason = reason.strip()
    needs = ACTIONS[action]
    if needs is not None:
        if not reason:
            raise Invalid({"reason": needs[1]})
        if len(reason) > REASON_MAX:
            raise Invalid({"reason": f"The text must be {REASON_MAX:,} characters or fewer"})
    event = apply_transition(subject, action, user, reason or None, expected_version=expected_version)
    definition = engine().registry.get(event.workflow, event.workflow_version)
    label = definition.transitions[event.transition].label
    state = definition.states[event.to_state].label.lower()
    return f"{label}: done. The {subject.period_label} return for {subject.award.public_reference} is now {state}."
