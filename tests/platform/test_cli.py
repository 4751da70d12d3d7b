"""`flask --app wsgi grantflow ...` commands."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select

from grants import create_app
from grants.auth.services import find_user
from grants.extensions import db
from grants.models import RoleGrant
from tests.factories import RoundFactory
from tests.fixtures import sign_in_as

WORKFLOWS = {"round", "application", "award", "payment", "monitoring_return", "contract", "assessment", "variation"}


class Browser(FlaskClient):
    """A browser; each request starts with an empty `flask.g`, as in production."""

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def definitions(app, tmp_path) -> Path:
    """A copy of the real workflow definitions, to break."""
    for source in Path(app.config["WORKFLOW_DEFINITIONS_DIR"]).glob("*.toml"):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path


def break_definition(folder: Path, filename: str, old: str, new: str) -> None:
    path = folder / filename
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BROKEN = [
    pytest.param(
        "payment.v1.toml",
        'to = "approved"',
        'to = "nowhere"',
        "transition 'approve' goes to unknown state 'nowhere'",
        id="unknown state",
    ),
    pytest.param(
        "payment.v1.toml",
        'roles = ["finance"]',
        'roles = ["wizard"]',
        "transition 'approve' names unknown role 'wizard'",
        id="unknown role",
    ),
    pytest.param(
        "payment.v2.toml",
        'conditions = ["award_accepted", "within_unpaid_balance", "return_accepted", "bank_details_ready"]',
        'conditions = ["award_accepted", "moon_is_full", "return_accepted", "bank_details_ready"]',
        "transition 'approve' names unknown condition 'moon_is_full'",
        id="unregistered guard",
    ),
    pytest.param(
        "payment.v2.toml",
        'effects = ["record_payment_time"]',
        'effects = ["send_fax"]',
        "transition 'mark_paid' names unknown effect 'send_fax'",
        id="unregistered effect",
    ),
    pytest.param(
        "award.v2.toml",
        'tags = ["awaiting_grantee", "published"]',
        'tags = ["awaiting_godot", "published"]',
        "state 'offered' names unknown tag 'awaiting_godot'",
        id="unregistered tag",
    ),
    pytest.param(
        "variation.v1.toml",
        'name = "variation"',
        'name = "renovation"',
        "no case type runs the workflow 'renovation'",
        id="workflow no case type runs",
    ),
]


# workflows check / diagram


def test_workflows_check_passes_and_lists_every_workflow(runner):
    result = runner.invoke(args=["grantflow", "workflows", "check"])

    assert result.exit_code == 0, result.output
    for name in WORKFLOWS:
        assert f" {name} v1 " in result.output


def test_workflows_check_in_json_ends_with_one_object_saying_ok(runner):
    result = runner.invoke(args=["grantflow", "workflows", "check", "--format", "json"])

    assert result.exit_code == 0, result.output
    report = last_json(result.output)
    assert report["ok"] is True
    assert report["problems"] == []
    assert {d["name"] for d in report["definitions"]} == WORKFLOWS


@pytest.mark.parametrize(("filename", "old", "new", "problem"), BROKEN)
def test_workflows_check_names_the_broken_file_and_its_problem(runner, definitions, filename, old, new, problem):
    break_definition(definitions, filename, old, new)

    result = runner.invoke(args=["grantflow", "workflows", "check", "--folder", str(definitions)])

    assert result.exit_code == 1
    assert f"{filename}: {problem}" in result.output


@pytest.mark.parametrize(("filename", "old", "new", "problem"), BROKEN)
def test_workflows_check_in_json_lists_the_problem_and_is_not_ok(runner, definitions, filename, old, new, problem):
    break_definition(definitions, filename, old, new)

    result = runner.invoke(args=["grantflow", "workflows", "check", "--folder", str(definitions), "--format", "json"])

    assert result.exit_code == 1
    report = last_json(result.output)
    assert report["ok"] is False
    assert f"{filename}: {problem}" in report["problems"]


def test_workflows_diagram_prints_mermaid(runner):
    result = runner.invoke(args=["grantflow", "workflows", "diagram", "application"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("stateDiagram-v2\n")
    assert "[*] --> draft" in result.output


def test_workflows_diagram_of_an_unknown_workflow_is_refused(runner):
    result = runner.invoke(args=["grantflow", "workflows", "diagram", "nope"])

    assert result.exit_code != 0
    assert "nope" in result.output


def test_demo_is_refused_in_production(monkeypatch, tmp_path):
    monkeypatch.setenv("GRANTFLOW_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-for-this-test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.db'}")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/15")
    production = create_app()

    with production.app_context():
        result = production.test_cli_runner().invoke(args=["grantflow", "demo"])

    assert result.exit_code != 0
    assert "refused in production" in result.output
    assert find_user("admin@example.org") is None


# reminders


def test_reminders_run_in_json_reports_what_fired_and_the_total(runner):
    overdue = RoundFactory(state="open", closes_at=datetime.now(UTC) - timedelta(minutes=5))

    result = runner.invoke(args=["grantflow", "reminders", "run", "--format", "json"])

    assert result.exit_code == 0, result.output
    report = last_json(result.output)
    assert {key: report[key] for key in ("fired", "total", "offer_reminders", "queued", "failed")} == {
        "fired": {"round": 1},
        "total": 1,
        "offer_reminders": 0,
        "queued": 0,
        "failed": 0,
    }
    db.session.refresh(overdue)
    assert overdue.state == "closed"


def test_reminders_run_with_nothing_due_reports_a_total_of_nought(runner):
    RoundFactory(state="open", closes_at=datetime.now(UTC) + timedelta(days=3))

    result = runner.invoke(args=["grantflow", "reminders", "run", "--format", "json"])

    assert result.exit_code == 0, result.output
    report = last_json(result.output)
    assert (report["fired"], report["total"], report["offer_reminders"], report["queued"]) == ({}, 0, 0, 0)


# users create


def create_officer(runner):
    return runner.invoke(
        args=[
            "grantflow",
            "users",
            "create",
            "new.officer@example.org",
            "--name",
            "New Officer",
            "--role",
            "officer",
            "--password",
            "a-long-enough-password",
        ]
    )


def test_users_create_makes_an_account_that_can_sign_in(app, runner):
    result = create_officer(runner)

    assert result.exit_code == 0, result.output
    browser = Browser(app, app.response_class, use_cookies=True)
    signed_in = sign_in_as(browser, "new.officer@example.org", "a-long-enough-password")
    assert signed_in.status_code == 302
    assert browser.get("/cases/").status_code == 200  # an officer: two-factor sign-in set up on the way


def test_users_create_grants_the_role_on_every_programme(runner):
    create_officer(runner)

    user = find_user("new.officer@example.org")
    held = {(r.role, r.programme_id) for r in db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id))}
    assert held == {("officer", None)}


def test_users_create_refuses_an_unknown_role(runner):
    result = runner.invoke(
        args=[
            "grantflow",
            "users",
            "create",
            "someone@example.org",
            "--name",
            "Someone",
            "--role",
            "wizard",
            "--password",
            "a-long-enough-password",
        ]
    )

    assert result.exit_code != 0
    assert "unknown role(s): wizard" in result.output
    assert find_user("someone@example.org") is None
