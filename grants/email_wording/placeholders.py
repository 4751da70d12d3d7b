"""Placeholders written as GOV.UK Notify writes them: `((reference))`, a name of lower-case letters,
digits and underscores between double brackets. Emails are plain text, so values are plain text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

PLACEHOLDER = re.compile(r"\(\(([a-z][a-z0-9_]*)\)\)")
_ANY_BRACKETS = re.compile(r"\(\(([^()]*)\)\)")  # innermost: "(((amount)))" holds ((amount))


def placeholders(text: str) -> list[str]:
    """The placeholders of a text, each once, in the order they first appear."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def unknown(text: str, known: Iterable[str]) -> list[str]:
    """The placeholders of a text that are not among `known`, in the order they appear."""
    allowed = set(known)
    return [name for name in placeholders(text) if name not in allowed]


def malformed(text: str) -> str | None:
    """What is wrong with the brackets of a text, in words, or None when every `((` is a placeholder."""
    rest = PLACEHOLDER.sub("", text)
    for match in _ANY_BRACKETS.finditer(rest):
        inside = match.group(1)
        if not inside.strip():
            return "(()) has no name inside it: write a placeholder as ((reference))"
        shown = " ".join(inside.split())[:40]
        return (
            f"(({shown})) is not written as a placeholder: use lower-case letters, numbers and underscores "
            "only, for example ((reference))"
        )
    if "((" in rest:
        return "There is a (( with no )) to close it: write a placeholder as ((reference))"
    if "))" in rest:
        return "There is a )) with no (( before it: write a placeholder as ((reference))"
    return None


def render(text: str, values: Mapping[str, object]) -> str:
    """The text with each placeholder replaced by its value (None or unknown: nothing at all), so an
    email never shows a stray `((...))` to its reader."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        found = values.get(name) if PLACEHOLDER.fullmatch(match.group(0)) else None
        return "" if found is None else str(found)

    # One pass over the template only: a value that itself holds "((x))" (a reason typed by someone) is kept.
    return _ANY_BRACKETS.sub(value, text)
