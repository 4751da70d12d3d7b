"""The grant workflow definitions and the grant vocabulary, for tests that run them on the engine
with fake subjects and a fake host (no database).

The vocabulary is the application's own (roles, tags, guards, effects from every area's case
types), except that the effects which write to the database are replaced by ones that ask the
fake host, so the tests see what would have happened.
"""

from __future__ import annotations

import functools
from pathlib import Path

import grants
from grants import areas
from grants.workflow import vocabulary_for
from workflows import Context, Registry, Vocabulary, load_registry

DEFINITIONS = Path(grants.__file__).parent / "definitions"
SHIPPED_FILES = sorted(DEFINITIONS.glob("*.toml"))


def _assign_reference(ctx: Context) -> None:
    ctx.host.assign_reference(ctx.subject)


@functools.cache
def vocabulary() -> Vocabulary:
    effects = dict(areas.SHARED_EFFECTS)
    case_types = areas.case_types()
    for case_type in case_types:
        if "assign_reference" in case_type.effects:
            case_type.effects = {**case_type.effects, "assign_reference": _assign_reference}
    return vocabulary_for(case_types, effects)


@functools.cache
def shipped() -> Registry:
    return load_registry(DEFINITIONS, vocabulary())
