"""The state-machine engine: available transitions with reasons, apply, timers.

The engine changes the subject's state, hands one TransitionEvent to the host
(which writes the audit row) and runs the transition's effects, all inside the
caller's transaction. The caller commits; a stale version there is a Conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from workflows.context import Context, Host, TransitionEvent
from workflows.definition import Definition, Transition
from workflows.diagram import diagram
from workflows.registry import Registry
from workflows.vocabulary import SYSTEM, Vocabulary


class TransitionRefused(Exception):
    """The transition may not be applied now, or not by this user; nothing changed."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(" ".join(reasons))


class ReasonRequired(TransitionRefused):
    """The transition needs a reason and none was given: a form error, not a permission problem."""


class Conflict(Exception):
    """Someone else changed the subject since this user loaded it."""

    def __init__(self, subject: Any, message: str | None = None):
        self.subject = subject
        super().__init__(message or "Someone else changed this while you were looking at it.")


@dataclass(frozen=True)
class Option:
    """A transition from the current state, and whether this user may apply it now."""

    transition: Transition
    allowed: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def label(self) -> str:
        return self.transition.label


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Engine:
    def __init__(
        self,
        registry: Registry,
        host: Host,
        vocabulary: Vocabulary,
        *,
        tz: str = "Europe/London",
        clock: Callable[[], datetime] | None = None,
    ):
        self.registry = registry
        self.host = host
        self.vocabulary = vocabulary
        self.tz = ZoneInfo(tz)
        self.clock = clock or (lambda: datetime.now(UTC))

    def _who(self, roles: frozenset[str]) -> str:
        names = [self.vocabulary.role_label(r) for r in sorted(roles) if r != SYSTEM]
        if not names:
            return self.vocabulary.role_label(SYSTEM)
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + " or " + names[-1]

    # -- reading -------------------------------------------------------------
    def definition_for(self, subject: Any) -> Definition:
        return self.registry.get(subject.workflow, subject.workflow_version)

    def diagram(self, subject: Any) -> str:
        return diagram(self.definition_for(subject), current=subject.state)

    def due_at(self, subject: Any, transition: Transition) -> datetime | None:
        """When a timed transition falls due for this subject (UTC), or None if it has no date."""
        assert transition.after is not None
        value = getattr(subject, transition.after.field)
        if value is None:
            return None
        if isinstance(value, datetime):
            return _utc(value) + transition.after.offset
        if isinstance(value, date):
            # Whole days count on the wall clock of the engine's time zone, across clock changes.
            local = datetime.combine(value, time.min, tzinfo=self.tz) + transition.after.offset
            return local.astimezone(UTC)
        raise TypeError(f"{transition.after.field} is not a date or a date-time")

    def _blocking(self, ctx: Context) -> list[str]:
        reasons: list[str] = []
        for name in ctx.transition.conditions:
            reason = self.vocabulary.run_guard(name, ctx)
            if reason:
                reasons.append(reason)
        return reasons

    def _context(
        self, subject: Any, definition: Definition, transition: Transition, user: Any, reason: str | None, now: datetime
    ) -> Context:
        return Context(
            subject=subject,
            definition=definition,
            transition=transition,
            user=user,
            reason=reason,
            now=now,
            host=self.host,
            tz=self.tz,
        )

    def _roles(self, user: Any, subject: Any, wanted: frozenset[str] | None = None) -> frozenset[str]:
        if user is None:
            return frozenset({SYSTEM})
        return self.host.roles_for(user, subject, wanted)

    def available(self, subject: Any, user: Any, *, now: datetime | None = None) -> list[Option]:
        """Every transition out of the current state, each with why this user may not apply it."""
        now = now or self.clock()
        definition = self.definition_for(subject)
        roles = self._roles(user, subject)
        options: list[Option] = []
        for transition in definition.transitions_from(subject.state):
            reasons: list[str] = []
            if transition.roles == {SYSTEM} and transition.after is not None:
                due = self.due_at(subject, transition)
                when = f" on {due.astimezone(self.tz):%-d %B %Y at %H:%M}" if due else ""
                reasons.append(f"This happens automatically{when}.")
            elif not roles & transition.roles:
                reasons.append(f"Only {self._who(transition.roles)} can do this.")
            else:
                ctx = self._context(subject, definition, transition, user, None, now)
                reasons.extend(self._blocking(ctx))
            options.append(Option(transition=transition, allowed=not reasons, reasons=reasons))
        return options

    # -- writing -------------------------------------------------------------
    def start(
        self,
        subject: Any,
        workflow: str,
        user: Any = None,
        *,
        state: str | None = None,
        reason: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Put a new subject on the latest version of a workflow, in its initial state (or `state`,
        one of the definition's `also_starts`), recording who started it and why."""
        definition = self.registry.latest(workflow)
        start = state or definition.initial
        if start not in definition.starts:
            starts = "' or '".join(definition.starts)
            raise ValueError(
                f"{definition.name} version {definition.version} cannot start in '{start}'; it starts in '{starts}'"
            )
        now = now or self.clock()
        subject.workflow = definition.name
        subject.workflow_version = definition.version
        subject.state = start
        subject.state_changed_at = now
        self.host.record(
            TransitionEvent(
                subject=subject,
                workflow=definition.name,
                workflow_version=definition.version,
                transition="create",
                from_state=None,
                to_state=start,
                user=user,
                reason=(reason or "").strip() or None,
                at=now,
            )
        )

    def apply(
        self,
        subject: Any,
        name: str,
        user: Any,
        reason: str | None = None,
        *,
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> TransitionEvent:
        """Apply one transition, or raise TransitionRefused / Conflict leaving everything as it was."""
        if expected_version is not None and subject.version_id != expected_version:
            raise Conflict(subject)
        now = now or self.clock()
        definition = self.definition_for(subject)
        transition = definition.transitions.get(name)
        if transition is None or subject.state not in transition.sources:
            label = transition.label if transition else name
            state = definition.states[subject.state].label if subject.state in definition.states else subject.state
            raise TransitionRefused([f"'{label}' is not possible while this is {state.lower()}."])
        roles = self._roles(user, subject, transition.roles)
        if not roles & transition.roles:
            raise TransitionRefused([f"Only {self._who(transition.roles)} can do this."])
        if transition.after is not None and transition.roles == {SYSTEM}:
            due = self.due_at(subject, transition)
            if due is None or due > now:
                raise TransitionRefused(["This happens automatically when it falls due, not before."])
        reason = (reason or "").strip() or None
        if transition.reason_required and not reason:
            raise ReasonRequired([f"Enter a reason to '{transition.label.lower()}'"])
        ctx = self._context(subject, definition, transition, user, reason, now)
        blocking = self._blocking(ctx)
        if blocking:
            raise TransitionRefused(blocking)
        from_state = subject.state
        subject.state = transition.target
        subject.state_changed_at = now
        event = TransitionEvent(
            subject=subject,
            workflow=definition.name,
            workflow_version=definition.version,
            transition=transition.name,
            from_state=from_state,
            to_state=transition.target,
            user=user,
            reason=reason,
            at=now,
        )
        self.host.record(event)
        ctx.event = event
        for effect_name in transition.effects:
            self.vocabulary.run_effect(effect_name, ctx)
        return event

    def due_transition(self, subject: Any, *, now: datetime | None = None) -> Transition | None:
        """The timed transition out of the current state that has fallen due, if any."""
        now = now or self.clock()
        definition = self.definition_for(subject)
        for transition in definition.transitions_from(subject.state):
            if transition.after is None:
                continue
            due = self.due_at(subject, transition)
            if due is not None and due <= now:
                ctx = self._context(subject, definition, transition, None, None, now)
                if not self._blocking(ctx):
                    return transition
        return None
