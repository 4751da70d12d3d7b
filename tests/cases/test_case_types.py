"""Every kind of case moves through one registered handler, whichever page asks.

The generic case page and the areas' own pages both call grants.workflow.apply_transition, which
runs the handler the case type registered for that transition (a lock, fields recorded with the
change). These tests walk every transition of every registered workflow through the case page and
check that the registered handler ran; and that no code outside the engine's host applies a
transition any other way.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import grants
from grants.case_types import Step
from grants.extensions import db
from grants.workflow import case_types, engine
from grants.workflow_states import states
from tests.factories import (
    ApplicationFactory,
    AssessmentFactory,
    AwardFactory,
    ContractFactory,
    PaymentFactory,
    ReturnFactory,
    RoundFactory,
    VariationFactory,
    staff_user,
)
from tests.fixtures import post_form
from workflows import TransitionRefused

FACTORIES = {
    "round": RoundFactory,
    "application": ApplicationFactory,
    "assessment": AssessmentFactory,
    "award": AwardFactory,
    "payment": PaymentFactory,
    "variation": VariationFactory,
    "return": ReturnFactory,
    "contract": ContractFactory,
}


def every_transition(app) -> list[tuple[str, str]]:
    with app.app_context():
        return sorted(
            {
                (case_type.kind, name)
                for case_type in case_types()
                for definition in engine().registry.versions(case_type.workflow)
                for name in definition.transitions
            }
        )


def test_every_registered_kind_of_case_has_a_factory_here(app):
    with app.app_context():
        assert sorted(c.kind for c in case_types()) == sorted(FACTORIES)


def test_the_payment_approval_is_wrapped_by_its_award_lock(app):
    with app.app_context():
        assert case_types().get("payment").handler("approve").__name__ == "approve"
        assert case_types().get("payment").handler("mark_paid").__name__ == "mark_paid"


def test_every_transition_posted_on_the_case_page_runs_its_registered_handler(app, client, sign_in, monkeypatch):
    ran: list[tuple[str, str, int]] = []

    def spy(kind: str, name: str):  # type: ignore[no-untyped-def]
        def handler(action):  # type: ignore[no-untyped-def]
            ran.append((kind, name, action.subject.id))
            raise TransitionRefused(["Stopped by the test's handler."])

        return handler

    registered = case_types()
    for case_type in registered:
        for definition in engine().registry.versions(case_type.workflow):
            for name in definition.transitions:
                monkeypatch.setitem(case_type.steps, name, Step(handler=spy(case_type.kind, name)))
    subjects = {kind: factory() for kind, factory in FACTORIES.items()}
    sign_in(staff_user("admin"))
    wanted = []

    for kind, name in every_transition(app):
        subject = subjects[kind]
        page = f"/cases/{kind}/{subject.id}"
        response = post_form(
            client,
            f"{page}/transitions/{name}",
            {"version_id": subject.version_id, "reason": "Checking"},
            form_page="/admin/roles",
        )
        assert response.status_code == 403, (kind, name, response.status_code)
        assert "Stopped by the test&#39;s handler." in response.get_data(as_text=True)
        wanted.append((kind, name, subject.id))

    assert ran == wanted
    assert len(ran) >= 50  # every transition of eight kinds of case, in every version


def _calls(tree: ast.AST) -> list[str]:
    """Text of every call in a module, e.g. 'engine().apply' or 'eng.apply'."""
    return [ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]


def test_no_code_applies_a_transition_except_through_the_registered_handler():
    package = Path(grants.__file__).parent
    bypasses = []
    for path in sorted(package.rglob("*.py")):
        if path.name in ("workflow.py",) and path.parent == package:
            continue  # the one place the engine's apply is called (for every handler)
        for call in _calls(ast.parse(path.read_text(encoding="utf-8"))):
            if call.endswith(".apply") and ("engine" in call or call.split(".")[0] == "eng"):
                bypasses.append(f"{path.relative_to(package.parent)}: {call}")
    assert bypasses == []


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_a_kind_of_case_without_a_step_of_its_own_just_applies(app, kind):
    with app.app_context():
        handler = case_types().get(kind).handler("no_such_transition")
        assert handler.__name__ == "just_apply"


def test_a_step_registered_twice_is_refused(app):
    with app.app_context(), pytest.raises(ValueError, match="the application step 'approve' is registered twice"):
        case_types().contribute("application", {"approve": Step()})
    db.session.rollback()


def test_states_are_asked_for_by_tag_across_every_version(app):
    with app.app_context():
        assert states("award", "fallen_away") == {"declined", "cancelled"}
        assert states("award", "ended") == {"closed", "declined", "cancelled"}
        assert states("payment", "committed") == {"approved", "paid"}
        with pytest.raises(KeyError, match="no state tag 'endded'"):
            states("award", "endded")
