"""The state-machine engine and the workflow definitions it runs.

Nothing here knows about any one programme: definitions are data files, and the
conditions and effects they name are registered by name.
"""

from workflows.definition import Definition, DefinitionError, State, Transition
from workflows.engine import (
    Conflict,
    Engine,
    Option,
    ReasonRequired,
    TransitionEvent,
    TransitionRefused,
)
from workflows.registry import Registry, load_registry

__all__ = [
    "Conflict",
    "Definition",
    "DefinitionError",
    "Engine",
    "Option",
    "ReasonRequired",
    "Registry",
    "State",
    "Transition",
    "TransitionEvent",
    "TransitionRefused",
    "load_registry",
]
