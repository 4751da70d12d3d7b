"""Workflow definitions as data: parse a TOML file and validate it.

A definition names its states (each with a label, whether it is terminal, and tags the host
asks for instead of listing state names) and its transitions; roles, guards (`conditions`),
effects and tags are names that the host registers in a Vocabulary. A case starts in the
`initial` state unless the host names one of the definition's `also_starts` (a second way in,
such as a request made by someone else than the usual starter).
"""

from __future__ import annotations

import re
import tomllib
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflows.vocabulary import SYSTEM

if TYPE_CHECKING:
    from workflows.vocabulary import Vocabulary

_AFTER = re.compile(
    r"^\s*(?P<field>[a-z_][a-z0-9_]*)\s*(?:(?P<sign>[+-])\s*(?P<n>\d+)\s*(?P<unit>minutes?|hours?|days?))?\s*$"
)


class DefinitionError(ValueError):
    """A workflow definition is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class State:
    name: str
    label: str
    terminal: bool = False
    outcome: str | None = None
    description: str = ""
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Timer:
    """When a timed transition becomes due: a date-time field of the subject plus an offset."""

    field: str
    offset: timedelta

    @classmethod
    def parse(cls, text: str) -> Timer:
        match = _AFTER.match(text)
        if not match:
            raise ValueError(f"cannot read timer {text!r}; write e.g. 'closes_at' or 'due_date + 7 days'")
        offset = timedelta()
        if match["n"]:
            unit = match["unit"].rstrip("s") + "s"
            offset = timedelta(**{unit: int(match["n"])})
            if match["sign"] == "-":
                offset = -offset
        return cls(field=match["field"], offset=offset)

    def __str__(self) -> str:
        if not self.offset:
            return self.field
        days = self.offset.days
        if self.offset == timedelta(days=days):
            sign = "+" if days >= 0 else "-"
            return f"{self.field} {sign} {abs(days)} day{'s' if abs(days) != 1 else ''}"
        seconds = int(self.offset.total_seconds())
        sign = "+" if seconds >= 0 else "-"
        return f"{self.field} {sign} {abs(seconds) // 60} minutes"


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    conditions: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    reason_required: bool = False
    after: Timer | None = None
    description: str = ""


@dataclass(frozen=True)
class Definition:
    name: str
    version: int
    label: str
    initial: str
    states: dict[str, State]
    transitions: dict[str, Transition]
    source: str = "<memory>"
    description: str = ""
    also_starts: tuple[str, ...] = ()  # states a case may start in instead of `initial`
    _by_source: dict[str, tuple[Transition, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        by_source: dict[str, list[Transition]] = {}
        for transition in self.transitions.values():
            for source in transition.sources:
                by_source.setdefault(source, []).append(transition)
        self._by_source.update({k: tuple(v) for k, v in by_source.items()})

    @property
    def key(self) -> tuple[str, int]:
        return (self.name, self.version)

    @property
    def starts(self) -> tuple[str, ...]:
        """Every state a new case may start in: `initial` first, then `also_starts`."""
        return (self.initial, *(s for s in self.also_starts if s != self.initial))

    def state(self, name: str) -> State:
        return self.states[name]

    def transitions_from(self, state: str) -> tuple[Transition, ...]:
        return self._by_source.get(state, ())

    def timed_transitions(self) -> list[Transition]:
        return [t for t in self.transitions.values() if t.after is not None]

    def tagged(self, tag: str) -> frozenset[str]:
        """The names of the states that carry this tag."""
        return frozenset(s.name for s in self.states.values() if tag in s.tags)

    def terminal_states(self) -> frozenset[str]:
        return frozenset(s.name for s in self.states.values() if s.terminal)


def _names(raw: dict[str, Any], key: str, where: str) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list):
        raise DefinitionError(f"{where}: '{key}' must be a list, e.g. {key} = [\"{value}\"]")
    return [str(v) for v in value]


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise DefinitionError(f"{where}: missing '{key}'")
    return data[key]


def parse(data: dict[str, Any], source: str = "<memory>") -> Definition:
    """Build a Definition from parsed TOML data, checking its shape (not its meaning)."""
    try:
        name = str(_require(data, "name", source))
        version = int(_require(data, "version", source))
        initial = str(_require(data, "initial", source))
        also_starts = tuple(_names(data, "also_starts", source))
        states: dict[str, State] = {}
        for raw in _require(data, "states", source):
            state_name = str(_require(raw, "name", f"{source}: a state"))
            if state_name in states:
                raise DefinitionError(f"{source}: state '{state_name}' is defined twice")
            states[state_name] = State(
                name=state_name,
                label=str(raw.get("label", state_name.replace("_", " ").capitalize())),
                terminal=bool(raw.get("terminal", False)),
                outcome=raw.get("outcome"),
                description=str(raw.get("description", "")),
                tags=frozenset(_names(raw, "tags", f"{source}: state '{state_name}'")),
            )
        transitions: dict[str, Transition] = {}
        for raw in data.get("transitions", []):
            t_name = str(_require(raw, "name", f"{source}: a transition"))
            where = f"{source}: transition '{t_name}'"
            if t_name in transitions:
                raise DefinitionError(f"{source}: transition '{t_name}' is defined twice")
            sources = raw.get("from")
            if isinstance(sources, str):
                sources = [sources]
            for key in ("roles", "conditions", "effects"):
                if key in raw and not isinstance(raw[key], list):
                    raise DefinitionError(f"{where}: '{key}' must be a list, e.g. {key} = [\"{raw[key]}\"]")
            if not sources:
                raise DefinitionError(f"{where}: missing 'from'")
            after = None
            if raw.get("after"):
                try:
                    after = Timer.parse(str(raw["after"]))
                except ValueError as exc:
                    raise DefinitionError(f"{where}: {exc}") from exc
            transitions[t_name] = Transition(
                name=t_name,
                label=str(raw.get("label", t_name.replace("_", " ").capitalize())),
                sources=tuple(str(s) for s in sources),
                target=str(_require(raw, "to", where)),
                roles=frozenset(str(r) for r in _require(raw, "roles", where)),
                conditions=tuple(str(c) for c in raw.get("conditions", [])),
                effects=tuple(str(e) for e in raw.get("effects", [])),
                reason_required=bool(raw.get("reason_required", False)),
                after=after,
                description=str(raw.get("description", "")),
            )
    except DefinitionError:
        raise
    except (TypeError, AttributeError, ValueError) as exc:
        raise DefinitionError(f"{source}: malformed definition ({exc})") from exc
    return Definition(
        name=name,
        version=version,
        label=str(data.get("label", name)),
        initial=initial,
        states=states,
        transitions=transitions,
        source=source,
        description=str(data.get("description", "")),
        also_starts=also_starts,
    )


def load_file(path: Path) -> Definition:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DefinitionError(f"{path.name}: not valid TOML ({exc})") from exc
    return parse(data, source=path.name)


def problems(definition: Definition, vocabulary: Vocabulary) -> list[str]:
    """Everything wrong with a definition's meaning; empty when it is sound."""
    where = definition.source
    found: list[str] = []
    if not definition.states:
        return [f"{where}: no states"]
    roles, conditions, effects = vocabulary.role_names, vocabulary.guard_names, vocabulary.effect_names
    for state in definition.states.values():
        for tag in sorted(state.tags - vocabulary.tag_names):
            found.append(f"{where}: state '{state.name}' names unknown tag '{tag}'")
    if definition.initial not in definition.states:
        found.append(f"{where}: initial state '{definition.initial}' is not a state")
    for start in definition.also_starts:
        if start not in definition.states:
            found.append(f"{where}: also_starts names '{start}', which is not a state")
        elif definition.states[start].terminal:
            found.append(f"{where}: also_starts names terminal state '{start}': a case would start finished")
    for t in definition.transitions.values():
        label = f"{where}: transition '{t.name}'"
        for source in t.sources:
            if source not in definition.states:
                found.append(f"{label} starts from unknown state '{source}'")
            elif definition.states[source].terminal:
                found.append(f"{label} leaves terminal state '{source}'")
        if t.target not in definition.states:
            found.append(f"{label} goes to unknown state '{t.target}'")
        for role in sorted(t.roles - roles):
            found.append(f"{label} names unknown role '{role}'")
        if not t.roles:
            found.append(f"{label} names no role")
        for cond in t.conditions:
            if cond not in conditions:
                found.append(f"{label} names unknown condition '{cond}'")
        for eff in t.effects:
            if eff not in effects:
                found.append(f"{label} names unknown effect '{eff}'")
        if t.after is not None and SYSTEM not in t.roles:
            found.append(f"{label} is timed but 'system' may not apply it")
    if found:
        return found
    reachable = set(definition.starts)
    queue = deque(definition.starts)
    while queue:
        current = queue.popleft()
        for t in definition.transitions_from(current):
            if t.target not in reachable:
                reachable.add(t.target)
                queue.append(t.target)
    for state in definition.states.values():
        if state.name not in reachable:
            starts = "' or '".join(definition.starts)
            found.append(f"{where}: state '{state.name}' cannot be reached from '{starts}'")
        if not state.terminal and not definition.transitions_from(state.name):
            found.append(f"{where}: state '{state.name}' is not terminal but has no way out")
    return found
