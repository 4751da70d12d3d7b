"""A form's fields rendered from a cache: each field's GOV.UK macro runs once for each shape of the field.

A section page's widgets (govuk-frontend-wtf) each render a GOV.UK macro from `params`: the label, the
hint, the choices, the ids, whether there is an error, what was typed and the error's text. Running those
macros is most of a section page's CPU, and the HTML is a function of the params alone. So a field is
rendered once for each *shape* (its params with what was typed and the error's text taken out), with a
probe where those were, and every later field of the same shape has the typed text, escaped as Jinja
escapes it, put where the probe came out.

Why the HTML is the same as rendering afresh:
- Only the leaves the macros print and never compare are slots ("value" of a text input or textarea, the
  day, month and year of a date, the error message's text); everything else is part of the key, in full
  and in order, with its type (True is not 1). A select's value, which its macro compares with each
  option, is never a slot, nor a choice's value.
- Whether each slot is empty, one plain line, or anything else (several lines, space at either end) is
  part of the key, and the probe is of the same kind, so `if value`, `indent` and `trim` act on the probe
  as they would on the text.
- The probe is checked when a shape is first rendered: every trace of it must be the probe escaped once,
  whole. A shape where it is not is rendered afresh each time.
Since the key holds the labels, hints and choices themselves, a new question set version or a relabelled
vocabulary term is a new key: nothing to invalidate. The cache is bounded (emptied when full).
tests/apply/test_section_html.py compares the pages with the caches on and off for every question type.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

from flask import current_app, has_app_context
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from markupsafe import Markup, escape

MAX_SHAPES = 4096
ANY = "*"  # in a slot's path: any item of a list
ERROR_TEXT = ("errorMessage", "text")
EMPTY, PLAIN, OTHER = "empty", "plain", "other"

_NONCE = secrets.token_hex(8)
Parts = tuple[Markup | int, ...]  # a rendered shape: static HTML, and the numbers of the slots between
# Each shape rendered so far: (its parts,), or (None,) for one that must be rendered afresh each time.
_SHAPES: dict[Any, tuple[Parts | None]] = {}
stats = {"hits": 0, "misses": 0, "fresh": 0}


class _NoShape(Exception):
    """Params holding something the cache does not know how to key: rendered afresh."""


def clear() -> None:
    _SHAPES.clear()


def _on() -> bool:
    return not has_app_context() or bool(current_app.config.get("FORM_CACHES", True))


def _kind(text: str) -> str:
    if not text:
        return EMPTY
    return PLAIN if text == text.strip() and len(text.splitlines()) == 1 else OTHER


def _probe(index: int, kind: str) -> str:
    core = f"gfslot{_NONCE}n{index}"
    if kind == PLAIN:
        return f"{core}&<>\"'{core}"
    return f" {core}&<\u2028\n>\"'\r\n\t{core} "


SLOT = True  # in a slots tree: the leaf here is a slot


def slots_tree(*paths: tuple[Any, ...]) -> dict[Any, Any]:
    """The slots' paths as a tree: {"items": {ANY: {"value": SLOT}}, "value": SLOT}."""
    tree: dict[Any, Any] = {}
    for path in paths:
        node = tree
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = SLOT
    return tree


def _below(tree: Any, step: Any) -> Any:
    """The part of the slots tree under `step` (a key of a dict; ANY for the items of a list)."""
    return tree.get(step) if isinstance(tree, dict) else None


def _shape(value: Any, tree: Any, texts: list[str]) -> Any:
    """A hashable key for `value`, with the slots' texts taken out (appended to `texts`)."""
    if tree is SLOT and type(value) is str:
        kind = _kind(value)
        if kind == EMPTY:
            return (str, "")
        texts.append(value)
        return ("slot", kind)
    if isinstance(value, dict):
        return (dict, tuple((k, _shape(v, _below(tree, k), texts)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        below = _below(tree, ANY)
        return (type(value), tuple(_shape(v, below, texts) for v in value))
    if value is None or type(value) in (str, Markup, bool, int, float):
        return (type(value), value)
    raise _NoShape(type(value).__name__)


def _with_probes(value: Any, tree: Any, probes: list[str]) -> Any:
    """`value` with each non-empty slot's text replaced by its probe, in the order `_shape` found them."""
    if tree is SLOT and type(value) is str and value:
        probe = _probe(len(probes), _kind(value))
        probes.append(probe)
        return probe
    if isinstance(value, dict):
        return {k: _with_probes(v, _below(tree, k), probes) for k, v in value.items()}
    if isinstance(value, list | tuple):
        below = _below(tree, ANY)
        return type(value)(_with_probes(v, below, probes) for v in value)
    return value


def _parts(html: Markup, probes: list[str]) -> Parts | None:
    """The rendered shape as static HTML (Markup, sliced from the macro's own output) and slot numbers;
    None unless every trace of every probe is that probe escaped once, whole."""
    escaped = {str(escape(probe)): index for index, probe in enumerate(probes)}
    parts: list[Markup | int] = []
    start = 0
    if escaped:
        for match in re.finditer("|".join(re.escape(e) for e in escaped), str(html)):
            parts.extend([html[start : match.start()], escaped[match.group()]])
            start = match.end()
    parts.append(html[start:])
    if any(isinstance(part, Markup) and _NONCE in part for part in parts):
        return None
    return tuple(part for part in parts if part != "")


def render_cached(
    template: str, params: dict[str, Any], slots: dict[Any, Any], render: Callable[[Any], Markup]
) -> Markup:
    """What `render(params)` returns, from the cache of shapes when it can be."""
    if not _on():
        return render(params)
    texts: list[str] = []
    try:
        key = (template, _shape(params, slots, texts))
    except _NoShape:
        stats["fresh"] += 1
        return render(params)
    found = _SHAPES.get(key)
    if found is None:
        stats["misses"] += 1
        probes: list[str] = []
        probed = _with_probes(params, slots, probes)
        found = (_parts(render(probed), probes),)
        if len(_SHAPES) >= MAX_SHAPES:
            _SHAPES.clear()
        _SHAPES[key] = found
    else:
        stats["hits"] += 1
    parts = found[0]
    if parts is None:
        stats["fresh"] += 1
        return render(params)
    # The static parts are the macro's own output (Markup); each text is escaped by join, as Jinja escapes.
    return Markup("").join(part if isinstance(part, Markup) else texts[part] for part in parts)


class _Cached:
    """A govuk-frontend-wtf widget whose macro is rendered from the cache of shapes."""

    template: str
    slots: dict[Any, Any] = slots_tree(ERROR_TEXT)

    def render(self, params: dict[str, Any]) -> Markup:
        return render_cached(self.template, params, self.slots, super().render)  # type: ignore[misc]


class TextInput(_Cached, GovTextInput):
    slots = slots_tree(("value",), ERROR_TEXT)


class CharacterCount(_Cached, GovCharacterCount):
    slots = slots_tree(("value",), ERROR_TEXT)


class DateInput(_Cached, GovDateInput):
    # The date macro prints each box's value and never reads the field's joined value ("31 2 2027").
    slots = slots_tree(("items", ANY, "value"), ("value",), ERROR_TEXT)


class RadioInput(_Cached, GovRadioInput):
    pass


class CheckboxesInput(_Cached, GovCheckboxesInput):
    pass


class Select(_Cached, GovSelect):
    pass


class FileInput(_Cached, GovFileInput):
    pass
