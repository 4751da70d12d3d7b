"""A case list builds who-may-see-what (programmes, conflicts) and its sortable columns once per person,
grants and day, and keeps each row's HTML for the values it shows: the page is the same HTML as when they
are built afresh (FORM_CACHES=False), and a new case, a changed one, a declared conflict and a role given
or taken away show on the next page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete

from grants.extensions import db
from grants.models import CaseOfficer, Membership, RoleGrant
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    RoundFactory,
    staff_user,
)
from tests.fixtures import sign_in_as

_VOLATILE = re.compile(r'((?:nonce|data-csrf-token|data-seconds-left)=")[^"]*"|(name="csrf_token" value=")[^"]*"')


def _references(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r'href="/cases/\w+/\d+">([^<]+)</a>', response.get_data(as_text=True))


@pytest.fixture(params=[True, False], ids=["kept", "built-each-time"])
def kept(request, app, monkeypatch):
    monkeypatch.setitem(app.config, "FORM_CACHES", request.param)
    return request.param


@pytest.fixture
def held():
    mscf, vru = ProgrammeFactory(code="MSCF", name="Safer Communities"), ProgrammeFactory(code="VRU", name="VRU")
    youth = OrganisationFactory(name="Calder Valley Youth Trust")
    round_ = RoundFactory(programme=mscf, code="MSCF-R3")
    ApplicationFactory(round=round_, organisation=youth, state="submitted", public_reference="MSCF-R3-0001")
    ApplicationFactory(round=round_, state="eligible", public_reference="MSCF-R3-0002")
    ApplicationFactory(
        round=RoundFactory(programme=vru, code="VRU-R1"), state="submitted", public_reference="VRU-R1-0001"
    )
    award = AwardFactory(programme=mscf, organisation=youth, public_reference="MSCF-R3-0001-A")
    PaymentFactory(award=award, instalment=1)
    officer = staff_user("officer", mscf, email="olu@example.org", name="Olu Adebayo")
    return locals()


@pytest.mark.parametrize(
    "url",
    [
        "/cases/application",
        "/cases/application?sort=officer&dir=desc&state=submitted&state=eligible",
        "/cases/application?sort=newest",
        "/cases/application?changed-from=2020-13-01&officer=zz",
        "/cases/award?sort=amount",
        "/cases/payment?officer=me",
        "/cases/round",
    ],
)
def test_a_list_is_the_same_page_with_its_clauses_kept(app, client, held, url):
    sign_in_as(client, held["officer"].email, PASSWORD)

    def page(on: bool) -> str:
        app.config["FORM_CACHES"] = on
        response = client.get(url)
        return f"{response.status_code} " + _VOLATILE.sub(
            lambda found: (found.group(1) or found.group(2)) + 'X"', response.get_data(as_text=True)
        )

    off = page(False)
    app.extensions.pop("case_visible_clauses", None)
    app.extensions.pop("case_list_sorts", None)
    app.extensions.pop("case_list_rows", None)
    assert page(True) == off  # cold
    assert page(True) == off  # warm


def test_new_cases_a_declared_conflict_and_roles_show_on_the_next_page(client, held, kept):
    officer = held["officer"]
    sign_in_as(client, officer.email, PASSWORD)
    assert _references(client, "/cases/application") == ["MSCF-R3-0001", "MSCF-R3-0002"]

    ApplicationFactory(round=held["round_"], organisation=held["youth"], public_reference="MSCF-R3-0003")
    assert _references(client, "/cases/application") == ["MSCF-R3-0001", "MSCF-R3-0002", "MSCF-R3-0003"]

    db.session.add(Membership(user_id=officer.id, organisation_id=held["youth"].id))
    db.session.commit()  # now conflicted on the youth trust's cases
    assert _references(client, "/cases/application") == ["MSCF-R3-0002"]
    assert _references(client, "/cases/award") == []

    db.session.add(RoleGrant(user_id=officer.id, role="officer", programme_id=held["vru"].id))
    db.session.commit()
    assert _references(client, "/cases/application") == ["MSCF-R3-0002", "VRU-R1-0001"]

    db.session.execute(
        delete(RoleGrant).where(RoleGrant.user_id == officer.id, RoleGrant.programme_id == held["vru"].id)
    )
    db.session.commit()
    assert _references(client, "/cases/application") == ["MSCF-R3-0002"]


def test_a_changed_case_shows_its_new_values_on_the_next_page(client, held, kept):
    officer = held["officer"]
    sign_in_as(client, officer.email, PASSWORD)
    bid = ApplicationFactory(
        round=held["round_"], organisation=held["youth"], state="submitted", public_reference="MSCF-R3-0009",
        project_title="Street work", amount_requested_pence=100_00,
    )  # fmt: skip

    def row() -> str:
        html = client.get("/cases/application?sort=newest").get_data(as_text=True)
        start = html.index(f'id="case-{bid.id}"')
        return html[start : html.index("</tr>", start)]

    first = row()
    assert "Street work – Calder Valley Youth Trust" in first and "£100.00" in first and "Submitted" in first
    assert officer.name not in first
    bid.project_title, bid.state, bid.amount_requested_pence = "Night work", "eligible", 250_00
    held["youth"].name = "Calder Youth"
    db.session.add(CaseOfficer(case_kind="application", case_id=bid.id, officer_id=officer.id))
    db.session.commit()
    second = row()
    assert "Night work – Calder Youth" in second and "£250.00" in second and "Eligible" in second
    assert officer.name in second
