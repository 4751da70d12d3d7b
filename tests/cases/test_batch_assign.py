"""An officer gives the bids they select on the applications list to assessors, through the round's own
bulk assignment: choose the assessors, check, assign."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grants.extensions import db
from grants.models import Assessment
from tests.factories import ApplicationFactory, AwardFactory, RoundFactory, staff_user
from tests.fixtures import csrf_token


@pytest.fixture
def officer(sign_in):
    user = staff_user("officer", name="Priya Sharma")
    sign_in(user)
    return user


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client, "/sign-out"), **data})


def _assessments(application) -> int:
    return db.session.scalar(select(func.count()).where(Assessment.application_id == application.id))


def test_an_officer_chooses_assessors_for_the_selected_bids_and_sees_which_cannot_have_them(client, officer):
    round_ = RoundFactory()
    eligible = ApplicationFactory(round=round_, state="eligible")
    submitted = ApplicationFactory(round=round_, state="submitted")
    staff_user("assessor", round_.programme, name="Ama Owusu")

    listing = client.get("/cases/application").get_data(as_text=True)
    response = _post(client, "/cases/application/batch", {"action": "assign", "case": [eligible.id, submitted.id]})
    html = response.get_data(as_text=True)

    assert '<option value="assign">Assign assessors</option>' in listing
    assert response.status_code == 200
    assert "Assign assessors to 1 bid" in html
    assert "1 of the selected bids can be given assessors. 1 cannot." in html
    assert "Only eligible bids, or bids in assessment, are given assessors: this one is submitted." in html
    assert "Ama Owusu" in html
    assert _assessments(eligible) == 0


def test_assigning_gives_assessors_to_the_selected_bids_only_after_a_check(client, officer):
    round_ = RoundFactory()
    chosen = [ApplicationFactory(round=round_, state="eligible") for _ in range(2)]
    not_chosen = ApplicationFactory(round=round_, state="eligible")
    assessors = [staff_user("assessor", round_.programme, name=f"Assessor {n}") for n in range(2)]
    data = {"case": [a.id for a in chosen], "assessors": [a.id for a in assessors], "per_bid": "2"}

    check = _post(client, "/cases/application/batch/assign", {**data, "step": "check"})
    assert "Each of the 2 bids gets up to 2 different assessors" in check.get_data(as_text=True)
    assert _assessments(chosen[0]) == 0
    done = _post(client, "/cases/application/batch/assign", {**data, "step": "assign"})

    assert "4 assignments to 2 assessors. 2 bids sent for assessment." in done.get_data(as_text=True)
    for application in chosen:
        db.session.refresh(application)
        assert (application.state, _assessments(application)) == ("in_assessment", 2)
    db.session.refresh(not_chosen)
    assert (not_chosen.state, _assessments(not_chosen)) == ("eligible", 0)


def test_choosing_no_assessors_or_too_many_per_bid_is_an_error_and_assigns_nobody(client, officer):
    round_ = RoundFactory()
    bid = ApplicationFactory(round=round_, state="eligible")
    assessor = staff_user("assessor", round_.programme)

    nobody = _post(client, "/cases/application/batch/assign", {"case": [bid.id], "per_bid": "1", "step": "assign"})
    too_many = _post(
        client,
        "/cases/application/batch/assign",
        {"case": [bid.id], "assessors": [assessor.id], "per_bid": "3", "step": "assign"},
    )

    assert nobody.status_code == 400
    assert "Choose the assessors to share the bids between" in nobody.get_data(as_text=True)
    assert "Each bid needs 3 different assessors but you chose 1" in too_many.get_data(as_text=True)
    assert 'value="3"' in too_many.get_data(as_text=True)
    assert _assessments(bid) == 0


def test_bids_of_two_rounds_are_refused_on_the_list_saying_so(client, officer):
    first, second = ApplicationFactory(state="eligible"), ApplicationFactory(state="eligible")

    response = _post(client, "/cases/application/batch", {"action": "assign", "case": [first.id, second.id]})

    assert response.status_code == 400
    assert "The selected bids are in 2 rounds: assign assessors to one round&#39;s bids at a time" in (
        response.get_data(as_text=True)
    )


def test_assigning_is_not_offered_on_other_lists_and_its_address_is_not_found_there(client, officer):
    AwardFactory()
    html = client.get("/cases/award").get_data(as_text=True)

    response = _post(client, "/cases/award/batch/assign", {"case": ["1"], "step": "check"})

    assert '<option value="email">' in html and 'value="assign"' not in html
    assert response.status_code == 404
