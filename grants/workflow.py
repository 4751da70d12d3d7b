"""The application's side of the workflow engine: its vocabulary, the host, and the one way a case moves.

`apply_transition` is the one way a case changes state, whichever page asked: it runs the action
handler that the case's type registered for that transition (locks, fields recorded with the
change), the engine's checks and apply, and the commit, turning a concurrent change into a
Conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Date, and_, or_, select

from grants import access, audit, notifications
from grants.case_types import Action, CaseType, CaseTypes
from grants.extensions import db
from grants.models import Workflowed
from grants.models.people import ROLE_WHO
from grants.transactions import conflicts_as
from workflows import (
    Conflict,
    Context,
    DefinitionError,
    Engine,
    Registry,
    TransitionEvent,
    Vocabulary,
    check_folder,
)
from workflows.definition import Definition

# State tags: what the code asks of a definition instead of listing state names.
TAGS = {
    "ended": "Nothing more happens to this case: it is finished one way or another.",
    "fallen_away": "An award that no longer commits money: declined by the grantee or cancelled.",
    "live": "Still counts: not cancelled, withdrawn or replaced.",
    "committed": "An instalment approved or paid: it counts against the award's unpaid balance.",
    "awaiting_grantee": "Waiting for the grantee to do something.",
    "in_delivery": "An award whose money is being spent: accepted and running.",
    "under_way": "An application still under way in its round: an organisation starts at most one at a time.",
    "with_applicant": "An application the applicant can still change or must answer.",
    "assessable": "An application that can be given to assessors: eligible, or already in assessment.",
    "with_panel": "An application with the assessment panel: in assessment, or awaiting a recommendation or decision.",
    "ranked": "An application the ranking shows: with the panel, or decided after assessment.",
    "decidable": "An application the decision maker can approve or reject.",
    "takes_no_money": "An application that draws nothing from the round's budget in the ranking.",
    "screenable": "An application an officer can screen now: submitted, or answered after a question.",
    "in_screening": "An application on the screening list: waiting to be screened, or screened.",
    "published": "An award the open data publishes (an allow-list: a new state is not published until tagged).",
    "locked": "An instalment a new schedule may not replace: approved, held or paid.",
    "recommended": "An application the panel has put forward or held in reserve.",
    "funded": "An application that was approved for funding.",
    "accepting_bids": "A round that takes applications now.",
    "upcoming": "A monitoring return scheduled but not open to the organisation yet.",
    "fillable": "A monitoring return the organisation can fill in and send now.",
    "late": "A monitoring return past its due date and not sent.",
    "awaiting_sign_off": "A monitoring return waiting for a second person at the organisation to sign it off.",
    "awaiting_review": "A monitoring return sent to the officers, waiting for their review.",
    "return_accepted": "A monitoring return the officers accepted: instalments tied to it may be paid.",
    "commissioning": "A contract still being commissioned: its need, route, procurement or approval.",
    "awaiting_approval": "A contract waiting for a decision maker's approval (the second one above £100,000).",
    "contracted": "A contract awarded and not finished: mobilising, delivering, under review or extended.",
}


class WorkflowHost:
    """What the engine asks of the application: who may act, and where the record of a change goes."""

    def __init__(self, case_types: CaseTypes):
        self.case_types = case_types

    def roles_for(self, user: Any, subject: Any, wanted: frozenset[str] | None = None) -> frozenset[str]:
        return access.roles_for(user, subject, wanted)

    def notify(self, context: Context, audience: str) -> None:
        notifications.notify(context, audience)

    def record(self, event: TransitionEvent) -> None:
        subject = event.subject
        if subject.id is None:
            db.session.flush()
        audit.record_on(
            subject,
            actor=event.user,
            action=event.transition,
            from_state=event.from_state,
            to_state=event.to_state,
            reason=event.reason,
            workflow=event.workflow,
            workflow_version=event.workflow_version,
            at=event.at,
        )


def vocabulary_for(case_types: CaseTypes, effects: Mapping[str, Any]) -> Vocabulary:
    """The roles, tags, guards and effects the grant definitions may name."""
    vocabulary = Vocabulary()
    for role, who in ROLE_WHO.items():
        vocabulary.role(role, who)
    for tag, meaning in TAGS.items():
        vocabulary.tag(tag, meaning)
    vocabulary.effects(effects)
    for case_type in case_types:
        vocabulary.guards(case_type.guards)
        vocabulary.effects(case_type.effects)
    return vocabulary


def definitions_folder(app: Flask) -> Path:
    return Path(app.config["WORKFLOW_DEFINITIONS_DIR"])


def check(case_types: CaseTypes, vocabulary: Vocabulary, folder: Path) -> tuple[list[Definition], list[str]]:
    """Every definition file of the folder checked against the vocabulary, and each tied to a case type."""
    definitions, problems = check_folder(folder, vocabulary)
    names = {d.name for d in definitions}
    for definition in definitions:
        if case_types.for_workflow(definition.name) is None:
            problems.append(f"{definition.source}: no case type runs the workflow '{definition.name}'")
    for case_type in case_types:
        if case_type.workflow not in names and definitions:
            problems.append(
                f"case type '{case_type.kind}' names the workflow '{case_type.workflow}', which has no file"
            )
    return definitions, problems


def init_app(app: Flask, case_types: CaseTypes, effects: Mapping[str, Any]) -> None:
    """Load and validate every definition; a broken one, or one naming an unregistered name, stops the app."""
    vocabulary = vocabulary_for(case_types, effects)
    definitions, problems = check(case_types, vocabulary, definitions_folder(app))
    if problems:
        raise DefinitionError("; ".join(problems))
    app.extensions["case_types"] = case_types
    app.extensions["workflow_engine"] = Engine(
        Registry(definitions), WorkflowHost(case_types), vocabulary, tz=app.config["TIMEZONE"]
    )


def check_definitions(folder: Path) -> tuple[list[Definition], list[str]]:
    """The definitions of a folder checked against the running app's case types and vocabulary."""
    return check(case_types(), engine().vocabulary, folder)


def engine() -> Engine:
    return current_app.extensions["workflow_engine"]


def case_types() -> CaseTypes:
    return current_app.extensions["case_types"]


def case_type_of(subject: Any) -> CaseType:
    return case_types().of(subject)


def _proceed(action: Action) -> TransitionEvent:
    return engine().apply(
        action.subject,
        action.name,
        action.user,
        action.reason,
        expected_version=action.expected_version,
        now=action.now,
    )


def apply_transition(
    subject: Workflowed,
    name: str,
    user: Any,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
    fields: Mapping[str, Any] | None = None,
    commit: bool = True,
) -> TransitionEvent:
    """Apply a transition through its registered handler, and commit (unless the caller will).

    Raises TransitionRefused or Conflict; nothing changes then.
    """
    action = Action(
        subject=subject,
        name=name,
        user=user,
        reason=reason.replace("\x00", "") if reason else reason,  # PostgreSQL text cannot hold a NUL
        expected_version=expected_version,
        now=now,
        fields=fields or {},
        proceed=_proceed,
    )
    handler = case_type_of(subject).handler(name)
    if not commit:
        return handler(action)
    with conflicts_as(lambda: Conflict(subject)):
        event = handler(action)
        db.session.commit()
    return event


def start_case(
    subject: Workflowed,
    workflow_name: str,
    user: Any = None,
    *,
    state: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> None:
    """Put a new case on its workflow (latest version) and record its creation; caller commits.

    It starts in the definition's initial state, or in `state` where the definition lists it in
    `also_starts` (a grant holder's own ask for a variation); `reason` goes on the creation's audit row.
    """
    db.session.add(subject)
    engine().start(
        subject, workflow_name, user, state=state, reason=reason.replace("\x00", "") if reason else reason, now=now
    )


def _timer_due(model: Any, transition: Any, now: datetime, tz: Any) -> Any:
    """SQL: the subject is in a source state of a timed transition whose timer has fallen due.

    A date-time field is compared with now minus the offset; a date field counts whole days on the
    engine's wall clock (London), as Engine.due_at does: `due_date + 1 day` is due from the London
    midnight after the due date, so the field must be on or before London's date of (now - offset).
    """
    column = getattr(model, transition.after.field)
    if isinstance(column.type, Date):
        cutoff: Any = (now.astimezone(tz) - transition.after.offset).date()
    else:
        cutoff = now - transition.after.offset
    return and_(model.state.in_(transition.sources), column.is_not(None), column <= cutoff)


def fire_due_transitions(now: datetime | None = None) -> dict[str, int]:
    """Apply every timed transition that has fallen due (rounds open/close, returns go overdue).

    Only rows whose timer has fallen due are read (the timer is compared in SQL); the engine
    checks each of those again under its optimistic lock before it moves.
    """
    eng = engine()
    moment = now or eng.clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    fired: dict[str, int] = {}
    for case_type in case_types():
        model: Any = case_type.model
        for definition in eng.registry.versions(case_type.workflow):
            timed = definition.timed_transitions()
            if not timed:
                continue
            ids = db.session.scalars(
                select(model.id)
                .where(
                    model.workflow == definition.name,
                    model.workflow_version == definition.version,
                    or_(*(_timer_due(model, t, moment, eng.tz) for t in timed)),
                )
                .order_by(model.id)
            ).all()
            for subject_id in ids:
                subject = db.session.get(model, subject_id)
                if subject is None:
                    continue
                transition = eng.due_transition(subject, now=now)
                if transition is None:
                    continue
                try:
                    apply_transition(subject, transition.name, None, now=now)
                except Conflict:
                    continue
                fired[case_type.kind] = fired.get(case_type.kind, 0) + 1
    return fired
