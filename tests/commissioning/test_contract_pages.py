"""An officer runs a contract from need to delivery by clicking through its pages; decision makers approve."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import AuditEvent, Contract
from tests.commissioning.helpers import need_recorded, provider
from tests.factories import ProgrammeFactory, ensure_terms, member_of, staff_user
from tests.fixtures import post_form

pytestmark = pytest.mark.usefixtures("db_session")


@pytest.fixture
def vru():
    ensure_terms(
        {("budget_stream", "violence_reduction_unit"): "Violence Reduction Unit", ("district", "leeds"): "Leeds"}
    )
    return ProgrammeFactory(code="VRU", name="Violence Reduction Unit", kind="commissioning")


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_officer_records_a_need_and_the_contract_page_shows_it(client, sign_in, vru):
    sign_in(staff_user("officer", vru))

    response = post_form(
        client,
        "/commissioning/contracts/new",
        {
            "programme_id": str(vru.id),
            "title": "Custody diversion",
            "need_summary": "Youth workers in custody suites",
            "need_reason": "Young people arrested for violence go home with no support",
            "need_evidence": "VRU needs assessment 2025",
            "budget_stream": "violence_reduction_unit",
            "estimated_value_pence": "£95,000.50",
        },
    )

    assert response.status_code == 302
    contract = db.session.scalars(select(Contract).where(Contract.title == "Custody diversion")).one()
    assert re.fullmatch(r"VRU-\d{4}-001", contract.public_reference)
    assert (contract.state, contract.estimated_value_pence) == ("need_identified", 9_500_050)
    shown = text_of(page(client, response.headers["Location"]))
    assert "Young people arrested for violence go home with no support" in shown
    assert "£95,000.50" in shown and "Need identified" in shown


def test_a_need_with_bad_figures_is_refused_keeping_what_was_typed(client, sign_in, vru):
    sign_in(staff_user("officer", vru))

    response = post_form(
        client,
        "/commissioning/contracts/new",
        {"programme_id": str(vru.id), "title": "   ", "need_summary": "x\x00", "estimated_value_pence": "lots"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a title for the contract" in html
    assert "Estimated value must be an amount in pounds, like 95,000 or 95000.50" in html
    assert 'value="lots"' in html
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 0


def test_a_direct_award_needs_its_justification_and_shows_it_on_the_record(client, sign_in, vru):
    contract = need_recorded(programme=vru)
    sign_in(staff_user("officer", vru))
    url = f"/commissioning/contracts/{contract.public_reference}"

    refused = post_form(
        client, f"{url}/route", {"route": "direct_award", "version_id": contract.version_id}, form_page=url
    )
    assert "Write why a direct award is justified" in refused.get_data(as_text=True)

    post_form(
        client,
        f"{url}/route",
        {
            "route": "direct_award",
            "justification": "Only provider with access to all five custody suites",
            "exception": "CSO 4.3(b): only one provider can deliver the service",
            "version_id": contract.version_id,
        },
        form_page=url,
    )

    shown = text_of(page(client, url))
    assert "Route: direct award" in shown
    assert "Only provider with access to all five custody suites" in shown
    assert "CSO 4.3(b): only one provider can deliver the service" in shown


def test_above_100000_pounds_two_different_decision_makers_award_the_contract(client, sign_in, vru):
    contract = need_recorded(programme=vru, state="procurement", amount_pence=25_000_000)
    contract.provider = provider(name="Second Chance Youth Trust")
    contract.cso_reference = "CSO-2026-004"
    first, second = staff_user("decision_maker", vru), staff_user("decision_maker", vru)
    url = f"/commissioning/contracts/{contract.public_reference}"

    sign_in(first)
    post_form(client, f"{url}/steps/approve_contract", {"version_id": contract.version_id}, form_page=url)
    again = post_form(client, f"{url}/steps/second_approve", {"version_id": contract.version_id + 1}, form_page=url)
    assert "a second, different decision maker must approve it" in again.get_data(as_text=True)

    client.post("/sign-out", data={})
    sign_in(second)
    post_form(client, f"{url}/steps/second_approve", {"version_id": contract.version_id}, form_page=url)

    shown = text_of(page(client, url))
    assert "Contract awarded" in shown
    assert f"Approved by {first.name}" in shown and f"Second approval {second.name}" in shown


def test_a_stale_page_changes_nothing_and_says_someone_else_changed_it(client, sign_in, vru):
    contract = need_recorded(programme=vru)
    sign_in(staff_user("officer", vru))
    url = f"/commissioning/contracts/{contract.public_reference}"
    stale = contract.version_id - 1 if contract.version_id > 1 else contract.version_id + 5

    response = post_form(
        client, f"{url}/details/need", {"need_summary": "Changed", "version_id": stale}, form_page=f"{url}/details/need"
    )

    assert response.status_code == 409
    assert "Someone else changed this contract while you were editing" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contract, contract.id).need_summary == "Youth workers in emergency departments"


def test_terms_ending_before_they_start_name_both_dates(client, sign_in, vru):
    contract = need_recorded(programme=vru, state="procurement")
    sign_in(staff_user("officer", vru))
    url = f"/commissioning/contracts/{contract.public_reference}/details/terms"

    response = post_form(
        client,
        url,
        {
            "amount_pence": "90000",
            "starts_on-day": "1",
            "starts_on-month": "April",
            "starts_on-year": "2026",
            "end_date-day": "31",
            "end_date-month": "3",
            "end_date-year": "2026",
            "cso_reference": "CSO-1",
            "version_id": contract.version_id,
        },
    )

    assert "The contract cannot end (31 March 2026) before it starts (1 April 2026)" in response.get_data(as_text=True)


def test_the_contract_page_is_not_found_for_other_programmes_and_providers(client, sign_in, vru):
    contract = need_recorded(programme=vru, provider=provider())
    other = ProgrammeFactory(code="MOJ", kind="sub_grant")
    url = f"/commissioning/contracts/{contract.public_reference}"

    sign_in(staff_user("officer", other))
    assert client.get(url).status_code == 404
    client.post("/sign-out", data={})
    sign_in(member_of(contract.provider))
    assert client.get(url).status_code in (403, 404)


def test_each_step_is_in_the_contract_history_with_who_and_why(client, sign_in, vru):
    contract = need_recorded(programme=vru)
    officer = staff_user("officer", vru)
    sign_in(officer)
    url = f"/commissioning/contracts/{contract.public_reference}"

    post_form(client, f"{url}/route", {"route": "competed", "version_id": contract.version_id}, form_page=url)
    post_form(
        client,
        f"{url}/steps/abandon",
        {"reason": "Funding withdrawn", "version_id": contract.version_id},
        form_page=url,
    )

    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "contract", AuditEvent.subject_id == contract.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(r.from_state, r.to_state) for r in rows if r.from_state] == [
        ("need_identified", "route_competed"),
        ("route_competed", "abandoned"),
    ]
    assert "Funding withdrawn" in text_of(page(client, url))
