"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Protocol

from sqlalchemy import event, select
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, selectinload

from grants.extensions import db
from grants.models import AuditEvent
from grants.models.base import utcnow


class AuditRowsAreFinal(Exception):
    """Raised on any attempt through the app to change or remove an audit row."""


def _refuse(_mapper: Mapper[Any], _connection: Any, target: AuditEvent) -> None:
    raise AuditRowsAreFinal(f"audit row {target.id} cannot be changed or removed")


event.listen(AuditEvent, "before_update", _refuse)
event.listen(AuditEvent, "before_delete", _refuse)


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_changes(state: ORMExecuteState) -> None:
    """`update(AuditEvent)` / `delete(AuditEvent)` through a session are refused as well."""
    changes = (state.is_update or state.is_delete) and state.is_orm_statement
    if changes and any(mapper.class_ is AuditEvent for mapper in state.all_mappers):
        raise AuditRowsAreFinal("audit rows cannot be changed or removed")


def record(
    *,
    actor: Any,
    subject_type: str,
    subject_id: int,
    subject_reference: str,
    action: str,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    workflow: str | None = None,
    workflow_version: int | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add one audit row to the current transaction."""
    event = AuditEvent(
        occurred_at=at or utcnow(),
        actor_id=getattr(actor, "id", None),
        subject_type=subject_type,
        subject_id=subject_id,
        subject_reference=subject_reference,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data,
        workflow=workflow,
        workflow_version=workflow_version,
    )
    db.session.add(event)
    return event


class AuditedCase(Protocol):
    """A workflow case as the audit log knows it: its audit type and its id."""

    __audit_type__: ClassVar[str]

    @property
    def id(self) -> int: ...


class ReferencedCase(AuditedCase, Protocol):
    """A case with the reference people know it by."""

    @property
    def reference(self) -> str: ...


def record_on(subject: ReferencedCase, *, actor: Any, action: str, **details: Any) -> AuditEvent:
    """Add one audit row about a case: its audit type, id and reference; `details` as for `record`."""
    return record(
        actor=actor,
        subject_type=subject.__audit_type__,
        subject_id=subject.id,
        subject_reference=subject.reference,
        action=action,
        **details,
    )


def record_on_user(user: Any, *, actor: Any, action: str, **details: Any) -> AuditEvent:
    """Add one audit row about a person's account (known by their email address)."""
    return record(
        actor=actor, subject_type="user", subject_id=user.id, subject_reference=user.email, action=action, **details
    )


def history(subject: AuditedCase) -> list[AuditEvent]:
    """Every audit row of a case, oldest first, with who did it."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == subject.__audit_type__, AuditEvent.subject_id == subject.id)
            .options(selectinload(AuditEvent.actor))
            .order_by(AuditEvent.id)
        )
    )
