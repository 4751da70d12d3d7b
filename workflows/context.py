"""What a guard or effect is told about the transition it guards or follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from workflows.definition import Definition, Transition


class Host(Protocol):
    """What the host supplies to the engine: who may act, and where the record of a change goes.

    The host may offer more (its guards and effects reach it as `Context.host`); the engine calls only these.
    """

    def roles_for(self, user: Any, subject: Any, wanted: frozenset[str] | None = None) -> frozenset[str]:
        """The roles the user acts in on this subject; with `wanted`, enough to tell whether any of those."""
        ...

    def record(self, event: TransitionEvent) -> None: ...


@dataclass(frozen=True)
class TransitionEvent:
    """One applied transition: the engine hands it to the host to write the audit row."""

    subject: Any
    workflow: str
    workflow_version: int
    transition: str
    from_state: str | None
    to_state: str
    user: Any
    reason: str | None
    at: datetime


@dataclass
class Context:
    subject: Any
    definition: Definition
    transition: Transition
    user: Any
    reason: str | None
    now: datetime
    host: Any  # the host's own object: its guards and effects may use more than Host promises
    tz: tzinfo
    event: TransitionEvent | None = None

    def local(self, moment: datetime) -> str:
        """A UTC moment in the engine's time zone, as people read it, e.g. '4 November 2022 at 12:00'."""
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return f"{moment.astimezone(self.tz):%-d %B %Y at %H:%M}"
