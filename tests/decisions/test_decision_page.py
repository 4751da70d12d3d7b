"""The decision page shows the panel's view: the bids in rank order with their scores, recommended
amounts and running total, the funding line, and the budget left; a bid whose approval would take the
stream's budget past its total is said to, before anyone approves it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from grants.extensions import db
from grants.formatting import london_today
from grants.models import Application
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
from tests.fixtures import post_form

URL = "/panel/rounds/MSCF-R9/decision"


@pytest.fixture
def round_():
    ensure_terms({("budget_stream", "community_safety"): "Community Safety"})
    programme = ProgrammeFactory(code="MSCF", budget_stream="community_safety")
    return RoundFactory(programme=programme, code="MSCF-R9", state="closed", budget_pence=600_000)


def _year() -> int:
    today = london_today()
    return today.year if today.month >= 4 else today.year - 1


def _bid(round_, reference: str, amount: int, score: str | None = None) -> Application:
    application = ApplicationFactory(
        round=round_, state="recommended", amount_requested_pence=amount, public_reference=reference
    )
    RecommendationFactory(application=application, recommended_amount_pence=amount, moderated_score=score)
    db.session.commit()
    return application


def _budget(amount: int, committed: int = 0) -> None:
    BudgetFactory(budget_stream="community_safety", financial_year=_year(), amount_pence=amount)
    if committed:
        AwardFactory(budget_stream="community_safety", amount_pence=committed, state="active",
                     decided_at=datetime.now(UTC))  # fmt: skip
    db.session.commit()


def _page(client, sign_in, round_) -> str:
    sign_in(staff_user("decision_maker", round_.programme))
    response = client.get(URL)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_decision_page_shows_the_ranking_with_scores_running_total_and_the_funding_line(client, sign_in, round_):
    _budget(10_000_000)
    _bid(round_, "MSCF-R9-0002", 400_000, score="40.00")
    _bid(round_, "MSCF-R9-0001", 300_000, score="35.50")

    html = _page(client, sign_in, round_)

    first, second = html.index('id="bid-'), html.rindex('id="bid-')
    assert "MSCF-R9-0002" in html[first:second] and "MSCF-R9-0001" in html[second:]  # the higher score first
    assert "40.00" in html[first:second] and "35.50" in html[second:]
    assert "£4,000.00" in html[first:second] and "£7,000.00" in html[second:]  # the running total
    line = html.index('id="funding-line"')
    assert first < line < second
    assert "The round's budget of £6,000.00 runs out here" in html


def test_a_bid_that_would_take_the_budget_past_its_total_is_warned_of_before_approving(client, sign_in, round_):
    _budget(1_000_000, committed=700_000)
    within = _bid(round_, "MSCF-R9-0001", 200_000, score="40.00")
    past = _bid(round_, "MSCF-R9-0002", 400_000, score="30.00")

    html = _page(client, sign_in, round_)

    assert f'id="over-budget-{within.id}"' not in html
    warning = html[html.index(f'id="over-budget-{past.id}"') :]
    assert (
        "Approving this bid would take the Community Safety budget for "
        f"{_year()}/{(_year() + 1) % 100:02d} of £10,000.00 over by £1,000.00" in warning.split("</p>")[0]
    )
    together = html[html.index('id="over-budget"') :].split("</div>")[0]
    assert "Approving all 2 recommended and reserve bids would take" in together and "over by £3,000.00" in together


def test_bids_within_the_budget_carry_no_warning(client, sign_in, round_):
    _budget(10_000_000, committed=700_000)
    _bid(round_, "MSCF-R9-0001", 200_000)
    _bid(round_, "MSCF-R9-0002", 400_000)

    html = _page(client, sign_in, round_)

    assert "over-budget" not in html and "£93,000.00" in html  # left: £100,000 - £7,000


def test_approving_past_the_warning_still_needs_a_second_decision_maker(client, sign_in, round_):
    _budget(1_000_000, committed=900_000)
    past = _bid(round_, "MSCF-R9-0001", 400_000)
    html = _page(client, sign_in, round_)
    assert f'id="over-budget-{past.id}"' in html

    post_form(client, URL, {"one": f"approve:{past.id}", "conditions": "", "reason": ""})

    db.session.expire_all()
    assert db.session.get(Application, past.id).state == "recommended"
