"""Batch actions on the case lists: plan what a transition would do to each selected case, then apply it.

plan → confirm → apply: `choices` offers the transitions a list's cases could take; `plan` says, case by
case, what would change or why it cannot (the engine's own reasons); `apply` moves each case on its own,
through the same registered handler and engine as the case page (`grants.workflow.apply_transition`),
one commit and one audit row per case, the reason marked with the batch it belongs to. A case changed
since the confirmation page (its version), no longer permitted or no longer meeting a condition is
skipped with the reason, and the rest still move.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from grants import access
from grants.cases import services
from grants.errors import NotFound
from grants.extensions import db
from grants.workflow import apply_transition, engine
from workflows import Conflict, Definition, TransitionRefused
from workflows.definition import Transition
from workflows.vocabulary import SYSTEM

MAX_BATCH = 1_000
LARGEST_ID = 2**31 - 1  # the database's integer columns
_BATCH_ID = re.compile(r"^[0-9]{8}-[0-9]{4}-[0-9a-f]{4}$")


@dataclass(frozen=True)
class Offered:
    """A transition a batch may apply to the cases of a kind."""

    name: str
    label: str
    target: str  # the label of the state the cases move to
    reason_required: bool


@dataclass
class PlanRow:
    id: int
    reference: str
    description: str
    state: str  # the label of its state now
    version_id: int
    reasons: list[str] = field(default_factory=list)  # why it cannot move (empty: it will)

    @property
    def moves(self) -> bool:
        return not self.reasons


@dataclass
class Plan:
    kind: str
    action: Offered
    rows: list[PlanRow]
    not_found: int = 0  # selected ids that are not cases this user may see (never named)

    @property
    def moving(self) -> list[PlanRow]:
        return [row for row in self.rows if row.moves]

    @property
    def staying(self) -> list[PlanRow]:
        return [row for row in self.rows if not row.moves]


@dataclass
class Skipped:
    id: int | None  # None: not a case this user may see (no link, no reference)
    reference: str | None
    why: str


@dataclass
class Outcome:
    kind: str
    action: Offered
    batch_id: str
    moved: list[tuple[int, str]] = field(default_factory=list)  # (id, reference)
    skipped: list[Skipped] = field(default_factory=list)


# -- what a batch may do ------------------------------------------------------------------------------------


def _definitions(kind: str) -> list[Definition]:
    """Every version of the kind's workflow, newest first (cases may run on an older one)."""
    return list(reversed(engine().registry.versions(services.case_type(kind).workflow)))


def _transitions(kind: str) -> dict[str, tuple[Transition, Definition]]:
    found: dict[str, tuple[Transition, Definition]] = {}
    for definition in _definitions(kind):
        for name, transition in definition.transitions.items():
            found.setdefault(name, (transition, definition))
    return found


def _offered(transition: Transition, definition: Definition) -> Offered:
    return Offered(
        name=transition.name,
        label=transition.label,
        target=definition.states[transition.target].label,
        reason_required=transition.reason_required,
    )


def choices(kind: str, user: Any, subjects: Sequence[Any]) -> list[Offered]:
    """The transitions offered for a list's cases: out of a state one of them is in, for a role the user holds."""
    states = {subject.state for subject in subjects}
    roles = access.staff_roles(user)
    offered = []
    for transition, definition in _transitions(kind).values():
        if transition.roles == {SYSTEM} or not roles & transition.roles:
            continue
        if states & set(transition.sources):
            offered.append(_offered(transition, definition))
    return offered


def action(kind: str, name: str) -> Offered:
    """The transition of that name in the kind's workflow (NotFound for any other name)."""
    found = _transitions(kind).get(name)
    if found is None or found[0].roles == {SYSTEM}:
        raise NotFound(f"{kind} transition {name}")
    return _offered(*found)


# -- what was selected --------------------------------------------------------------------------------------


def parse_ids(values: Iterable[str]) -> tuple[list[int], int]:
    """The case ids in a posted selection, in order without repeats, and how many values were not ids."""
    ids: list[int] = []
    junk = 0
    for value in values:
        text = str(value).strip()
        if text.isascii() and text.isdigit() and 0 < int(text) <= LARGEST_ID:
            if int(text) not in ids:
                ids.append(int(text))
        else:
            junk += 1
    return ids, junk


def parse_seen(values: Iterable[str]) -> tuple[dict[int, int], int]:
    """The confirmation page's "id:version" pairs, and how many values were not such a pair."""
    seen: dict[int, int] = {}
    junk = 0
    for value in values:
        case_id, _, version = str(value).partition(":")
        ids, bad = parse_ids([case_id])
        if bad or not version.isascii() or not version.isdigit() or int(version) > LARGEST_ID:
            junk += 1
            continue
        seen.setdefault(ids[0], int(version))
    return seen, junk


def selected(kind: str, user: Any, ids: Sequence[int]) -> list[Any]:
    """The selected cases this user may list (their programmes, no conflicts), in list order; one query."""
    case_type = services.case_type(kind)
    model: Any = case_type.model
    if not ids:
        return []
    query = (
        select(model)
        .options(*case_type.eager())
        .where(model.id.in_(list(ids)), *services.visible_clauses(kind, user))
        .order_by(model.id)
    )
    return list(db.session.scalars(query).unique())


def new_batch_id(now: datetime | None = None) -> str:
    """A name for one batch, written into each of its audit rows: London date and time, and a random tail."""
    moment = (now or datetime.now(UTC)).astimezone(ZoneInfo("Europe/London"))
    return f"{moment:%Y%m%d-%H%M}-{secrets.token_hex(2)}"


def batch_id_or_new(value: str | None) -> str:
    return value if value and _BATCH_ID.match(value) else new_batch_id()


# -- plan -----------------------------------------------------------------------------------------------------


def describe(subject: Any) -> str:
    """What a case is about on a list: its title, and its organisation where it has one."""
    title = next((str(v) for a in ("title", "project_title", "period_label") if (v := getattr(subject, a, None))), "")
    organisation = getattr(subject, "organisation", None)
    name = getattr(organisation, "name", None)
    return " – ".join(part for part in (title, name) if part)


def state_label(subject: Any) -> str:
    state = engine().definition_for(subject).states.get(subject.state)
    return state.label if state else subject.state


def _why_not(subject: Any, user: Any, name: str) -> list[str]:
    """Why this case cannot take the transition now (the engine's reasons); empty when it can."""
    eng = engine()
    definition = eng.definition_for(subject)
    transition = definition.transitions.get(name)
    if transition is None or subject.state not in transition.sources:
        label = transition.label if transition else name
        return [f"'{label}' is not possible while this is {state_label(subject).lower()}."]
    option = next((o for o in eng.available(subject, user) if o.name == name), None)
    return list(option.reasons) if option else ["This cannot happen now."]


def plan(kind: str, user: Any, name: str, subjects: Sequence[Any], *, not_found: int = 0) -> Plan:
    """What the transition would do to each case: the state it moves from, or why it cannot move."""
    offered = action(kind, name)
    rows = [
        PlanRow(
            id=subject.id,
            reference=subject.reference,
            description=describe(subject),
            state=state_label(subject),
            version_id=subject.version_id,
            reasons=_why_not(subject, user, name),
        )
        for subject in subjects
    ]
    return Plan(kind=kind, action=offered, rows=rows, not_found=not_found)


# -- apply ----------------------------------------------------------------------------------------------------


def batch_reason(batch_id: str, count: int, reason: str | None) -> str:
    """The reason written in each case's audit row: the batch it was part of, then the officer's words."""
    head = f"Batch {batch_id} ({count} {'case' if count == 1 else 'cases'})"
    text = (reason or "").replace("\x00", "").strip()
    return f"{head}: {text}" if text else head


def _load(kind: str, case_id: int, user: Any) -> Any:
    case_type = services.case_type(kind)
    subject = db.session.get(case_type.model, case_id, options=case_type.eager())
    if subject is None or not access.can_see_case(user, subject):
        return None
    return subject


def apply(kind: str, user: Any, name: str, seen: dict[int, int], reason: str | None, batch_id: str) -> Outcome:
    """Move each case on its own (its own transaction), skipping those that changed or may no longer move."""
    offered = action(kind, name)
    text = batch_reason(batch_id, len(seen), reason)
    outcome = Outcome(kind=kind, action=offered, batch_id=batch_id)
    for case_id, version in seen.items():
        subject = _load(kind, case_id, user)
        if subject is None:
            outcome.skipped.append(Skipped(None, None, "not found, or not a case you may change"))
            continue
        reference = subject.reference
        try:
            apply_transition(subject, name, user, text, expected_version=version)
        except Conflict:
            db.session.rollback()
            fresh = _load(kind, case_id, user)
            now = f" (now {state_label(fresh).lower()})" if fresh is not None else ""
            outcome.skipped.append(Skipped(case_id, reference, f"someone else changed it{now}"))
            continue
        except TransitionRefused as exc:
            db.session.rollback()
            outcome.skipped.append(Skipped(case_id, reference, " ".join(exc.reasons)))
            continue
        outcome.moved.append((case_id, reference))
    return outcome
