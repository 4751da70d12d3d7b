"""Staff who belong to an organisation never see its grant, payments, returns or contract as staff.

The bids' side is tried in tests/decisions/test_conflicts_of_interest.py. Here the money and the
monitoring: an officer (or finance user) who is also a member of Hope Works opens every staff list
and page for its award, instalment, return and contract; the same things of Bright Futures are
the control that the pages do list and open.
"""

from __future__ import annotations

import pytest

from grants.extensions import db
from grants.models import Programme
from tests.decisions.test_panel import signed_in, text
from tests.factories import (
    AwardFactory,
    ContractFactory,
    MembershipFactory,
    OrganisationFactory,
    PaymentFactory,
    ReturnFactory,
    staff_user,
)


@pytest.fixture
def cases():
    programme = db.session.query(Programme).filter_by(code="CFX").one_or_none() or Programme(
        code="CFX", name="Conflict Fund", kind="commissioning"
    )
    db.session.add(programme)
    db.session.commit()
    made = {}
    for key, name in (("hope", "Hope Works CIC"), ("bright", "Bright Futures Trust")):
        organisation = OrganisationFactory(name=name)
        award = AwardFactory(programme=programme, organisation=organisation, public_reference=f"CFX-{key.upper()}-A")
        made[key] = {
            "organisation": organisation,
            "award": award,
            "payment": PaymentFactory(award=award, state="approved"),
            "return": ReturnFactory(award=award, state="submitted"),
            "contract": ContractFactory(
                programme=programme, provider=organisation, public_reference=f"CFX-{key.upper()}-C", state="delivering"
            ),
        }
    db.session.commit()
    return programme, made


@pytest.fixture(params=["officer", "finance"])
def member(request, cases):
    programme, made = cases
    user = staff_user(request.param, programme, name="Connie Member")
    MembershipFactory(user=user, organisation=made["hope"]["organisation"])
    db.session.commit()
    return user


def test_lists_leave_out_the_organisation_the_user_belongs_to(app, cases, member):
    _programme, made = cases
    client = signed_in(app, member)
    lists = ["/cases/award", "/cases/payment", "/cases/return", "/cases/contract", "/payments/due", "/awards/"]
    if "finance" not in {g.role for g in member.role_grants}:
        lists += ["/monitoring", "/commissioning/contracts", "/commissioning/contracts.csv"]
    for url in lists:
        response = client.get(url)
        assert response.status_code == 200, url
        page = text(response)
        assert "CFX-BRIGHT" in page or "Bright Futures Trust" in page, url
        assert "CFX-HOPE" not in page and "Hope Works CIC" not in page, url


def test_the_organisations_own_cases_are_not_found(app, cases, member):
    _programme, made = cases
    client = signed_in(app, member)
    for kind, key in (("award", "award"), ("payment", "payment"), ("return", "return")):
        assert client.get(f"/cases/{kind}/{made['hope'][key].id}").status_code == 404, kind
        assert client.get(f"/cases/{kind}/{made['bright'][key].id}").status_code == 200, kind
    assert client.get(f"/payments/{made['hope']['payment'].id}").status_code == 404
    assert client.get(f"/payments/{made['bright']['payment'].id}").status_code == 200


def test_finance_never_pays_their_own_organisation(app, cases):
    programme, made = cases
    payer = staff_user("finance", programme, name="Pat Payer")
    MembershipFactory(user=payer, organisation=made["hope"]["organisation"])
    db.session.commit()
    page = text(signed_in(app, payer).get("/payments/runs/new"))
    assert "CFX-BRIGHT-A" in page
    assert "CFX-HOPE-A" not in page
