"""Applicants and assessors reach none of the payments pages; staff of another programme find nothing."""

from __future__ import annotations

import pytest

from grants.extensions import db
from grants.models import Payment, RoleGrant
from tests.factories import PaymentFactory, ProgrammeFactory, VariationFactory, ensure_terms, member_of, staff_user
from tests.fixtures import csrf_token
from tests.payments.helpers import award, people


@pytest.fixture
def money():
    ensure_terms({("budget_stream", "community_safety"): "Community Safety"})
    team = people()
    grant = award(team.programme, state="active")
    payment = PaymentFactory(award=grant, state="approved")
    variation = VariationFactory(award=grant)
    return team, grant, payment, variation


def _routes(grant, payment: Payment, variation) -> list[tuple[str, str]]:
    a, p, v = grant.id, payment.id, variation.id
    return [
        ("GET", f"/payments/awards/{a}/schedule"),
        ("POST", f"/payments/awards/{a}/schedule"),
        ("GET", "/payments/due"),
        ("GET", f"/payments/{p}"),
        ("POST", f"/payments/{p}/approve"),
        ("POST", f"/payments/{p}/paid"),
        ("POST", f"/payments/{p}/hold"),
        ("POST", f"/payments/{p}/release"),
        ("POST", f"/payments/{p}/cancel"),
        ("GET", "/payments/budgets"),
        ("GET", "/payments/budgets/community_safety/2023"),
        ("POST", "/payments/budgets/community_safety/2023"),
        ("GET", f"/payments/awards/{a}/variations/new"),
        ("POST", f"/payments/awards/{a}/variations/new"),
        ("GET", "/payments/variations"),
        ("GET", f"/payments/variations/{v}"),
        ("POST", f"/payments/variations/{v}/approve"),
        ("POST", f"/payments/variations/{v}/withdraw"),
        ("GET", f"/payments/awards/{a}/recoveries/new"),
        ("POST", f"/payments/awards/{a}/recoveries/new"),
        ("GET", f"/payments/awards/{a}/close"),
        ("POST", f"/payments/awards/{a}/close"),
    ]


def _visit(client, method: str, path: str, token: str) -> int:
    if method == "GET":
        return client.get(path).status_code
    data = {"csrf_token": token, "version_id": "1", "reason": "x", "amount": "1", "final_spend": "1"}
    return client.post(path, data=data).status_code


@pytest.mark.parametrize("who", ["applicant of the grantee", "assessor on the programme"])
def test_applicants_and_assessors_are_refused_every_payments_page(money, client, sign_in, who):
    team, grant, payment, variation = money
    person = member_of(grant.organisation) if who.startswith("applicant") else staff_user("assessor", team.programme)
    sign_in(person)
    token = csrf_token(client, "/sign-out")

    got = {
        f"{method} {path}": _visit(client, method, path, token) for method, path in _routes(grant, payment, variation)
    }

    assert got == dict.fromkeys(got, 403)
    assert payment.state == "approved"


def test_staff_of_another_programme_find_no_award_instalment_or_variation(money, client, sign_in):
    _team, grant, payment, variation = money
    elsewhere = ProgrammeFactory()
    person = staff_user("officer", elsewhere)
    for role in ("finance", "decision_maker"):
        db.session.add(RoleGrant(user_id=person.id, role=role, programme_id=elsewhere.id))
    db.session.commit()
    sign_in(person)
    token = csrf_token(client, "/sign-out")

    per_award = [
        (method, path)
        for method, path in _routes(grant, payment, variation)
        if "/awards/" in path or path.split("/")[2].isdigit() or "/variations/" in path
    ]
    got = {f"{method} {path}": _visit(client, method, path, token) for method, path in per_award}

    assert got == dict.fromkeys(got, 404)
    assert payment.reference not in client.get("/payments/due").get_data(as_text=True)
    assert variation.reference not in client.get("/payments/variations").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(money, client):
    _team, grant, payment, variation = money

    response = client.get(f"/payments/awards/{grant.id}/schedule")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
