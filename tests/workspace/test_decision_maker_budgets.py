"""A decision maker's Your work shows, beside the decisions waiting, the budget position of each budget
stream of their programmes this financial year: what is left (or over), of what total, and committed."""

from __future__ import annotations

from datetime import UTC, datetime

from grants.extensions import db
from grants.formatting import london_today
from grants.models import RoleGrant
from tests.factories import (
    AwardFactory,
    BudgetFactory,
    ProgrammeFactory,
    ensure_terms,
    staff_user,
)
from tests.statements import counting_selects


def _year() -> int:
    today = london_today()
    return today.year if today.month >= 4 else today.year - 1


def _label() -> str:
    return f"{_year()}/{(_year() + 1) % 100:02d}"


def _positions(html: str) -> str:
    start = html.index('id="budget-positions"')
    return html[start : html.index("</ul>", start)]


def test_a_decision_maker_sees_what_is_left_of_each_budget_of_their_programmes(client, sign_in):
    ensure_terms({("budget_stream", "community_safety"): "Community Safety", ("budget_stream", "youth"): "Youth"})
    mscf = ProgrammeFactory(code="MSCF", budget_stream="community_safety")
    ProgrammeFactory(code="VRU", budget_stream="youth")  # not theirs
    BudgetFactory(budget_stream="community_safety", financial_year=_year(), amount_pence=1_000_000)
    BudgetFactory(budget_stream="youth", financial_year=_year(), amount_pence=5_000_000)
    AwardFactory(budget_stream="community_safety", amount_pence=250_000, state="active", decided_at=datetime.now(UTC))
    sign_in(staff_user("decision_maker", mscf))

    positions = _positions(client.get("/work/").get_data(as_text=True))

    assert f"£7,500.00 left of the Community Safety budget for {_label()} of £10,000.00" in positions
    assert "£2,500.00 committed" in positions
    assert "Youth" not in positions


def test_a_budget_past_its_total_or_not_set_is_said_so(client, sign_in):
    ensure_terms({("budget_stream", "community_safety"): "Community Safety", ("budget_stream", "youth"): "Youth"})
    over = ProgrammeFactory(code="MSCF", budget_stream="community_safety")
    unset = ProgrammeFactory(code="VRU", budget_stream="youth")
    BudgetFactory(budget_stream="community_safety", financial_year=_year(), amount_pence=100_000)
    AwardFactory(budget_stream="community_safety", amount_pence=250_000, state="active", decided_at=datetime.now(UTC))
    user = staff_user("decision_maker", over)
    staff_user("decision_maker", unset)  # someone else's
    db.session.add(RoleGrant(user_id=user.id, role="decision_maker", programme_id=unset.id))
    db.session.commit()
    sign_in(user)

    positions = _positions(client.get("/work/").get_data(as_text=True))

    assert f"£1,500.00 over the Community Safety budget for {_label()} of £1,000.00" in positions
    assert f"No Youth budget is set for {_label()}" in positions


def test_the_budget_positions_cost_the_same_statements_however_many_awards(client, sign_in):
    ensure_terms({("budget_stream", "community_safety"): "Community Safety"})
    mscf = ProgrammeFactory(code="MSCF", budget_stream="community_safety")
    BudgetFactory(budget_stream="community_safety", financial_year=_year(), amount_pence=1_000_000)
    sign_in(staff_user("decision_maker", mscf))

    def statements() -> int:
        with counting_selects() as seen:
            assert client.get("/work/").status_code == 200
        return len(seen)

    AwardFactory(budget_stream="community_safety", amount_pence=1_000, state="active", decided_at=datetime.now(UTC))
    few = statements()
    AwardFactory.create_batch(
        10, budget_stream="community_safety", amount_pence=1_000, state="active", decided_at=datetime.now(UTC)
    )
    many = statements()

    assert few == many
