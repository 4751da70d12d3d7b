"""What a host registers with the engine: its roles, guards, effects and state tags.

The engine knows none of these names itself. A definition that names a role, guard (a
transition's `conditions`), effect or tag that the host did not register is refused when it
is loaded, naming the file and the name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflows.context import Context

Guard = Callable[["Context"], str | None]
Effect = Callable[["Context"], None]

# The one role the engine itself knows: timed transitions are applied by "the system".
SYSTEM = "system"


class Vocabulary:
    """The names a host's definitions may use, each with what it means or does."""

    def __init__(self) -> None:
        self._roles: dict[str, str] = {SYSTEM: "the system"}
        self._guards: dict[str, Guard] = {}
        self._effects: dict[str, Effect] = {}
        self._tags: dict[str, str] = {}

    # -- registering -----------------------------------------------------------------------------
    def role(self, name: str, label: str) -> None:
        """A role transitions may name; `label` finishes "Only … can do this." (e.g. "a reviewer")."""
        self._roles[name] = label

    def tag(self, name: str, meaning: str) -> None:
        self._tags[name] = meaning

    def guard(self, name: str, fn: Guard) -> Guard:
        """A check a transition names in `conditions`: None when it may go ahead, else a sentence why not."""
        if name in self._guards and self._guards[name] is not fn:
            raise ValueError(f"guard {name!r} is registered twice")
        self._guards[name] = fn
        return fn

    def effect(self, name: str, fn: Effect) -> Effect:
        """Something a transition does inside its transaction after the state has changed."""
        if name in self._effects and self._effects[name] is not fn:
            raise ValueError(f"effect {name!r} is registered twice")
        self._effects[name] = fn
        return fn

    def guards(self, mapping: Mapping[str, Guard]) -> None:
        for name, fn in mapping.items():
            self.guard(name, fn)

    def effects(self, mapping: Mapping[str, Effect]) -> None:
        for name, fn in mapping.items():
            self.effect(name, fn)

    # -- reading ---------------------------------------------------------------------------------
    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(self._roles)

    @property
    def guard_names(self) -> frozenset[str]:
        return frozenset(self._guards)

    @property
    def effect_names(self) -> frozenset[str]:
        return frozenset(self._effects)

    @property
    def tag_names(self) -> frozenset[str]:
        return frozenset(self._tags)

    def role_label(self, name: str) -> str:
        return self._roles.get(name, name)

    def tag_meaning(self, name: str) -> str:
        return self._tags[name]

    def run_guard(self, name: str, ctx: Context) -> str | None:
        return self._guards[name](ctx)

    def run_effect(self, name: str, ctx: Context) -> None:
        self._effects[name](ctx)
