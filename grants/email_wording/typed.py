"""Text a person typed for an email (a subject, a body, a template's name), checked before it is kept:
NUL and other control characters refused, line ends made plain, spaces trimmed, a length limit."""

from __future__ import annotations

import unicodedata

_LINE_BREAKS = frozenset("\t\n\r")


def typed_text(raw: str | None, what: str, limit: int, *, multiline: bool, empty: str | None = None) -> str:
    """The value to keep, or ValueError saying what is wrong in words. `empty` is the message for nothing
    typed ("Enter the <what>" unless given)."""
    raw = raw or ""
    if "\x00" in raw:
        raise ValueError(f"{what} must not contain a NUL character (\\0): remove it and try again")
    allowed = _LINE_BREAKS if multiline else frozenset("\t")
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in raw):
        raise ValueError(f"{what} must not contain control characters: remove them and try again")
    if multiline:
        value = "\n".join(line.rstrip() for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    else:
        value = " ".join(raw.split())
    if not value:
        if raw:
            raise ValueError(f"{what} must not be only spaces")
        raise ValueError(empty or f"Enter the {what[0].lower()}{what[1:]}")
    if len(value) > limit:
        raise ValueError(f"{what} must be {limit:,} characters or fewer (it has {len(value):,})")
    return value
