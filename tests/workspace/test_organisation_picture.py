"""An organisation's whole picture for staff: details, people, applications, awards, payments, returns,
contracts, notes and messages, and history, each holding only what the person may list, the latest
20 with a link to all of them a page at a time, in the same statements whatever the number of rows."""

from __future__ import annotations

import pytest

from grants.workflow import start_case
from tests.correspondence.helpers import staff_wrote
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    AwardFactory,
    ContractFactory,
    OrganisationFactory,
    PaymentFactory,
    ProgrammeFactory,
    ReturnFactory,
    RoundFactory,
    member_of,
    staff_user,
)
from tests.fixtures import sign_in_as
from tests.statements import counting_selects


@pytest.fixture
def held():
    mscf, vru = ProgrammeFactory(code="MSCF"), ProgrammeFactory(code="VRU")
    youth = OrganisationFactory(name="Calder Valley Youth Trust", charity_number="1187654")
    member_of(youth, name="Amina Okafor", email="amina@calder.example")
    bid = ApplicationFactory(round=RoundFactory(programme=mscf), organisation=youth, state="submitted",
                             project_title="Street-based youth work", amount_requested_pence=750_000)  # fmt: skip
    award = AwardFactory(programme=mscf, organisation=youth, public_reference="MSCF-R3-0042-A", amount_pence=700_000)
    payment = PaymentFactory(award=award, instalment=2, amount_pence=350_000, state="approved")
    ret = ReturnFactory(award=award, period_label="Q2 2026-27")
    contract = ContractFactory(programme=mscf, provider=youth, public_reference="MOJ-S-031", title="Victims' hub")
    hidden = AwardFactory(programme=vru, organisation=youth, public_reference="VRU-2023-007")
    officer = staff_user("officer", mscf, email="olu@example.org", name="Olu Adeyemi")
    return locals()


def _page(client, held, path: str = "") -> str:
    sign_in_as(client, "olu@example.org", PASSWORD)
    response = client.get(f"/work/organisations/{held['youth'].id}{path}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_officer_sees_the_organisations_people_cases_payments_and_returns(client, held):
    html = _page(client, held)

    assert "Amina Okafor" in html and "amina@calder.example" in html
    assert "Street-based youth work" in html and "£7,500" in html
    assert "MSCF-R3-0042-A" in html and "£7,000" in html
    assert "MSCF-R3-0042-A-P2" in html and "£3,500" in html and "Approved" in html
    assert "MSCF-R3-0042-A-Q22026-27" in html
    assert "MOJ-S-031" in html and "Victims&#39; hub" in html
    assert "VRU-2023-007" not in html  # another programme's award


def test_the_notes_messages_and_history_of_its_cases_are_on_the_picture(client, held):
    staff_wrote(held["award"], "message", "Your grant is confirmed.")
    staff_wrote(held["hidden"], "note", "Not for MSCF eyes.")
    start_case(held["bid"], "application", held["officer"])

    html = _page(client, held)

    notes = html[html.index('id="list-notes"') : html.index('id="list-history"')]
    assert "Your grant is confirmed." in notes and "Message to Calder Valley Youth Trust" in notes
    assert "Not for MSCF eyes." not in html
    history = html[html.index('id="list-history"') :]
    assert held["bid"].reference in history and "Olu Adeyemi" in history


def test_a_long_list_shows_the_latest_20_and_links_to_all_of_them_a_page_at_a_time(app, client, held):
    PaymentFactory.create_batch(24, award=held["award"])

    html = _page(client, held)

    payments = html[html.index('id="list-payments"') : html.index('id="list-returns"')]
    assert payments.count("/cases/payment/") == 20
    link = f"/work/organisations/{held['youth'].id}/payments"
    assert f'href="{link}"' in html and "See all 25 payments" in html
    first = client.get(link).get_data(as_text=True)
    assert first.count("/cases/payment/") == min(25, app.config["PAGE_SIZE"])
    assert "Showing 1 to" in first and "of 25" in first


def test_an_unknown_list_and_another_programmes_organisation_give_a_404(client, held):
    other = AwardFactory(programme=ProgrammeFactory()).organisation
    sign_in_as(client, "olu@example.org", PASSWORD)

    assert client.get(f"/work/organisations/{held['youth'].id}/nonsense").status_code == 404
    assert client.get(f"/work/organisations/{other.id}/payments").status_code == 404
    assert client.get(f"/work/organisations/{other.id}").status_code == 404


def test_the_picture_takes_the_same_statements_whatever_the_number_of_rows(client, held):
    sign_in_as(client, "olu@example.org", PASSWORD)

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get(f"/work/organisations/{held['youth'].id}").status_code == 200
        return len(seen)

    staff_wrote(held["award"], "note", "Spoke to them about their match funding.")
    few = statements()
    for _ in range(25):
        ApplicationFactory(round=held["bid"].round, organisation=held["youth"], state="submitted")
        PaymentFactory(award=held["award"])
        ReturnFactory(award=held["award"])
        member_of(held["youth"])
        staff_wrote(held["award"], "message", "About the next return.")
    assert statements() == few
