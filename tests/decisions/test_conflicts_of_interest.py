"""A conflict of interest hides a bid from a member of staff everywhere, and stops them acting on it.

Two kinds of conflict: an officer (or decision maker, or any staff role) who is a member of the
applicant organisation, and a member of staff who declared a conflict on the bid as its assessor.
The outside test found both could read the bid's row in the generic case lists, and that an
officer who belonged to the organisation could screen and decide its bid. Every page and list is
tried with a second bid of the same round as the control: it stays visible, so the absence of the
conflicted one means something.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from grants.api.tokens import issue_token
from grants.assessment.assigning import choices_for
from grants.extensions import db
from grants.models import Assessment, RoleGrant
from tests.decisions.test_panel import bid, criterion, decide, signed_in, text
from tests.factories import MembershipFactory, OrganisationFactory, RoundFactory, staff_user


@pytest.fixture
def round_():
    return RoundFactory(code="MSCF-R8", title="Safer Communities Round 8", state="closed", budget_pence=2_000_000)


@pytest.fixture
def criteria(round_):
    return [criterion(round_, "Need", "1"), criterion(round_, "Delivery", "1")]


@pytest.fixture
def scorers(round_):
    return [staff_user("assessor", round_.programme, name=f"Scorer {n}") for n in (1, 2)]


@pytest.fixture
def bids(round_, criteria, scorers):
    """Hope Works' bid (the conflicted one) and Bright Futures' (the control), both recommended."""
    hope = OrganisationFactory(name="Hope Works CIC")
    bright = OrganisationFactory(name="Bright Futures Trust")
    conflicted = bid(round_, criteria, scorers, [[5, 5], [4, 4]], state="recommended", organisation=hope)
    control = bid(round_, criteria, scorers, [[3, 3], [3, 4]], state="recommended", organisation=bright)
    conflicted.project_title, control.project_title = "Hope after dark", "Bright mornings"
    db.session.commit()
    return conflicted, control


def _member_officer(round_, conflicted, role: str = "officer"):
    user = staff_user(role, round_.programme, name="Connie Member")
    MembershipFactory(user=user, organisation=conflicted.organisation)
    db.session.commit()
    return user


def _declared(round_, conflicted):
    """An officer who was also an assessor on the round and declared a conflict on the bid."""
    user = staff_user("officer", round_.programme, name="Dee Clared")
    db.session.add(RoleGrant(user_id=user.id, role="assessor", programme_id=round_.programme_id))
    db.session.add(
        Assessment(
            application_id=conflicted.id,
            assessor_id=user.id,
            workflow="assessment",
            workflow_version=1,
            state="conflicted",
            state_changed_at=datetime.now(UTC),
            conflict_details="My sister chairs its board",
        )
    )
    db.session.commit()
    return user


@pytest.fixture(params=["member", "declared"])
def conflicted_officer(request, round_, bids):
    conflicted, _control = bids
    return _member_officer(round_, conflicted) if request.param == "member" else _declared(round_, conflicted)


def test_the_bid_is_in_no_list_the_officer_opens(app, round_, bids, conflicted_officer):
    conflicted, control = bids
    client = signed_in(app, conflicted_officer)
    pages = {
        "generic list": "/cases/application",
        "officers' list": f"/officer/rounds/{round_.code}/applications",
        "officers' CSV": f"/officer/rounds/{round_.code}/applications.csv",
        "moderation board": f"/panel/rounds/{round_.code}/moderation",
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = text(response)
        assert control.public_reference in page, name
        assert conflicted.public_reference not in page and "Hope Works CIC" not in page, name


def test_the_ranking_keeps_the_bids_place_and_money_but_withholds_who_and_what(app, round_, bids, conflicted_officer):
    conflicted, control = bids
    page = text(signed_in(app, conflicted_officer).get(f"/panel/rounds/{round_.code}/ranking"))
    assert "Withheld: you have a conflict of interest with this bid" in page
    assert conflicted.public_reference not in page and "Hope Works CIC" not in page and "Hope after dark" not in page
    assert f"/panel/applications/{conflicted.id}/" not in page
    assert control.public_reference in page and "Bright Futures Trust" in page
    assert "£8,000.00" in page  # the running total still counts both bids (£4,000 each)


def test_the_panel_pack_withholds_the_bid_and_its_scores(app, round_, bids, conflicted_officer):
    conflicted, control = bids
    response = signed_in(app, conflicted_officer).get(f"/panel/rounds/{round_.code}/panel-pack.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    cells = {str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.value}
    assert control.public_reference in cells and "Bright Futures Trust" in cells
    assert conflicted.public_reference not in cells and "Hope Works CIC" not in cells
    assert not any("Hope after dark" in value for value in cells)


def test_the_bids_own_pages_are_not_found(app, round_, bids, conflicted_officer):
    conflicted, control = bids
    client = signed_in(app, conflicted_officer)
    for template in (
        "/cases/application/{id}",
        "/assessing/applications/{id}/screening",
        "/panel/applications/{id}/moderate",
        "/panel/applications/{id}/recommendation",
    ):
        assert client.get(template.format(id=conflicted.id)).status_code == 404, template
        assert client.get(template.format(id=control.id)).status_code != 404, template


def test_an_officer_who_belongs_to_the_organisation_cannot_move_its_bid(app, round_, bids):
    conflicted, _control = bids
    officer = _member_officer(round_, conflicted)
    client = signed_in(app, officer)
    response = client.post(
        f"/cases/application/{conflicted.id}/transitions/mark_reserve", data={}, follow_redirects=False
    )
    assert response.status_code in (400, 404)
    db.session.refresh(conflicted)
    assert conflicted.state == "recommended"


def test_a_decision_maker_who_belongs_to_the_organisation_does_not_decide_its_bid(app, round_, bids):
    conflicted, control = bids
    decision_maker = _member_officer(round_, conflicted, role="decision_maker")
    client = signed_in(app, decision_maker)
    page = text(client.get(f"/panel/rounds/{round_.code}/decision"))
    assert "1 bid is not shown: you have a conflict of interest with it." in page
    assert conflicted.public_reference not in page and control.public_reference in page

    decide(
        client, round_, {"application_ids": [str(conflicted.id)], "action": "approve", "reason": "", "conditions": ""}
    )
    db.session.refresh(conflicted)
    assert conflicted.state == "recommended"  # a forged choice is not acted on


def test_a_member_of_the_organisation_is_never_offered_as_its_assessor(round_, bids):
    conflicted, control = bids
    member = staff_user("assessor", round_.programme, name="Ada Member")
    MembershipFactory(user=member, organisation=conflicted.organisation)
    db.session.commit()
    offered = choices_for(round_, [conflicted.id, control.id])
    assert member.id not in {a.id for a in offered[conflicted.id]}
    assert member.id in {a.id for a in offered[control.id]}


def test_an_api_token_of_a_member_does_not_list_the_bid(app, round_, bids, client):
    conflicted, control = bids
    officer = _member_officer(round_, conflicted)
    issued = issue_token(user=officer, role="officer", programme=None, name="feed", days=30, issued_by=None)
    listing = client.get("/api/v1/applications", headers={"Authorization": f"Bearer {issued.secret}"}).get_json()
    references = {item["reference"] for item in listing["items"]}
    assert control.public_reference in references and conflicted.public_reference not in references


def test_an_assessor_grant_does_not_open_the_generic_lists_of_its_programme(app, round_, bids):
    """An officer elsewhere who assesses on this round lists no case of it: assessors see their own bids only."""
    conflicted, control = bids
    elsewhere = RoundFactory(code="VRU-X1")
    user = staff_user("officer", elsewhere.programme, name="Otto Elsewhere")
    db.session.add(RoleGrant(user_id=user.id, role="assessor", programme_id=round_.programme_id))
    db.session.commit()
    page = text(signed_in(app, user).get("/cases/application"))
    assert control.public_reference not in page and conflicted.public_reference not in page
