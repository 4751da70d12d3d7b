"""States as data: the states of a kind of case that carry a tag, and their labels, from its definitions.

Code asks `states("payment", "live")` instead of listing state names; the answer covers every
version of the workflow, because running cases keep the version they started on. It reads the
app's registered engine, so models, guards and templates can ask without importing the areas.
"""

from __future__ import annotations

from typing import Any

from flask import current_app


def _engine() -> Any:
    return current_app.extensions["workflow_engine"]


def _workflow(kind: str) -> str:
    return str(current_app.extensions["case_types"].get(kind).workflow)


def states(kind: str, tag: str) -> frozenset[str]:
    """The states of a kind of case that carry a tag, in every version of its workflow.

    A tag the host never registered is a mistake in the code, not an empty set: it raises.
    """
    engine = _engine()
    if tag not in engine.vocabulary.tag_names:
        raise KeyError(f"no state tag {tag!r}; the registered tags are {sorted(engine.vocabulary.tag_names)}")
    return frozenset(engine.registry.tagged(_workflow(kind), tag))


def state_labels(kind: str) -> dict[str, str]:
    """Each state's label, as the latest version of the kind's workflow names it (older states too)."""
    return workflow_labels(_workflow(kind))


def workflow_labels(workflow: str) -> dict[str, str]:
    """The same, by the workflow's own name (a round names the workflow its applications run)."""
    return dict(_engine().registry.labels(workflow))
