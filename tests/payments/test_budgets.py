"""Budgets by stream and financial year: budget, committed, paid, recovered, remaining, to the penny."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from grants.extensions import db
from grants.models import Budget
from grants.payments import budgets
from tests.factories import BudgetFactory, PaymentFactory, RecoveryFactory, ensure_terms, staff_user
from tests.fixtures import post_form
from tests.payments.helpers import audit_rows, award, people, text_of
from tests.statements import counting_selects

STREAMS = {
    ("budget_stream", "victims_of_crime"): "Victims of Crime",
    ("budget_stream", "community_safety"): "Community Safety",
    ("budget_stream", "criminal_justice"): "Criminal Justice",
    ("budget_stream", "violence_reduction_unit"): "Violence Reduction Unit",
    ("budget_stream", "partnership_contributions"): "Partnership Contributions",
}
TODAY = date(2023, 6, 1)


def _decided(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def figures():
    """Awards, instalments and recoveries across 2022/23 and 2023/24 (see each line's comment)."""
    ensure_terms(STREAMS)
    team = people()
    team.finance = staff_user("finance")  # finance on every programme: sets every stream's budget
    p = team.programme
    BudgetFactory(budget_stream="community_safety", financial_year=2022, cost_centre="PCC-CS", amount_pence=100_000_000)
    BudgetFactory(
        budget_stream="violence_reduction_unit", financial_year=2022, cost_centre="PCC-VRU", amount_pence=230_000_000
    )
    safer = award(p, budget_stream="community_safety", amount_pence=798_500, decided_at=_decided(2023, 2, 9))
    # 23:30 UTC on 31 March 2023 is 00:30 on 1 April in West Yorkshire (BST): the next financial year.
    award(p, budget_stream="community_safety", amount_pence=250_000, decided_at=_decided(2023, 3, 31, 23, 30))
    award(p, budget_stream="community_safety", amount_pence=600_000, decided_at=_decided(2022, 9, 1), state="declined")
    award(p, budget_stream="community_safety", amount_pence=700_000, decided_at=_decided(2022, 9, 1), state="cancelled")
    # Varied down after the decision: the current amount counts.
    vru = award(
        p,
        budget_stream="violence_reduction_unit",
        amount_pence=123_456,
        amount_at_decision_pence=150_000,
        decided_at=_decided(2022, 5, 1),
    )
    PaymentFactory(award=safer, instalment=1, amount_pence=400_000, state="paid", paid_on=date(2023, 3, 1))
    PaymentFactory(award=safer, instalment=2, amount_pence=100_000, state="paid", paid_on=date(2023, 4, 2))
    PaymentFactory(award=safer, instalment=3, amount_pence=10_000, state="approved")  # approved is not paid
    PaymentFactory(award=vru, instalment=1, amount_pence=50_000, state="paid", paid_on=date(2022, 6, 1))
    RecoveryFactory(award=safer, amount_pence=12_345, received_on=date(2023, 3, 15))
    RecoveryFactory(award=vru, kind="clawback", amount_pence=1_000, received_on=date(2023, 4, 1))
    return team


def _row(page: str, stream: str) -> list[str]:
    match = re.search(rf'<tr class="govuk-table__row" id="stream-{stream}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {stream}"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match[1], re.S)
    ]


def test_the_report_gives_each_streams_figures_for_the_year_to_the_penny(figures, app):
    with app.test_request_context():
        report = budgets.report(figures.finance, 2022, TODAY)

    lines = {line.stream: line for line in report.lines}
    safety, vru = lines["community_safety"], lines["violence_reduction_unit"]
    assert (safety.budget_pence, safety.committed_pence, safety.paid_pence, safety.recovered_pence) == (
        100_000_000,
        798_500,
        400_000,
        12_345,
    )
    assert safety.remaining_pence == 99_213_845
    assert (vru.budget_pence, vru.committed_pence, vru.paid_pence, vru.recovered_pence, vru.remaining_pence) == (
        230_000_000,
        123_456,
        50_000,
        0,
        229_876_544,
    )
    assert lines["criminal_justice"].budget_pence is None
    total = report.total
    assert (total.budget_pence, total.committed_pence, total.paid_pence, total.recovered_pence) == (
        330_000_000,
        921_956,
        450_000,
        12_345,
    )
    assert total.remaining_pence == 329_090_389
    assert report.years[:2] == [2023, 2022]


def test_the_next_year_counts_what_was_decided_paid_and_recovered_after_31_march(figures, app):
    with app.test_request_context():
        report = budgets.report(figures.finance, 2023, TODAY)

    lines = {line.stream: line for line in report.lines}
    assert (lines["community_safety"].committed_pence, lines["community_safety"].paid_pence) == (250_000, 100_000)
    assert lines["violence_reduction_unit"].recovered_pence == 1_000
    assert lines["community_safety"].budget_pence is None
    assert report.total.remaining_pence == -250_000 + 1_000


def test_the_budgets_page_shows_the_figures_a_totals_row_and_what_each_column_means(figures, client, sign_in):
    sign_in(figures.officer)

    response = client.get("/payments/budgets?year=2022")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _row(html, "community_safety") == [
        "Community Safety",
        "PCC-CS",
        "£1,000,000.00",
        "£7,985.00",
        "£4,000.00",
        "£123.45",
        "£992,138.45",
    ]
    assert _row(html, "total") == ["Total", "", "£3,300,000.00", "£9,219.56", "£4,500.00", "£123.45", "£3,290,903.89"]
    page = text_of(response)
    assert "Budget minus committed plus recovered" in page
    assert "except awards declined or cancelled" in page
    assert "Change the Community Safety budget" not in page  # officers read; finance sets


def test_the_budgets_page_costs_the_same_statements_however_many_awards(figures, client, sign_in):
    sign_in(figures.finance)
    db.session.expire_all()
    with counting_selects() as before:
        client.get("/payments/budgets?year=2022")
    for number in range(20):
        grant = award(figures.programme, budget_stream="victims_of_crime", decided_at=_decided(2022, 7, 1))
        PaymentFactory(award=grant, state="paid", paid_on=date(2022, 8, number + 1))
        RecoveryFactory(award=grant, received_on=date(2022, 9, 1))
    db.session.expire_all()

    with counting_selects() as after:
        client.get("/payments/budgets?year=2022")

    assert len(after) == len(before)


# -- setting a budget -------------------------------------------------------------------------------
def _set(client, stream: str, year: int, data: dict):
    url = f"/payments/budgets/{stream}/{year}"
    return post_form(client, url, data)


def _budget(stream: str, year: int) -> Budget | None:
    db.session.expire_all()
    return db.session.scalar(select(Budget).where(Budget.budget_stream == stream, Budget.financial_year == year))


def test_finance_sets_a_streams_budget_and_cost_centre_for_a_year_and_it_is_audited(figures, client, sign_in):
    sign_in(figures.finance)

    response = _set(
        client, "criminal_justice", 2023, {"version_id": "", "amount": "1,250,000.50", "cost_centre": "PCC-CJ"}
    )

    assert response.status_code == 302
    budget = _budget("criminal_justice", 2023)
    assert (budget.amount_pence, budget.cost_centre, budget.updated_by_id) == (
        125_000_050,
        "PCC-CJ",
        figures.finance.id,
    )
    [change] = audit_rows("budget", budget.id, "budget_set")
    assert (change.from_state, change.to_state, change.actor_id) == (None, "£1,250,000.50 (PCC-CJ)", figures.finance.id)


def test_changing_a_budget_needs_a_reason_and_records_from_and_to(figures, client, sign_in):
    sign_in(figures.finance)
    current = _budget("community_safety", 2022)
    form = {"version_id": str(current.version_id), "amount": "1100000", "cost_centre": "PCC-CS"}

    refused = _set(client, "community_safety", 2022, form)
    assert refused.status_code == 400
    assert "Enter the reason for changing the budget" in text_of(refused)
    assert _budget("community_safety", 2022).amount_pence == 100_000_000

    saved = _set(client, "community_safety", 2022, {**form, "reason": "Mayor's uplift"})

    assert saved.status_code == 302
    budget = _budget("community_safety", 2022)
    assert budget.amount_pence == 110_000_000
    [change] = audit_rows("budget", budget.id, "budget_set")
    assert (change.from_state, change.to_state, change.reason) == (
        "£1,000,000.00 (PCC-CS)",
        "£1,100,000.00 (PCC-CS)",
        "Mayor's uplift",
    )


def test_a_wrong_budget_or_a_missing_cost_centre_is_refused_and_nothing_is_written(figures, client, sign_in):
    sign_in(figures.finance)

    for amount, message in [
        ("", "Enter the budget"),
        ("lots", "Enter the budget in pounds and pence, like 250000 or 250,000.50"),
        ("-5", "The budget must be £0 or more"),
    ]:
        response = _set(client, "criminal_justice", 2023, {"version_id": "", "amount": amount, "cost_centre": ""})
        assert response.status_code == 400
        page = text_of(response)
        assert message in page and "Enter the cost centre" in page
    assert _budget("criminal_justice", 2023) is None


def test_a_budget_someone_else_changed_meanwhile_is_not_overwritten(figures, client, sign_in):
    sign_in(figures.finance)
    current = _budget("community_safety", 2022)
    seen = current.version_id
    current.amount_pence = 90_000_000
    db.session.commit()  # another finance officer's change

    response = _set(
        client,
        "community_safety",
        2022,
        {"version_id": str(seen), "amount": "1200000", "cost_centre": "PCC-CS", "reason": "Uplift"},
    )

    assert response.status_code == 409
    assert "Someone else changed this budget while you were editing it" in text_of(response)
    assert _budget("community_safety", 2022).amount_pence == 90_000_000


def test_only_finance_sets_budgets_and_an_unknown_stream_does_not_exist(figures, client, sign_in):
    sign_in(figures.officer)
    assert client.get("/payments/budgets/community_safety/2022").status_code == 403
    sign_in(staff_user("admin"))
    assert client.get("/payments/budgets/community_safety/2022").status_code == 403
    sign_in(staff_user("finance"))
    assert client.get("/payments/budgets/community_safety/2022").status_code == 200
    assert client.get("/payments/budgets/no_such_stream/2022").status_code == 404


def test_finance_on_one_programme_sets_only_the_budget_of_its_stream(figures, client, sign_in):
    from tests.factories import ProgrammeFactory

    sign_in(staff_user("finance", ProgrammeFactory(code="VOC", budget_stream="victims_of_crime")))

    assert client.get("/payments/budgets/victims_of_crime/2022").status_code == 200
    assert client.get("/payments/budgets/community_safety/2022").status_code == 403
