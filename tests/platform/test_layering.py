"""Design rules import-linter cannot express: services never touch Flask's request."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
# Everything below the views: services, queries, case types, the engine's host, models, the demo.
# Views, forms, the permission checks and the app factory are the request's own layer.
REQUEST_LAYER = ("views", "forms", "permissions", "current", "__init__")
SERVICES = sorted(
    path
    for path in ROOT.glob("grants/**/*.py")
    if not any(
        part.startswith(REQUEST_LAYER) or Path(part).stem.endswith(("_views", "_forms"))  # e.g. plan_views.py
        for part in path.relative_to(ROOT / "grants").parts
    )
    or path.parent.name == "demo"
)
REQUEST_NAMES = {"request", "session", "Request"}


def test_services_never_import_flask_request_or_session():
    offenders = []
    for path in SERVICES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in {"flask", "flask.globals", "flask.wrappers"}:
                names = {alias.name for alias in node.names} & REQUEST_NAMES
                if names:
                    offenders.append(f"{path.relative_to(ROOT)}: {', '.join(sorted(names))}")

    assert SERVICES, "no service modules found"
    assert offenders == []


def test_every_package_but_the_command_line_is_kept_from_the_demo():
    """The import-linter contract names its modules one by one: a new area must join it."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (demo,) = [c for c in contracts["contracts"] if c.get("forbidden_modules") == ["grants.demo"]]
    kept = set(demo["source_modules"])
    modules = {
        f"grants.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "grants").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").exists()
    }
    assert sorted(modules - kept - {"grants.cli", "grants.cli_options", "grants.demo"}) == []
