"""Mermaid text for a workflow definition, with the current state highlighted."""

from __future__ import annotations

import re

from workflows.definition import Definition

_UNSAFE = re.compile(r"[^A-Za-z0-9 ,.'()/&£$€+_-]")


def _label(text: str) -> str:
    return _UNSAFE.sub(" ", text).strip()


def diagram(definition: Definition, current: str | None = None) -> str:
    lines = ["stateDiagram-v2", "    direction LR"]
    for state in definition.states.values():
        lines.append(f'    state "{_label(state.label)}" as {state.name}')
    for start in definition.starts:
        lines.append(f"    [*] --> {start}")
    for t in definition.transitions.values():
        label = _label(t.label)
        if t.after is not None:
            label += f" (automatic, {_label(str(t.after))})"
        for source in t.sources:
            lines.append(f"    {source} --> {t.target} : {label}")
    for state in definition.states.values():
        if state.terminal:
            lines.append(f"    {state.name} --> [*]")
    if current and current in definition.states:
        lines.append("    classDef current fill:#ffdd00,color:#0b0c0c,stroke:#0b0c0c,stroke-width:4px,font-weight:bold")
        lines.append(f"    class {current} current")
    return "\n".join(lines) + "\n"
