"""Every route declares who may use it, and each role gets what it was promised."""

from __future__ import annotations

import pytest
from flask import Flask

from grants import create_app
from grants.auth.permissions import rule_for
from tests.factories import ApplicationFactory, OrganisationFactory, ProgrammeFactory, member_of, staff_user

ROLES = ["anonymous", "applicant", "assessor", "officer", "finance", "decision_maker", "admin"]
STAFF = ["assessor", "officer", "finance", "decision_maker", "admin"]
CASE_STAFF = ["officer", "finance", "decision_maker", "admin"]


def test_every_route_declares_a_permission(app: Flask):
    undeclared = [
        f"{rule.rule} ({rule.endpoint})" for rule in app.url_map.iter_rules() if rule_for(app, rule.endpoint) is None
    ]

    assert undeclared == []


def test_a_route_without_a_declared_permission_is_refused(database_url):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=database_url)
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret data")

    response = app.test_client().get("/forgotten")

    assert response.status_code == 403
    assert b"secret data" not in response.data


def _expect(allowed: list[str], *, anonymous: int = 302, other: int = 403, ok: int = 200) -> dict[str, int]:
    return {role: (ok if role in allowed else anonymous if role == "anonymous" else other) for role in ROLES}


EVERYONE = dict.fromkeys(ROLES, 200)
MATRIX: list[tuple[str, dict[str, int]]] = [
    ("/", EVERYONE),
    ("/accessibility", EVERYONE),
    ("/privacy", EVERYONE),
    ("/healthz", EVERYONE),
    ("/sign-in", EVERYONE),
    ("/password/forgot", EVERYONE),
    ("/register", {role: 200 if role == "anonymous" else 302 for role in ROLES}),
    ("/sign-out", _expect([r for r in ROLES if r != "anonymous"])),
    ("/cases/", _expect(CASE_STAFF)),
    ("/cases/application", _expect(CASE_STAFF)),
    ("/cases/application/{application}", _expect(CASE_STAFF)),
    ("/admin/", _expect(["admin"])),
    ("/admin/roles", _expect(["admin"])),
    ("/admin/workflows", _expect(["admin"])),
    ("/admin/workflows/application/1", _expect(["admin"])),
    ("/admin/emails", _expect(["admin"])),
    ("/admin/question-sets", _expect(["admin"])),
    ("/rounds", EVERYONE),
    ("/applications", _expect([r for r in ROLES if r != "anonymous"])),
    ("/organisations/", _expect([r for r in ROLES if r != "anonymous"])),
    # Award and pay.
    ("/awards/", _expect(CASE_STAFF)),
    ("/awards/offers", _expect([r for r in ROLES if r != "anonymous"])),
    ("/payments/due", _expect(["officer", "finance", "admin"])),
    ("/payments/budgets", _expect(CASE_STAFF)),
    ("/payments/variations", _expect(["officer", "decision_maker", "admin"])),
    ("/reports/", _expect(CASE_STAFF)),
    ("/finance/", _expect(["officer", "finance", "admin"])),
    ("/open-data/", EVERYONE),
    ("/admin/api-tokens", _expect(["admin"])),
]


@pytest.fixture
def people():
    programme = ProgrammeFactory()
    organisation = OrganisationFactory()
    application = ApplicationFactory(round__programme=programme, organisation=organisation)
    users = {role: staff_user(role, programme if role == "assessor" else None) for role in STAFF}
    users["applicant"] = member_of(organisation)
    return users, {"application": application.id}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_each_page_promises(app, people, sign_in, client, role):
    users, ids = people
    if role != "anonymous":
        sign_in(users[role])

    got = {}
    for path, _expected in MATRIX:
        response = client.get(path.format(**ids))
        got[path] = response.status_code

    assert got == {path: expected[role] for path, expected in MATRIX}


def test_staff_without_a_role_on_the_programme_cannot_see_its_cases(sign_in, client):
    application = ApplicationFactory()
    officer_elsewhere = staff_user("officer", ProgrammeFactory())
    sign_in(officer_elsewhere)

    response = client.get(f"/cases/application/{application.id}")

    assert response.status_code == 404


def test_an_applicant_cannot_open_staff_case_pages_even_for_their_own_application(sign_in, client):
    organisation = OrganisationFactory()
    application = ApplicationFactory(organisation=organisation)
    sign_in(member_of(organisation))

    response = client.get(f"/cases/application/{application.id}")

    assert response.status_code == 403
