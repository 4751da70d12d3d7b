"""Kinds of case, each declared once by the area that owns it and registered with the engine.

A CaseType names its model and workflow, the guards and effects its definitions use, the facts
its case page shows, which rows a member of staff may list, and, per transition, the action
handler that wraps the engine's apply (a lock, fields recorded with the change) and the email
texts. Every route that moves a case — the generic case page and an area's own page — goes
through `grants.workflow.apply_transition`, which runs the handler registered here, so no route
can skip a safeguard.

Another area may add the steps it owns to a case type it does not own (the decisions area adds
the approval emails to the application's "approve"), but never the same step twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from grants.models import Workflowed
from workflows import Context, TransitionEvent
from workflows.vocabulary import Effect, Guard

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement


@dataclass
class Action:
    """One request to apply a transition, as a handler receives it."""

    subject: Any
    name: str
    user: Any
    reason: str | None
    expected_version: int | None
    now: datetime | None
    fields: Mapping[str, Any]
    proceed: Callable[[Action], TransitionEvent]

    def apply(self) -> TransitionEvent:
        """Let the engine check roles, conditions and the version, change the state and audit it."""
        return self.proceed(self)


Handler = Callable[[Action], TransitionEvent]
EmailText = Callable[[Context], "str | None"]


def just_apply(action: Action) -> TransitionEvent:
    """The handler of a transition that needs nothing around the engine's own checks."""
    return action.apply()


@dataclass(frozen=True)
class Step:
    """What an area adds to one transition: its handler and what its emails say."""

    handler: Handler | None = None
    email_subject: EmailText | None = None
    email_details: EmailText | None = None


@dataclass
class CaseType:
    model: type[Workflowed]
    label: str
    plural: str = ""  # "<label>s" unless it says otherwise
    workflow: str = ""  # the definition's name; the kind unless it says otherwise
    guards: Mapping[str, Guard] = field(default_factory=dict)
    effects: Mapping[str, Effect] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    # Every transition's emails, unless a step says otherwise.
    email_subject: EmailText | None = None
    email_details: EmailText | None = None
    # True where another message covers the transition (its standard emails are not sent).
    quiet: Callable[[Context], bool] = lambda context: False
    # The case page and the generic lists.
    facts: Callable[[Any], list[tuple[str, str]]] = lambda subject: []
    programme_clause: Callable[[list[int]], ColumnElement[bool]] | None = None
    # The rows about a district (a "district" term's code): a bid's districts, or its award's. None: no filter.
    district_clause: Callable[[str], ColumnElement[bool]] | None = None
    # Given a user, the rows they have no conflict of interest on (grants.access.free_of_conflict).
    conflict_clause: Callable[[Any], ColumnElement[bool]] | None = None
    eager: Callable[[], list[Any]] = lambda: []

    def __post_init__(self) -> None:
        self.plural = self.plural or f"{self.label}s"
        self.workflow = self.workflow or self.kind

    @property
    def kind(self) -> str:
        """The name in URLs and in the audit log ("payment", "return"): the model's audit type."""
        return self.model.__audit_type__

    def handler(self, transition: str) -> Handler:
        step = self.steps.get(transition)
        return step.handler if step and step.handler else just_apply

    def subject_line(self, context: Context) -> str | None:
        step = self.steps.get(context.transition.name)
        fn = step.email_subject if step and step.email_subject else self.email_subject
        return fn(context) if fn else None

    def details(self, context: Context) -> str | None:
        step = self.steps.get(context.transition.name)
        fn = step.email_details if step and step.email_details else self.email_details
        return fn(context) if fn else None


class CaseTypes:
    """The registered kinds of case: by kind, by model and by workflow name."""

    def __init__(self) -> None:
        self._by_kind: dict[str, CaseType] = {}

    def register(self, case_type: CaseType) -> None:
        if case_type.kind in self._by_kind:
            raise ValueError(f"case type {case_type.kind!r} is registered twice")
        # A copy: what other areas contribute belongs to this registry (one per app), not the module's object.
        self._by_kind[case_type.kind] = replace(case_type, steps=dict(case_type.steps))

    def contribute(self, kind: str, steps: Mapping[str, Step]) -> None:
        """Add the steps another area owns to a registered case type."""
        case_type = self.get(kind)
        for name, step in steps.items():
            if name in case_type.steps:
                raise ValueError(f"the {kind} step {name!r} is registered twice")
            case_type.steps[name] = step

    def get(self, kind: str) -> CaseType:
        return self._by_kind[kind]

    def find(self, kind: str) -> CaseType | None:
        return self._by_kind.get(kind)

    def of(self, subject: Any) -> CaseType:
        for case_type in self._by_kind.values():
            if isinstance(subject, case_type.model):
                return case_type
        raise LookupError(f"{type(subject).__name__} is not a registered kind of case")

    def for_workflow(self, workflow: str) -> CaseType | None:
        return next((c for c in self._by_kind.values() if c.workflow == workflow), None)

    def kinds(self) -> list[str]:
        return list(self._by_kind)

    def __iter__(self) -> Iterator[CaseType]:
        return iter(self._by_kind.values())
