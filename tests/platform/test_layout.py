"""The tests keep the layout README describes: browser journeys import no area's helpers, each area has at most
one helpers module and it is called helpers.py."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parents[1]
SHARED = {"tests.factories", "tests.fixtures", "tests.statements", "tests.datasets", "tests.demo_data"}
NOT_AREAS = {"browser", "workflows", "definitions", "datasets", "platform"}


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name == "tests" or name.startswith("tests.")}


def test_browser_tests_import_only_their_own_helpers_and_the_shared_modules():
    strays = [
        f"{path.name}: {name}"
        for path in sorted((TESTS / "browser").glob("*.py"))
        for name in sorted(_imported(path))
        if not (name.startswith("tests.browser") or any(name == s or name.startswith(s + ".") for s in SHARED))
    ]
    assert strays == []


def test_an_areas_only_module_that_is_not_a_test_is_its_helpers_py():
    areas = [p for p in TESTS.iterdir() if p.is_dir() and p.name not in NOT_AREAS and (p / "__init__.py").exists()]
    assert areas, "no area folders found"
    others = [
        f"{area.name}/{path.name}"
        for area in areas
        for path in sorted(area.glob("*.py"))
        if not path.name.startswith("test_") and path.name not in ("__init__.py", "conftest.py", "helpers.py")
    ]
    assert others == []
