"""Budgets guard decisions: the decision page shows the stream's budget for the year, committed and left;
approving a bid past the budget, or with no budget set, waits for a second decision maker, who must give
the reason (kept in the history); within the budget one approval does."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from grants.decisions import decisions
from grants.extensions import db
from grants.formatting import london_today
from grants.models import Application, AuditEvent
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    BudgetFactory,
    ProgrammeFactory,
    RecommendationFactory,
    RoundFactory,
    ensure_terms,
    staff_user,
)

pytestmark = pytest.mark.usefixtures("db_session")
TODAY = date(2026, 12, 3)  # 2026/27


@pytest.fixture
def round_():
    ensure_terms({("budget_stream", "community_safety"): "Community Safety"})
    programme = ProgrammeFactory(code="MSCF", budget_stream="community_safety")
    return RoundFactory(programme=programme, code="MSCF-R9", state="closed")


def _bid(round_, amount: int) -> Application:
    application = ApplicationFactory(round=round_, state="recommended", amount_requested_pence=amount)
    RecommendationFactory(application=application, recommended_amount_pence=amount)
    db.session.commit()
    return application


def _budget(amount: int, committed: int = 0) -> None:
    BudgetFactory(budget_stream="community_safety", financial_year=2026, amount_pence=amount)
    if committed:
        AwardFactory(budget_stream="community_safety", amount_pence=committed, state="active",
                     decided_at=datetime(2026, 6, 1, 10, tzinfo=UTC))  # fmt: skip
    db.session.commit()


def test_within_the_budget_one_approval_approves_the_bid(round_):
    _budget(1_000_000, committed=600_000)
    bid = _bid(round_, 400_000)

    outcome = decisions.approve(bid, staff_user("decision_maker", round_.programme), today=TODAY)

    assert outcome.result == "approved"


def test_past_the_budget_the_first_approval_waits_and_says_by_how_much(round_):
    _budget(1_000_000, committed=700_000)
    bid = _bid(round_, 400_000)

    outcome = decisions.approve(bid, staff_user("decision_maker", round_.programme), today=TODAY)

    assert outcome.result == "waiting"
    assert "it would take the Community Safety budget for 2026/27 of £10,000.00 over by £1,000.00" in outcome.message
    assert db.session.get(Application, bid.id).state == "recommended"


def test_the_second_decision_maker_must_give_the_reason_and_it_is_kept(round_):
    _budget(1_000_000, committed=700_000)
    bid = _bid(round_, 400_000)
    decisions.approve(bid, staff_user("decision_maker", round_.programme), today=TODAY)
    second = staff_user("decision_maker", round_.programme)

    refused = decisions.approve(db.session.get(Application, bid.id), second, today=TODAY)
    approved = decisions.approve(db.session.get(Application, bid.id), second, budget_reason="  Underspend from R8 "
                                 "returned in November  ", today=TODAY)  # fmt: skip

    assert refused.result == "refused" and "give the reason for approving it past the budget" in refused.message
    assert approved.result == "approved"
    kept = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "approved_past_budget"))
    assert kept.actor_id == second.id and kept.reason == "Underspend from R8 returned in November"
    assert "over by £1,000.00" in kept.data["why_needed"]


def test_with_no_budget_set_a_decision_waits_for_a_second_decision_maker(round_):
    bid = _bid(round_, 400_000)

    outcome = decisions.approve(bid, staff_user("decision_maker", round_.programme), today=TODAY)

    assert outcome.result == "waiting" and "no Community Safety budget is set for 2026/27" in outcome.message


def test_bids_approved_but_not_yet_awarded_count_as_committed(round_):
    _budget(1_000_000)
    first, second = _bid(round_, 600_000), _bid(round_, 600_000)
    maker = staff_user("decision_maker", round_.programme)

    assert decisions.approve(first, maker, today=TODAY).result == "approved"
    assert decisions.approve(db.session.get(Application, second.id), maker, today=TODAY).result == "waiting"


def test_the_decision_page_shows_the_budget_committed_and_left(client, sign_in, round_):
    today = london_today()
    year = today.year if today.month >= 4 else today.year - 1
    BudgetFactory(budget_stream="community_safety", financial_year=year, amount_pence=1_000_000)
    AwardFactory(budget_stream="community_safety", amount_pence=250_000, state="active", decided_at=datetime.now(UTC))
    _bid(round_, 400_000)
    sign_in(staff_user("decision_maker", round_.programme))

    html = client.get("/panel/rounds/MSCF-R9/decision").get_data(as_text=True)

    assert f"Community Safety budget {year}/{(year + 1) % 100:02d}" in html
    assert "£10,000.00" in html and "£2,500.00" in html and "£7,500.00" in html
