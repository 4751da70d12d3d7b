"""Every state name the code or a template compares with is one that a workflow definition declares.

A typo ("aproved") or a state renamed in a definition but not in the code would otherwise fail
silently: the comparison is just never true. This reads the Python of grants/ and exports/ (any
string compared with something called `state`, passed to `state.in_(…)`, or given as `state=`)
and the templates (`state == '…'`, `state in (…)`), and checks each name against the definitions.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
CODE = [ROOT / "grants", ROOT / "exports"]
TEMPLATES = ROOT / "templates"
DEFINITIONS = ROOT / "grants" / "definitions"


def declared() -> set[str]:
    names: set[str] = set()
    for path in DEFINITIONS.glob("*.toml"):
        names |= {state["name"] for state in tomllib.loads(path.read_text(encoding="utf-8"))["states"]}
    return names


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [s for element in node.elts for s in _strings(element)]
    if isinstance(node, ast.Call) and ast.unparse(node.func) in ("frozenset", "set", "tuple"):
        return [s for arg in node.args for s in _strings(arg)]
    return []


def _is_state(node: ast.AST) -> bool:
    text = ast.unparse(node)
    return text == "state" or text.endswith(".state") or text.endswith("_state")


def python_state_names(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_state(side) for side in sides):
                found += [(node.lineno, s) for side in sides for s in _strings(side)]
        elif isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            if func.endswith("state.in_") or func.endswith("state.not_in"):
                found += [(node.lineno, s) for arg in node.args for s in _strings(arg)]
            found += [(node.lineno, s) for kw in node.keywords if kw.arg == "state" for s in _strings(kw.value)]
    return found


_TEMPLATE = re.compile(r"state\s*(?:==|!=|not in|in)\s*[\(\[]?\s*((?:'[a-z_]+'\s*,?\s*)+)")


def template_state_names(path: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for match in _TEMPLATE.finditer(line):
            found += [(number, name) for name in re.findall(r"'([a-z_]+)'", match.group(1))]
    return found


def test_the_checks_find_the_state_names_they_are_meant_to_find(tmp_path):
    code = tmp_path / "example.py"
    code.write_text(
        "if payment.state == 'aproved' or award.state in ('offered', 'x'):\n    pass\n"
        "select(Payment).where(Payment.state.in_(['held']))\nPaymentFactory(state='paid')\n"
    )
    template = tmp_path / "example.html"
    template.write_text("{% if award.state in ('accepted', 'active') %}{% endif %}{% if r.state == 'open' %}")

    assert sorted(n for _, n in python_state_names(code)) == ["aproved", "held", "offered", "paid", "x"]
    assert [n for _, n in template_state_names(template)] == ["accepted", "active", "open"]


def test_every_state_name_in_the_code_and_templates_is_declared_by_a_definition():
    known = declared()
    unknown = []
    for folder in CODE:
        for path in sorted(folder.rglob("*.py")):
            unknown += [f"{path.relative_to(ROOT)}:{n}: {s}" for n, s in python_state_names(path) if s not in known]
    for path in sorted(TEMPLATES.rglob("*.html")):
        unknown += [f"{path.relative_to(ROOT)}:{n}: {s}" for n, s in template_state_names(path) if s not in known]

    assert unknown == []
