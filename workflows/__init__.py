"""The state-machine engine: definitions as data, validation, available actions with reasons,
apply, timers and diagrams.

It knows no word of any one domain: the host registers its roles, guards, effects and state
tags in a Vocabulary, and its definitions name them.
"""

from workflows.context import Context, Host, TransitionEvent
from workflows.definition import Definition, DefinitionError, State, Transition
from workflows.engine import Conflict, Engine, Option, ReasonRequired, TransitionRefused
from workflows.registry import Registry, check_folder, load_registry
from workflows.vocabulary import SYSTEM, Vocabulary

__all__ = [
    "SYSTEM",
    "Conflict",
    "Context",
    "Definition",
    "DefinitionError",
    "Engine",
    "Host",
    "Option",
    "ReasonRequired",
    "Registry",
    "State",
    "Transition",
    "TransitionEvent",
    "TransitionRefused",
    "Vocabulary",
    "check_folder",
    "load_registry",
]
