"""`flask --app wsgi grantflow demo`: run once for the module and committed, as `make run` does; what it
printed and loaded is then read by each test, and the last runs it again on top."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from grants.auth.passwords import verify_password
from grants.auth.services import find_user
from grants.extensions import db
from grants.models import Membership, Programme, RoleGrant, Round
from tests.fixtures import allow_audit_purge

DEMO_ACCOUNTS = {
    "applicant@example.org": "applicant",
    "assessor@example.org": "assessor",
    "officer@example.org": "officer",
    "finance@example.org": "finance",
    "decision@example.org": "decision_maker",
    "admin@example.org": "admin",
}
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="module")
def demo(app):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["grantflow", "demo"])
        db.session.remove()
    assert result.exit_code == 0, result.output
    yield result
    with app.app_context():
        allow_audit_purge()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


def test_demo_prints_the_demo_accounts_and_password(demo):
    assert "grantflow-demo" in demo.output
    for email in (*DEMO_ACCOUNTS, "mayor@example.org", "payments@example.org"):
        assert email in demo.output


def test_demo_accounts_sign_in_with_the_demo_password(demo):
    for email in DEMO_ACCOUNTS:
        user = find_user(email)
        assert user is not None, email
        assert verify_password(user.password_hash, "grantflow-demo"), email


def test_demo_applicant_is_a_member_of_an_organisation_without_staff_roles(demo):
    applicant = find_user("applicant@example.org")

    assert db.session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == applicant.id))
    assert db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == applicant.id)).all() == []


def test_demo_staff_hold_their_roles_and_the_assessor_only_on_mscf(demo):
    mscf = db.session.scalar(select(Programme).where(Programme.code == "MSCF"))
    expected = {
        "assessor@example.org": {("assessor", mscf.id)},
        "officer@example.org": {("officer", None)},
        "finance@example.org": {("finance", None)},
        "decision@example.org": {("decision_maker", None)},
        "admin@example.org": {("admin", None)},
    }
    for email, grants in expected.items():
        user = find_user(email)
        held = {
            (r.role, r.programme_id) for r in db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id))
        }
        assert held == grants, email


def test_demo_creates_the_three_programmes(demo):
    codes = set(db.session.scalars(select(Programme.code)))

    assert {"MSCF", "VRU", "MOJ"} <= codes


def test_demo_round_three_caps_grants_at_eight_thousand_pounds(demo):
    round_three = db.session.scalar(select(Round).where(Round.code == "MSCF-R3"))

    assert round_three is not None
    assert round_three.max_grant_pence == 800_000


def test_demo_round_three_opens_and_closes_at_its_london_times(demo):
    round_three = db.session.scalar(select(Round).where(Round.code == "MSCF-R3"))

    # 3 October 2022 is British Summer Time (UTC+1); 4 November 2022 is GMT.
    assert round_three.opens_at.astimezone(LONDON).replace(tzinfo=None) == datetime(2022, 10, 3, 9, 0)
    assert round_three.opens_at == datetime(2022, 10, 3, 8, 0, tzinfo=UTC)
    assert round_three.closes_at.astimezone(LONDON).replace(tzinfo=None) == datetime(2022, 11, 4, 12, 0)


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables
    }


def test_running_demo_twice_creates_nothing_new(demo, runner):
    before = _row_counts()

    result = runner.invoke(args=["grantflow", "demo"])

    assert result.exit_code == 0, result.output
    assert _row_counts() == before
