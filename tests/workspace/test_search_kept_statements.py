"""Search builds its statements once per person, grants and day and binds what was typed each time: every
search finds what it finds when the statements are built afresh (FORM_CACHES=False), the results page is the
same HTML, and a new case, a declared conflict, and a role given or taken away show on the next search."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete

from grants.extensions import db
from grants.models import Membership, RoleGrant
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    CaseNoteFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    RoundFactory,
    VariationFactory,
    member_of,
    staff_user,
)
from tests.fixtures import sign_in_as

_VOLATILE = re.compile(r'((?:nonce|data-csrf-token|data-seconds-left)=")[^"]*"')


def _found(client, typed: str) -> list[str]:
    response = client.get("/search", query_string={"q": typed, "list": "1"})
    assert response.status_code in (200, 400)
    html = response.get_data(as_text=True)
    table = html.split('id="search-results"', 1)[1] if 'id="search-results"' in html else ""
    return re.findall(r'<td class="govuk-table__cell"><a class="govuk-link" href="[^"]+">([^<]+)</a>', table)


@pytest.fixture(params=[True, False], ids=["kept", "built-each-time"])
def kept(request, app, monkeypatch):
    monkeypatch.setitem(app.config, "FORM_CACHES", request.param)
    return request.param


@pytest.fixture
def held():
    mscf, vru = ProgrammeFactory(code="MSCF", name="Safer Communities"), ProgrammeFactory(code="VRU", name="VRU")
    youth = OrganisationFactory(name="Calder Valley Youth Trust", charity_number="1187654")
    boxing = OrganisationFactory(name="Leeds Boxing Academy", company_number="09876543")
    round_ = RoundFactory(programme=mscf, code="MSCF-R3")
    bid = ApplicationFactory(round=round_, organisation=youth, state="submitted", public_reference="MSCF-R3-0042",
                       project_title="Street-based youth work")  # fmt: skip
    ApplicationFactory(round=round_, organisation=boxing, state="submitted", public_reference="MSCF-R3-0043",
                       project_title="Boxing after school")  # fmt: skip
    award = AwardFactory(programme=mscf, organisation=youth, public_reference="MSCF-R3-0042-A", title="Youth work")
    PaymentFactory(award=award, instalment=2)
    VariationFactory(award=award)
    AwardFactory(programme=vru, organisation=boxing, public_reference="VRU-2023-007", title="Boxing")
    officer = staff_user("officer", mscf, email="olu@example.org")
    member_of(youth, email="kai@example.org", name="Kai Youthworker")
    return locals()


def test_each_search_binds_what_was_typed(client, held, kept):
    sign_in_as(client, held["officer"].email, PASSWORD)
    assert _found(client, "Street-based") == ["MSCF-R3-0042"]
    assert _found(client, "after school") == ["MSCF-R3-0043"]
    # a charity or company number: its organisation first (the exact match), and the cases it has here
    assert _found(client, "1187654") == ["1187654", "MSCF-R3-0042", "MSCF-R3-0042-A"]
    assert _found(client, "09876543") == ["09876543", "MSCF-R3-0043"]
    assert _found(client, "MSCF-R3-0042-A-P2")[0] == "MSCF-R3-0042-A-P2"
    assert _found(client, "MSCF-R3-0042-A-P3") == []
    assert _found(client, "MSCF-R3-0042-A-V1")[0] == "MSCF-R3-0042-A-V1"
    assert _found(client, "Kai Youth") == ["Kai Youthworker (kai@example.org)"]
    assert _found(client, "%") == []


def test_the_results_page_is_the_same_with_the_statements_kept(app, client, held):
    sign_in_as(client, held["officer"].email, PASSWORD)
    CaseNoteFactory(case_kind="application", case_id=held["bid"].id, body="Street visit booked")
    for typed in ("Street", "MSCF", "1187654", "MSCF-R3-0042-A-P2", "kai@example", "Boxing", "zzz", "a"):

        def page(on: bool, typed: str = typed) -> str:
            app.config["FORM_CACHES"] = on
            response = client.get("/search", query_string={"q": typed, "list": "1"})
            return _VOLATILE.sub(r'\1X"', response.get_data(as_text=True))

        off = page(False)
        app.extensions.pop("search_statements", None)
        app.extensions.pop("case_visible_clauses", None)
        assert page(True) == off  # cold
        assert page(True) == off  # warm


def test_new_cases_a_declared_conflict_and_roles_show_on_the_next_search(client, held, kept):
    officer = held["officer"]
    sign_in_as(client, officer.email, PASSWORD)
    assert _found(client, "VRU-2023-007") == []
    assert _found(client, "Youth club") == []

    ApplicationFactory(round=held["round_"], organisation=held["youth"], state="submitted",
                       public_reference="MSCF-R3-0050", project_title="Youth club")  # fmt: skip
    assert _found(client, "Youth club") == ["MSCF-R3-0050"]

    db.session.add(Membership(user_id=officer.id, organisation_id=held["youth"].id))
    db.session.commit()  # now conflicted on the youth trust's cases
    assert _found(client, "Youth club") == []
    assert "MSCF-R3-0043" in _found(client, "MSCF-R3")

    db.session.add(RoleGrant(user_id=officer.id, role="officer", programme_id=held["vru"].id))
    db.session.commit()
    assert _found(client, "VRU-2023-007") == ["VRU-2023-007"]

    db.session.execute(
        delete(RoleGrant).where(RoleGrant.user_id == officer.id, RoleGrant.programme_id == held["vru"].id)
    )
    db.session.commit()
    assert _found(client, "VRU-2023-007") == []
