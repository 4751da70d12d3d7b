"""Search: staff find a case by its reference (a payment's and a variation's too), title or
organisation, and an organisation by name or number; a reference naming one case opens it; only what
they may list is found; odd input gets a page, never a 500; a fixed number of statements."""

from __future__ import annotations

import re

import pytest

from grants.extensions import db
from grants.models import Membership
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    ContractFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    RoundFactory,
    UserFactory,
    VariationFactory,
    member_of,
    staff_user,
)
from tests.fixtures import sign_in_as
from tests.statements import counting_selects


def _text(response) -> str:
    return response.get_data(as_text=True)


def _found(html: str) -> list[str]:
    table = html.split('id="search-results"', 1)[1] if 'id="search-results"' in html else ""
    return re.findall(r'<td class="govuk-table__cell"><a class="govuk-link" href="[^"]+">([^<]+)</a>', table)


@pytest.fixture
def held():
    mscf, vru = ProgrammeFactory(code="MSCF", name="Safer Communities"), ProgrammeFactory(code="VRU", name="VRU")
    youth = OrganisationFactory(name="Calder Valley Youth Trust", charity_number="1187654")
    other = OrganisationFactory(name="Leeds Boxing Academy", company_number="09876543")
    mscf_round = RoundFactory(programme=mscf, code="MSCF-R3")
    bid = ApplicationFactory(round=mscf_round, organisation=youth, state="submitted",
                             public_reference="MSCF-R3-0042", project_title="Street-based youth work")  # fmt: skip
    ApplicationFactory(round=mscf_round, organisation=youth, state="submitted", public_reference="MSCF-R3-0043")
    award = AwardFactory(programme=mscf, organisation=youth, public_reference="MSCF-R3-0042-A", title="Youth work")
    payment = PaymentFactory(award=award, instalment=2)
    variation = VariationFactory(award=award)
    vru_award = AwardFactory(programme=vru, organisation=other, public_reference="VRU-2023-007", title="Boxing")
    contract = ContractFactory(programme=vru, public_reference="MOJ-S-031", title="Victims' hub")
    officer = staff_user("officer", mscf, email="olu@example.org")
    return locals()


def test_a_reference_opens_its_case_and_part_of_one_lists_the_matches(client, held):
    sign_in_as(client, held["officer"].email, PASSWORD)
    exact = client.get("/search?q=mscf-r3-0042")
    assert exact.status_code == 302 and exact.headers["Location"] == f"/cases/application/{held['bid'].id}"

    page = _text(client.get("/search?q=MSCF-R3-004"))
    assert _found(page) == ["MSCF-R3-0043", "MSCF-R3-0042", "MSCF-R3-0042-A"]  # newest first, each kind in turn
    payment = client.get("/search?q=MSCF-R3-0042-A-P2")
    assert payment.headers["Location"] == f"/cases/payment/{held['payment'].id}"
    variation = client.get(f"/search?q=MSCF-R3-0042-A-V{held['variation'].number}")
    assert variation.headers["Location"] == f"/cases/variation/{held['variation'].id}"


def test_organisations_are_found_by_name_or_number_and_show_their_whole_picture(client, held):
    sign_in_as(client, held["officer"].email, PASSWORD)
    by_name = _text(client.get("/search?q=calder valley"))
    assert "Calder Valley Youth Trust" in by_name and "MSCF-R3-0042" in by_name  # its cases match too
    by_number = client.get("/search?q=1187654")
    assert by_number.status_code == 302  # one exact match: the organisation itself
    picture = _text(client.get(by_number.headers["Location"]))
    assert "<h1" in picture and "Calder Valley Youth Trust" in picture
    assert "MSCF-R3-0042" in picture and "MSCF-R3-0043" in picture and "MSCF-R3-0042-A" in picture


def test_only_what_the_person_may_list_is_found(app, client, held):
    sign_in_as(client, held["officer"].email, PASSWORD)  # an officer of MSCF only
    assert _found(_text(client.get("/search?q=VRU-2023-007&list=1"))) == []
    assert "Leeds Boxing Academy" not in _text(client.get("/search?q=Leeds Boxing"))
    assert client.get(f"/work/organisations/{held['other'].id}").status_code == 404
    assert client.get("/search?q=MOJ-S-031").status_code == 200  # no redirect to a contract they cannot see

    db.session.add(Membership(user_id=held["officer"].id, organisation_id=held["youth"].id))
    db.session.commit()  # now conflicted on the youth trust's bids
    assert "MSCF-R3-0042<" not in _text(client.get("/search?q=MSCF-R3-0042&list=1"))

    applicant = UserFactory(email="amira@example.org")
    other = app.test_client()
    sign_in_as(other, applicant.email, PASSWORD)
    assert other.get("/search?q=MSCF").status_code == 403
    assert other.get(f"/work/organisations/{held['youth'].id}").status_code == 403


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "a", "x" * 5000, "MSCF\x00R3", "%", "_", "\\", "9" * 40, "١٢٣٤٥٦٧", "-P99999999999", "' OR 1=1 --"],
)
def test_odd_searches_get_a_page_not_a_500(client, held, typed):
    sign_in_as(client, held["officer"].email, PASSWORD)
    response = client.get("/search", query_string={"q": typed})
    assert response.status_code in (200, 400), response.status_code
    if typed.strip() and len(typed.strip()) < 2:
        assert "Enter a reference, a title, or an organisation" in _text(response)
    if typed in ("%", "_"):
        assert _found(_text(response)) == []  # a wildcard is a character, not everything


def test_search_takes_the_same_statements_whatever_is_held(client, held):
    sign_in_as(client, held["officer"].email, PASSWORD)

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/search?q=Project").status_code == 200
        return len(seen)

    few = statements()
    ApplicationFactory.create_batch(30, round=held["mscf_round"], state="submitted")
    assert statements() == few


def test_a_person_at_an_organisation_is_found_by_name_or_email_and_opens_its_page(client, held):
    member_of(held["youth"], name="Amira Haddad", email="amira@calder-youth.example.org")
    member_of(held["other"], name="Amira Jones", email="amira@leeds-boxing.example.org")
    db.session.commit()
    sign_in_as(client, held["officer"].email, PASSWORD)  # an officer of MSCF only

    by_name = _text(client.get("/search?q=amira"))
    assert "Amira Haddad (amira@calder-youth.example.org)" in by_name
    assert "Person at Calder Valley Youth Trust" in by_name
    assert "Amira Jones" not in by_name  # Leeds Boxing Academy has no case they may list
    assert f'href="/work/organisations/{held["youth"].id}">Amira Haddad' in by_name

    by_email = client.get("/search?q=amira@calder-youth.example.org")
    assert by_email.status_code == 200  # a person is listed, never opened at once
    assert "Amira Haddad" in _text(by_email)
    assert _found(_text(client.get("/search?q=olu@example.org"))) == []  # staff are not people at an organisation
