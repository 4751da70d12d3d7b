"""The application's side of the workflow engine: who may act, audit rows, emails.

`apply_transition` is the one way a case changes state: it applies the engine's
transition and commits, turning a concurrent change into a Conflict.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from grants import access, audit, mail, notifications
from grants.extensions import db
from grants.models import CASE_MODELS, Membership, RoleGrant, Round, User, Workflowed
from workflows import Conflict, Engine, TransitionEvent, load_registry
from workflows.context import Context


class WorkflowHost:
    def roles_for(self, user: Any, subject: Any, wanted: frozenset[str] | None = None) -> frozenset[str]:
        return access.roles_for(user, subject, wanted)

    def record(self, event: TransitionEvent) -> None:
        subject = event.subject
        if subject.id is None:
            db.session.flush()
        audit.record(
            actor=event.user,
            subject_type=subject.__audit_type__,
            subject_id=subject.id,
            subject_reference=subject.reference,
            action=event.transition,
            from_state=event.from_state,
            to_state=event.to_state,
            reason=event.reason,
            workflow=event.workflow,
            workflow_version=event.workflow_version,
            at=event.at,
        )

    def record_change(self, context: Context, *, subject: Any, action: str, before: str, after: str) -> None:
        audit.record(
            actor=context.user,
            subject_type=subject.__audit_type__,
            subject_id=subject.id,
            subject_reference=subject.reference,
            action=action,
            from_state=before,
            to_state=after,
            reason=context.reason or getattr(context.subject, "reason", None),
            data={"by": context.subject.reference},
            at=context.now,
        )

    def assign_reference(self, subject: Any) -> None:
        if getattr(subject, "public_reference", None) or not hasattr(subject, "round_id"):
            return
        number = db.session.execute(
            update(Round)
            .where(Round.id == subject.round_id)
            .values(application_count=Round.application_count + 1)
            .returning(Round.application_count, Round.code)
        ).one()
        subject.public_reference = f"{number.code}-{number.application_count:04d}"

    def notify(self, context: Context, audience: str) -> None:
        subject = context.subject
        if audience == "organisation":
            recipients = _organisation_emails(subject.owning_organisation_id())
        else:
            recipients = _officer_emails(subject.owning_programme_id())
        state_label = context.definition.states[context.transition.target].label
        title = notifications.subject_line(context) or f"{subject.reference}: {context.transition.label}"
        lines = [
            f"{context.definition.label} {subject.reference} is now: {state_label}.",
            "",
            f"What happened: {context.transition.label}.",
        ]
        if context.reason:
            lines += ["", "Reason given:", context.reason]
        extra = notifications.details(context)
        if extra:
            lines += ["", extra]
        lines += ["", f"Sign in to grantflow to see it: {current_app.config['SERVICE_URL']}"]
        version = (subject.version_id or 0) + 1
        for email in recipients:
            mail.queue_email(
                to=email,
                subject=title,
                body="\n".join(lines),
                key=f"transition:{subject.__audit_type__}:{subject.id}:{version}:{context.transition.name}:{email}",
            )


def _organisation_emails(organisation_id: int | None) -> list[str]:
    if organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, User.active.is_(True))
            .order_by(User.email)
        )
    )


def _officer_emails(programme_id: int | None) -> list[str]:
    query = (
        select(User.email)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "officer", User.active.is_(True))
        .where((RoleGrant.programme_id == programme_id) | RoleGrant.programme_id.is_(None))
        .distinct()
        .order_by(User.email)
    )
    return list(db.session.scalars(query))


def init_app(app: Flask) -> None:
    """Load and validate every workflow definition; a broken one stops the app starting."""
    registry = load_registry(app.config["WORKFLOW_DEFINITIONS_DIR"])
    app.extensions["workflow_engine"] = Engine(registry, WorkflowHost(), tz=app.config["TIMEZONE"])


def engine() -> Engine:
    return current_app.extensions["workflow_engine"]


def apply_transition(
    subject: Workflowed,
    name: str,
    user: Any,
    reason: str | None = None,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> TransitionEvent:
    """Apply a transition and commit. Raises TransitionRefused or Conflict; nothing changes then."""
    try:
        event = engine().apply(subject, name, user, reason, expected_version=expected_version, now=now)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(subject) from None
    except OperationalError as exc:
        # SQLite (the embedded development database) refuses the second of two writers
        # outright instead of making it wait: the same outcome as a stale version.
        db.session.rollback()
        if "database is locked" in str(exc):
            raise Conflict(subject) from None
        raise
    except Exception:
        db.session.rollback()
        raise
    return event


def start_case(subject: Workflowed, workflow_name: str, user: Any = None, *, now: datetime | None = None) -> None:
    """Put a new case on its workflow (latest version) and record its creation; caller commits."""
    db.session.add(subject)
    engine().start(subject, workflow_name, user, now=now)


def fire_due_transitions(now: datetime | None = None) -> dict[str, int]:
    """Apply every timed transition that has fallen due (rounds open/close, returns go overdue)."""
    eng = engine()
    fired: dict[str, int] = {}
    for kind, model in CASE_MODELS.items():
        for definition in eng.registry.all():
            timed = definition.timed_transitions()
            if not timed:
                continue
            sources = {s for t in timed for s in t.sources}
            ids = db.session.scalars(
                select(model.id).where(  # type: ignore[attr-defined]
                    model.workflow == definition.name,
                    model.workflow_version == definition.version,
                    model.state.in_(sources),
                )
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
                fired[kind] = fired.get(kind, 0) + 1
    return fired
