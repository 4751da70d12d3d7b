"""An assessor's list: bids to do (the default) or done, in the address, with the number in each tab,
each bid's due date, and their weighted total once submitted; the scoring page names the due date
and sets the bid beside the criteria."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from grants.extensions import db
from tests.factories import (
    AssessmentFactory,
    CriterionFactory,
    RoundFactory,
    ScoreFactory,
    staff_user,
)
from tests.statements import counting_selects

TODAY = datetime.now(UTC).date()


@pytest.fixture
def round_():
    return RoundFactory(
        title="Safer Communities Round 9",
        state="closed",
        decision_on=date(2099, 3, 1),
        assessment_due_on=date(2099, 2, 14),
    )


@pytest.fixture
def anna(round_, sign_in):
    user = staff_user("assessor", round_.programme, name="Anna Assessor")
    sign_in(user)
    return user


def _references(html: str) -> set[str]:
    return set(re.findall(r'href="/scoring/\d+">([^<]+)</a>', html))


def test_the_list_opens_on_the_bids_to_do_with_their_due_date_and_counts_in_the_tabs(client, round_, anna):
    to_do = [
        AssessmentFactory(application__round=round_, assessor=anna, state="assigned"),
        AssessmentFactory(application__round=round_, assessor=anna, state="scoring"),
    ]
    done = AssessmentFactory(application__round=round_, assessor=anna, state="submitted")

    html = client.get("/scoring/").get_data(as_text=True)

    assert _references(html) == {a.application.reference for a in to_do}
    assert done.application.reference not in html
    assert "To do (2)" in html and "Done (1)" in html
    assert 'href="/scoring/?show=done"' in html
    assert "14 February 2099" in html and "Overdue" not in html


def test_the_done_tab_lists_submitted_bids_with_the_assessors_weighted_total(client, round_, anna):
    scored = AssessmentFactory(application__round=round_, assessor=anna, state="submitted")
    need = CriterionFactory(round=round_, weight=Decimal("1.10"))
    value = CriterionFactory(round=round_, weight=Decimal("2.35"))
    ScoreFactory(assessment=scored, criterion=need, score=2)
    ScoreFactory(assessment=scored, criterion=need, score=4)  # a rescore: the latest counts
    ScoreFactory(assessment=scored, criterion=value, score=3)
    waiting = AssessmentFactory(application__round=round_, assessor=anna, state="scoring")

    html = client.get("/scoring/?show=done").get_data(as_text=True)

    assert _references(html) == {scored.application.reference}
    assert waiting.application.reference not in html
    assert "Your total" in html and ">11.45<" in html  # 4 × 1.10 + 3 × 2.35
    assert 'aria-current="page">Done (1)' in html


def test_an_unknown_tab_in_the_address_shows_the_bids_to_do(client, round_, anna):
    assessment = AssessmentFactory(application__round=round_, assessor=anna, state="assigned")

    html = client.get("/scoring/?show=%00everything").get_data(as_text=True)

    assert _references(html) == {assessment.application.reference}


def test_a_bid_past_its_due_date_is_marked_overdue_and_the_decision_date_stands_in_without_one(client, round_, anna):
    late_round = RoundFactory(programme=round_.programme, state="closed", decision_on=TODAY - timedelta(days=1))
    AssessmentFactory(application__round=late_round, assessor=anna, state="scoring")

    html = client.get("/scoring/").get_data(as_text=True)

    assert (TODAY - timedelta(days=1)).strftime("%-d %B %Y") in html
    assert "Overdue" in html


def test_an_assessor_with_every_bid_scored_is_told_so_on_the_to_do_tab(client, round_, anna):
    AssessmentFactory(application__round=round_, assessor=anna, state="submitted")

    html = client.get("/scoring/").get_data(as_text=True)

    assert "You have scored every bid you were given" in html and "Done (1)" in html


def test_each_tab_reads_the_same_number_of_statements_however_many_bids(client, round_, anna):
    criterion = CriterionFactory(round=round_)

    def statements(url: str) -> int:
        with counting_selects() as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    def more(number: int) -> None:
        for _ in range(number):
            AssessmentFactory(application__round=round_, assessor=anna, state="scoring")
            ScoreFactory(
                assessment=AssessmentFactory(application__round=round_, assessor=anna, state="submitted"),
                criterion=criterion,
            )

    more(1)
    few = statements("/scoring/"), statements("/scoring/?show=done")
    more(10)
    many = statements("/scoring/"), statements("/scoring/?show=done")

    assert few == many


def test_the_scoring_page_names_the_due_date_and_sets_the_bid_beside_the_criteria(client, round_, anna):
    assessment = AssessmentFactory(application__round=round_, assessor=anna, state="scoring")
    CriterionFactory(round=round_, name="Need and evidence")
    db.session.commit()

    html = client.get(f"/scoring/{assessment.id}").get_data(as_text=True)

    assert "Your scores are due by <strong>14 February 2099</strong>" in html
    bid = html.index('class="govuk-grid-column-one-half-from-desktop app-bid"')
    scores = html.index('class="govuk-grid-column-one-half-from-desktop" id="scoring"')
    assert bid < html.index("The bid") < scores < html.index("Need and evidence")
